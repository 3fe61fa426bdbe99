-- The watchdog: a pg_cron job that exists only while a running job's time limit is near.
-- A limit cannot be armed inside the job itself (statement_timeout set within a running CALL does
-- not apply to it), so this session stops overrunning jobs with pg_cancel_backend.
DECLARE
  stopped record;
  ids bigint[];
  pids integer[];
  starts timestamptz[];
BEGIN
  PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', false);
  PERFORM pgdispatch._forget_runs(1000);
  -- First record the verdict and commit it: the runner, interrupted, then finds 'timed_out'.
  WITH s AS (
    UPDATE pgdispatch._job AS j
       SET status = 'timed_out', finished_at = pg_catalog.clock_timestamp(), error_sqlstate = '57014',
           error_message = pg_catalog.format('timed out: the job ran longer than its timeout of %s', j.timeout)
     WHERE j.id IN (SELECT k.id FROM pgdispatch._job AS k
                     WHERE k.status = 'running' AND k.timeout IS NOT NULL
                       AND k.started_at + k.timeout <= pg_catalog.clock_timestamp()
                     -- A row held by its runner (committing, and maybe stalled there by work the
                     -- command left for COMMIT) is not waited for: it is signalled below.
                     FOR UPDATE SKIP LOCKED)
    RETURNING j.id, j.runner_pid, j.runner_started)
  SELECT pg_catalog.array_agg(s.id), pg_catalog.array_agg(s.runner_pid), pg_catalog.array_agg(s.runner_started)
    INTO ids, pids, starts FROM s;
  COMMIT;
  FOR stopped IN SELECT * FROM ROWS FROM (pg_catalog.unnest(ids), pg_catalog.unnest(pids), pg_catalog.unnest(starts)) AS u(id, pid, started) LOOP
    PERFORM pgdispatch._stop_runner(stopped.id, stopped.pid, stopped.started, false);
  END LOOP;
  -- Overdue jobs whose row their runner holds: stop the runner; two seconds on, end its session.
  PERFORM pgdispatch._stop_runner(j.id, j.runner_pid, j.runner_started,
                                  j.started_at + j.timeout < pg_catalog.clock_timestamp() - interval '2 seconds')
     FROM pgdispatch._job AS j
    WHERE j.status = 'running' AND j.timeout IS NOT NULL AND j.started_at + j.timeout <= pg_catalog.clock_timestamp();
  -- A session still on a job stopped two seconds ago caught the cancel: end it.
  PERFORM pgdispatch._stop_runner(j.id, j.runner_pid, j.runner_started, true)
     FROM pgdispatch._job AS j
    WHERE j.status IN ('timed_out', 'cancelled') AND j.runner_pid IS NOT NULL
      AND j.finished_at BETWEEN pg_catalog.clock_timestamp() - interval '1 minute' AND pg_catalog.clock_timestamp() - interval '2 seconds';
  -- Nothing left to watch within the next minute: remove the watchdog (maintenance re-arms it).
  IF NOT EXISTS (SELECT 1 FROM pgdispatch._job AS j
                  WHERE j.status = 'running' AND j.timeout IS NOT NULL
                    AND j.started_at + j.timeout <= pg_catalog.clock_timestamp() + interval '65 seconds')
     AND NOT EXISTS (SELECT 1 FROM pgdispatch._job AS j
                      WHERE j.status IN ('timed_out', 'cancelled') AND j.runner_pid IS NOT NULL
                        AND j.finished_at > pg_catalog.clock_timestamp() - interval '5 seconds') THEN
    PERFORM pgdispatch._unschedule(c.jobid) FROM cron.job AS c
      WHERE c.jobname = 'pgdispatch_watchdog' AND c.username = CURRENT_USER;
  END IF;
  COMMIT;
END
