-- The warm runner (settings.warm_runner): one session that stays and polls for due jobs every
-- 10 ms, so that a job starts within tens of milliseconds of its commit instead of pg_cron's 1 to
-- 2 seconds. Its cost: one backend and one pg_cron run slot for as long as it is on. Each poll
-- commits, so it never holds back VACUUM.
DECLARE
  me_started timestamptz;
  job pgdispatch._job;
  outcome text;
  finished bigint[] := '{}';
  flushed_at timestamptz := pg_catalog.clock_timestamp();
  last_role name;
BEGIN
  PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', false);
  PERFORM pg_catalog.set_config('application_name', 'pgdispatch warm runner', false);
  -- One warm runner at a time, whatever pg_cron does.
  IF NOT pg_catalog.pg_try_advisory_lock(1885824112, 0) THEN
    RETURN;
  END IF;
  SELECT a.backend_start INTO me_started FROM pg_catalog.pg_stat_activity AS a WHERE a.pid = pg_catalog.pg_backend_pid();
  PERFORM pgdispatch._forget_runs(1000);
  COMMIT;
  WHILE (SELECT s.warm_runner FROM pgdispatch.settings AS s) LOOP
    job := pgdispatch._take_next(me_started);
    COMMIT;
    IF job.id IS NOT NULL THEN
      -- Between jobs of different roles, nothing of the last job may stay in the session.
      IF last_role IS DISTINCT FROM job.role AND last_role IS NOT NULL THEN
        PERFORM pgdispatch._scrub_session();
      END IF;
      last_role := job.role;
      outcome := pgdispatch._execute(job);
      COMMIT;
      PERFORM pg_catalog.set_config('application_name', 'pgdispatch warm runner', false);
      IF outcome <> 'scheduled' THEN
        finished := finished || job.id;
      END IF;
    ELSE
      -- Idle: remove finished jobs' carriers before pg_cron starts them for nothing.
      IF pg_catalog.cardinality(finished) > 0 AND pg_catalog.clock_timestamp() - flushed_at > interval '100 milliseconds' THEN
        PERFORM pgdispatch._disarm(finished);
        PERFORM pgdispatch._forget_runs(1000);
        finished := '{}';
        flushed_at := pg_catalog.clock_timestamp();
      END IF;
      PERFORM pg_catalog.pg_sleep(0.01);
    END IF;
    COMMIT;
  END LOOP;
  PERFORM pgdispatch._disarm(finished);
  COMMIT;
END
