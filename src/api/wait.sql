DECLARE
  deadline timestamptz := pg_catalog.clock_timestamp() + timeout;
  current_status text;
  fired_in pg_catalog.xid8;
  nap double precision := 0.005;
  runner integer;
BEGIN
  IF timeout IS NULL OR timeout < interval '0' THEN
    RAISE EXCEPTION 'pg_dispatch: the timeout of wait() must be zero or more, not %', coalesce(timeout::text, 'NULL')
      USING ERRCODE = '{{ERR:invalid_argument}}', HINT = 'E.g. SELECT pgdispatch.wait(42, interval ''10 seconds'');';
  END IF;
  SELECT j.status, j.fired_xact INTO current_status, fired_in FROM pgdispatch._job AS j WHERE j.id = job_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'pg_dispatch: no job %', job_id
      USING ERRCODE = '{{ERR:job_not_found}}',
            HINT = 'A role sees only the jobs it fired, an end user (JWT sub) only their own, and finished jobs are purged after settings.retention.';
  END IF;
  IF fired_in = pg_catalog.pg_current_xact_id_if_assigned() THEN
    RAISE EXCEPTION 'pg_dispatch: job % was fired in this transaction, which must commit before it can run', job_id
      USING ERRCODE = '{{ERR:job_not_committed}}', HINT = 'COMMIT, then wait for the job.';
  END IF;
  IF pg_catalog.current_setting('transaction_isolation') <> 'read committed' THEN
    RAISE EXCEPTION 'pg_dispatch: wait() needs READ COMMITTED; in % it would never see the job change', pg_catalog.current_setting('transaction_isolation')
      USING ERRCODE = '{{ERR:wait_not_supported}}', HINT = 'Call it outside the transaction, or poll pgdispatch.status() from new transactions.';
  END IF;
  -- Polls with a growing nap (5 ms up to 100 ms): a function cannot receive NOTIFY, and clients
  -- that can should LISTEN on channel pgdispatch instead.
  WHILE current_status IN {{STATUSES:unfinished}} AND pg_catalog.clock_timestamp() < deadline LOOP
    PERFORM pg_catalog.pg_sleep(least(nap, pg_catalog.date_part('epoch', deadline - pg_catalog.clock_timestamp())));
    nap := least(nap * 2, 0.1);
    SELECT j.status, j.runner_pid INTO current_status, runner FROM pgdispatch._job AS j WHERE j.id = job_id;
    -- A running job waiting for a lock this session holds would wait as long as this loop does.
    IF current_status = 'running' AND nap >= 0.1 AND pg_catalog.pg_backend_pid() = ANY (pg_catalog.pg_blocking_pids(runner)) THEN
      RAISE EXCEPTION 'pg_dispatch: job % is waiting for a lock this session holds, so wait() would never see it finish', job_id
        USING ERRCODE = '{{ERR:job_blocked_by_waiter}}',
              HINT = 'COMMIT or ROLLBACK the work that holds the lock (the job then goes on), and wait after that.';
    END IF;
  END LOOP;
  RETURN current_status;
END
