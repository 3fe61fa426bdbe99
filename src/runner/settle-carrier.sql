-- The last act of a carrier's run: remove its own carrier if its job has finished or is gone, or
-- arm it again if the job is not due for a while (a retry's backoff, a restart that restarted the
-- countdown). Removing its own pg_cron job makes pg_cron drop this session's connection, so
-- nothing may follow this call but the end of the run.
DECLARE
  j pgdispatch._job;
BEGIN
  SELECT * INTO j FROM pgdispatch._job AS k WHERE k.id = job_id FOR UPDATE;
  IF NOT FOUND THEN
    -- Purged, or a carrier that outlived an earlier install.
    PERFORM pgdispatch._unschedule(c.jobid) FROM cron.job AS c
      WHERE c.jobname = 'pgdispatch_job_' || job_id::text AND c.username = CURRENT_USER;
  ELSIF j.carrier IS NULL THEN
    RETURN;
  ELSIF j.status IN ('succeeded', 'failed', 'cancelled', 'timed_out') THEN
    PERFORM pgdispatch._unschedule(j.carrier);
    UPDATE pgdispatch._job AS k SET carrier = NULL WHERE k.id = j.id;
  ELSIF j.status = 'scheduled' AND j.run_at - pg_catalog.clock_timestamp() > interval '2 seconds' THEN
    PERFORM pgdispatch._unschedule(j.carrier);
    UPDATE pgdispatch._job AS k SET carrier = pgdispatch._arm(k.id, k.run_at) WHERE k.id = j.id;
  END IF;
END
