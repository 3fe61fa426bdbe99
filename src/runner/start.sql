-- Marks a locked, due job as running in this session, counting the attempt. Committed before
-- the command starts, so that a crash in the middle leaves a trace that recovery can act on.
DECLARE
  started pgdispatch._job;
BEGIN
  UPDATE pgdispatch._job AS j
     SET status = 'running', attempts = j.attempts + 1, started_at = pg_catalog.clock_timestamp(),
         finished_at = NULL, runner_pid = pg_catalog.pg_backend_pid(), runner_started = me_started
   WHERE j.id = job.id
  RETURNING * INTO started;
  -- A time limit is enforced from another session; make sure one is watching.
  IF started.timeout IS NOT NULL AND started.timeout <= interval '65 seconds' THEN
    PERFORM pgdispatch._ensure_watchdog();
  END IF;
  RETURN started;
END
