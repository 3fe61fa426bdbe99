-- The command of every carrier. It takes the job it was made for, then, if fewer than
-- settings.max_runners sessions are draining, goes on with every other due job, so that a burst
-- is served by a few sessions instead of one pg_cron connection per job. Each job runs in its
-- own transaction; the carriers of finished jobs are removed in batches (see _disarm).
DECLARE
  me_started timestamptz;
  job pgdispatch._job;
  finished bigint[] := '{}';
  flushed_at timestamptz := pg_catalog.clock_timestamp();
  draining boolean := false;
  outcome text;
  last_settings jsonb;
BEGIN
  -- A procedure that commits cannot have a SET clause: pin the path for this session here.
  PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', false);
  PERFORM pg_catalog.set_config('application_name', 'pgdispatch runner', false);
  SELECT a.backend_start INTO me_started FROM pg_catalog.pg_stat_activity AS a WHERE a.pid = pg_catalog.pg_backend_pid();
  PERFORM pgdispatch._forget_runs(1000);
  job := pgdispatch._take(job_id, me_started);
  COMMIT;
  LOOP
    IF job.id IS NOT NULL THEN
      -- A runner serves one role, but maybe many of its end users (request claims): between jobs of
      -- different ones, nothing of the last job may stay in the session.
      IF last_settings IS DISTINCT FROM job.settings AND last_settings IS NOT NULL THEN
        PERFORM pgdispatch._scrub_session();
        COMMIT;
      END IF;
      last_settings := job.settings;
      outcome := pgdispatch._execute(job);
      -- What the command left for COMMIT runs now, as this session's user: the runner identity.
      COMMIT;
      PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', false);
      IF outcome <> 'scheduled' THEN
        finished := finished || job.id;
      END IF;
    END IF;
    IF pg_catalog.cardinality(finished) >= 1000
       OR (pg_catalog.cardinality(finished) > 0 AND pg_catalog.clock_timestamp() - flushed_at > interval '1 second') THEN
      PERFORM pgdispatch._disarm(finished);
      COMMIT;
      finished := '{}';
      flushed_at := pg_catalog.clock_timestamp();
    END IF;
    IF NOT draining THEN
      draining := pgdispatch._drain_slot();
      EXIT WHEN NOT draining;
    END IF;
    job := pgdispatch._take_next(me_started);
    COMMIT;
    EXIT WHEN job.id IS NULL;
  END LOOP;
  IF pg_catalog.cardinality(finished) > 0 THEN
    PERFORM pgdispatch._disarm(finished);
    COMMIT;
  END IF;
  PERFORM pgdispatch._forget_runs(1000);
  COMMIT;
  PERFORM pgdispatch._settle_carrier(job_id);  -- last: it may remove this run's own pg_cron job
  COMMIT;
END
