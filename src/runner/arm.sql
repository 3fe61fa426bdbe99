-- Gives a job its carrier: a pg_cron interval job that starts a runner for it.
-- pg_cron counts an interval from when its launcher first loads the job, so a carrier of
-- N seconds first runs N to N+1 seconds after commit; a runner that starts a little early
-- waits out the rest (see _take). New jobs are armed at COMMIT (see _job_arm_at_commit), so
-- that the countdown starts when the job can first be seen.
DECLARE
  seconds integer;
  armed text;
  counts jsonb;
  bucket text;
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
  -- Jobs of one role armed in one transaction for the same second share carriers: the first
  -- max_runners of them get one each, and their runners take the others as they come due (a
  -- runner takes its principal's jobs due within two seconds, see _take_next), so that a burst
  -- opens a few sessions, not one per job, and every job's carrier runs at its own second.
  -- The count lives in a transaction-local setting, tagged with the transaction: a value left
  -- at session level (SET by a user) is not this transaction's.
  armed := pg_catalog.current_setting('pgdispatch.armed_in_xact', true);
  bucket := job_role::text || ':' || seconds::text;
  IF armed IS NOT NULL AND pg_catalog.split_part(armed, '|', 1) = pg_catalog.pg_current_xact_id()::text THEN
    counts := pg_catalog.substr(armed, pg_catalog.strpos(armed, '|') + 1)::jsonb;
  ELSE
    counts := '{}';
  END IF;
  IF coalesce((counts ->> bucket)::integer, 0) >= (SELECT s.max_runners FROM pgdispatch.settings AS s) THEN
    RETURN NULL;
  END IF;
  counts := counts || pg_catalog.jsonb_build_object(bucket, coalesce((counts ->> bucket)::integer, 0) + 1);
  PERFORM pg_catalog.set_config('pgdispatch.armed_in_xact', pg_catalog.pg_current_xact_id()::text || '|' || counts::text, true);
  -- Scheduled by the role's runner identity, as which pg_cron then runs it; the token proves to
  -- the runner's wrapper that pg_dispatch asked for this job's carrier.
  EXECUTE pg_catalog.format('SELECT pgdispatch_exec.%I($1, $2, $3)', 'arm_' || job_role::text)
     INTO cron_job USING job_id, seconds, pgdispatch._arm_token(job_id, job_role);
  RETURN cron_job;
END
