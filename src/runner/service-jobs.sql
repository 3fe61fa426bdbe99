-- Brings pg_dispatch's own pg_cron jobs in line with the settings: maintenance every minute and
-- once when the server starts (jobs interrupted by a crash are dealt with at once), the warm runner
-- only while settings.warm_runner is on. Called by the first fire (not at install: see
-- job-before-insert.sql) and when settings change.
BEGIN
  PERFORM cron.schedule('pgdispatch_maintenance', '* * * * *', pgdispatch._service_command('_maintain'));
  PERFORM cron.schedule('pgdispatch_reboot', '@reboot', pgdispatch._service_command('_reboot'));
  IF (SELECT s.warm_runner FROM pgdispatch.settings AS s) THEN
    IF NOT EXISTS (SELECT 1 FROM cron.job AS c WHERE c.jobname = 'pgdispatch_warm' AND c.username = CURRENT_USER) THEN
      PERFORM cron.schedule('pgdispatch_warm', '1 seconds', pgdispatch._service_command('_warm'));
    END IF;
  ELSE
    PERFORM pgdispatch._unschedule(c.jobid) FROM cron.job AS c
      WHERE c.jobname = 'pgdispatch_warm' AND c.username = CURRENT_USER;
  END IF;
END
