-- Records a failed attempt of a running job: scheduled again after a backoff while attempts
-- remain, otherwise failed. A job that was cancelled or timed out meanwhile keeps that status.
-- Returns the job's status afterwards.
DECLARE
  current_status text;
  retry_at timestamptz;
BEGIN
  -- Waits for a cancelling transaction to end, so that its verdict is the one seen here.
  SELECT k.status INTO current_status FROM pgdispatch._job AS k WHERE k.id = job.id FOR UPDATE;
  IF current_status IS DISTINCT FROM 'running' THEN
    RETURN current_status;
  END IF;
  -- Cancelled past its time limit, and the watchdog's verdict not written (it skips a row another
  -- transaction holds, e.g. the maintenance job's recovery pass, and signals anyway): a timeout.
  IF e_sqlstate = '57014' AND job.timeout IS NOT NULL AND job.started_at + job.timeout <= pg_catalog.clock_timestamp() THEN
    UPDATE pgdispatch._job AS k
       SET status = 'timed_out', finished_at = pg_catalog.clock_timestamp(), error_sqlstate = '57014',
           error_message = pg_catalog.format('timed out: the job ran longer than its timeout of %s', k.timeout)
     WHERE k.id = job.id;
    RETURN 'timed_out';
  END IF;
  UPDATE pgdispatch._job AS k
     SET attempt_log = k.attempt_log || pg_catalog.jsonb_build_object(
           'attempt', k.attempts, 'started_at', k.started_at, 'failed_at', pg_catalog.clock_timestamp(),
           'sqlstate', e_sqlstate, 'message', e_message)
   WHERE k.id = job.id;
  IF job.attempts < job.max_attempts THEN
    retry_at := pg_catalog.clock_timestamp()
      + (SELECT s.retry_base_delay FROM pgdispatch.settings AS s) * pg_catalog.power(2, job.attempts - 1);
    UPDATE pgdispatch._job AS k
       SET status = 'scheduled', run_at = retry_at, runner_pid = NULL, runner_started = NULL,
           error_sqlstate = e_sqlstate, error_message = e_message, error_detail = e_detail,
           error_hint = e_hint, error_context = e_context
     WHERE k.id = job.id;
    -- The carrier stays: its next run finds the job not yet due and re-arms it for the retry's
    -- time (see _settle_carrier); a job without one is armed by the maintenance job.
    RETURN 'scheduled';
  END IF;
  UPDATE pgdispatch._job AS k
     SET status = 'failed', finished_at = pg_catalog.clock_timestamp(),
         error_sqlstate = e_sqlstate, error_message = e_message, error_detail = e_detail,
         error_hint = e_hint, error_context = e_context
   WHERE k.id = job.id;
  RETURN 'failed';
END
