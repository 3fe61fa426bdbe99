-- The command of every carrier, run by pg_cron in a session of the job's runner identity. It takes
-- a runner slot and the job it was made for, then goes on with every other due job of the same
-- principal (role and request settings), so that a burst is
-- served by a few sessions instead of one pg_cron connection per job. Each job runs in its own
-- transaction; the carriers of finished jobs are removed in batches (see _disarm). A draining
-- session stays settings.linger after its last job and polls for its principal's next one, so
-- that steady traffic starts in milliseconds and a quiet server holds no session (see _stay_warm).
-- Nothing here trusts the session: a command may have changed any setting. So the session is
-- scrubbed after every job, the path is pinned after every COMMIT, and every decision is taken by
-- pg_dispatch's own functions.
DECLARE
  job pgdispatch._job;
  finished bigint[] := '{}';
  flushed_at timestamptz := pg_catalog.clock_timestamp();
  draining boolean := false;  -- holds a runner slot
  warm boolean := false;
  last_job_at timestamptz := pg_catalog.clock_timestamp();
  step record;  -- what _execute returns: the job's outcome, and the next job it started
BEGIN
  -- A procedure that commits cannot have a SET clause: pin the path for this session here.
  PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', false);
  PERFORM pg_catalog.set_config('application_name', 'pgdispatch runner', false);
  PERFORM pgdispatch._forget_runs(1000);
  COMMIT;
  -- A runner slot first (see _claim_slot): without one the job waits, holding nothing.
  IF pgdispatch._claim_slot() THEN
    COMMIT;
    job := pgdispatch._take(job_id);
    -- A session drains and stays warm only for the principal of a job it took (see _take_next):
    -- one that took none (its job done or held elsewhere) gives its slot back at once.
    draining := job.id IS NOT NULL;
  END IF;
  COMMIT;
  LOOP
    IF job.id IS NOT NULL THEN
      -- One transaction per job: its command and outcome, and (draining) the start of its
      -- principal's next due job (see _execute).
      SELECT * INTO step FROM pgdispatch._execute(job, draining);
      -- What the command left for COMMIT runs now, as this session's user (the runner identity,
      -- which holds nothing; from PostgreSQL 18 on, the firer). Then the session is scrubbed, in
      -- a transaction of its own (one that writes nothing, so no WAL flush), so that the next job
      -- begins in a fresh one, whatever characteristics that work set for it.
      COMMIT;
      PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', false);
      PERFORM pgdispatch._scrub_session();
      COMMIT;
      IF step.outcome <> 'scheduled' THEN
        finished := finished || job.id;
      END IF;
      last_job_at := pg_catalog.clock_timestamp();
      job := step.next;
    END IF;
    -- Often enough that a carrier (which runs a second or more after its commit) is mostly gone
    -- before pg_cron opens a session for a job already done.
    IF pg_catalog.cardinality(finished) >= 1000
       OR (pg_catalog.cardinality(finished) > 0 AND pg_catalog.clock_timestamp() - flushed_at > interval '0.2 seconds') THEN
      PERFORM pgdispatch._disarm(finished);
      COMMIT;
      finished := '{}';
      flushed_at := pg_catalog.clock_timestamp();
    END IF;
    EXIT WHEN NOT draining;
    CONTINUE WHEN job.id IS NOT NULL;
    job := pgdispatch._take_next();
    COMMIT;
    IF job.id IS NULL THEN
      warm := pgdispatch._stay_warm(pg_catalog.clock_timestamp() - last_job_at);
      EXIT WHEN NOT warm;
      IF pg_catalog.cardinality(finished) > 0 THEN
        -- Idle: remove finished jobs' carriers before pg_cron starts them for nothing.
        PERFORM pgdispatch._disarm(finished);
        finished := '{}';
        flushed_at := pg_catalog.clock_timestamp();
      END IF;
      PERFORM pg_catalog.set_config('application_name', 'pgdispatch warm runner', false);
      PERFORM pg_catalog.pg_sleep(0.01);
      COMMIT;
    END IF;
  END LOOP;
  IF pg_catalog.cardinality(finished) > 0 THEN
    PERFORM pgdispatch._disarm(finished);
    COMMIT;
  END IF;
  PERFORM pgdispatch._release_slot();
  PERFORM pgdispatch._forget_runs(1000);
  COMMIT;
  PERFORM pgdispatch._settle_carrier(job_id);  -- last: it may remove this run's own pg_cron job
  COMMIT;
END
