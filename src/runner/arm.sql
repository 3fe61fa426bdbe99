-- Gives a job its carrier: a pg_cron interval job that starts a runner for it.
-- pg_cron counts an interval from when its launcher first loads the job, so a carrier of
-- N seconds first runs N to N+1 seconds after commit; a runner that starts a little early
-- waits out the rest (see _take).
DECLARE
  seconds integer;
  armed_in_xact integer;
  cron_job bigint;
  now_ts timestamptz;
BEGIN
  -- Times are compared, never subtracted first: infinity, or years ahead, would not fit.
  now_ts := pg_catalog.clock_timestamp();
  IF run_at >= now_ts + interval '60 seconds' THEN
    RETURN NULL;  -- too far off for an interval schedule: the maintenance job arms it later
  END IF;
  seconds := CASE WHEN run_at <= now_ts THEN 0 ELSE pg_catalog.floor(pg_catalog.date_part('epoch', run_at - now_ts)) END;
  seconds := greatest(seconds, 1);
  -- In a burst (many jobs armed in one transaction), the first max_runners carriers start
  -- runners that drain the whole burst; the others get the longest interval and serve only as
  -- a fallback, so pg_cron does not open a session per job just to find it already done.
  armed_in_xact := coalesce(nullif(pg_catalog.current_setting('pgdispatch.armed_in_xact', true), ''), '0')::integer + 1;
  PERFORM pg_catalog.set_config('pgdispatch.armed_in_xact', armed_in_xact::text, true);
  IF armed_in_xact > (SELECT s.max_runners FROM pgdispatch.settings AS s) THEN
    seconds := 59;
  END IF;
  -- pg_cron 1.6's launcher misses the reload after a transaction that writes several thousand
  -- rows of cron.job (measured: 3,000 always loaded at once, 5,000 and 10,000 often not for
  -- minutes, until some later write to cron.job). Past 1,000 carriers in one transaction, jobs
  -- wait for the runners of the first ones, and the maintenance job arms any that are left.
  IF armed_in_xact > 1000 THEN
    RETURN NULL;
  END IF;
  -- Scheduled by the role's runner identity, as which pg_cron then runs it; the token proves to
  -- the runner's wrapper that pg_dispatch asked for this job's carrier.
  EXECUTE pg_catalog.format('SELECT pgdispatch_exec.%I($1, $2, $3)', 'arm_' || job_role::text)
     INTO cron_job USING job_id, seconds, pgdispatch._arm_token(job_id, job_role);
  RETURN cron_job;
END
