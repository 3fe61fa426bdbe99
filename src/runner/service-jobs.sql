-- Brings pg_dispatch's own pg_cron jobs in line with the settings: maintenance every minute and
-- once when the server starts (jobs interrupted by a crash are dealt with at once). Called by the
-- first fire (not at install: see job-before-insert.sql) and when settings change.
BEGIN
  PERFORM cron.schedule('pgdispatch_maintenance', '* * * * *', pgdispatch._service_command('_maintain'));
  PERFORM cron.schedule('pgdispatch_reboot', '@reboot', pgdispatch._service_command('_reboot'));
END
