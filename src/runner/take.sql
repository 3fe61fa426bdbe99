-- What a carrier's run does first: take the job it was made for, if that job is due and free.
DECLARE
  j pgdispatch._job;
  early interval;
BEGIN
  SELECT * INTO j FROM pgdispatch._job AS k WHERE k.id = job_id FOR UPDATE SKIP LOCKED;
  IF NOT FOUND THEN
    IF NOT EXISTS (SELECT 1 FROM pgdispatch._job AS k WHERE k.id = job_id) THEN
      -- The job was purged, or the carrier outlived an earlier install: remove the carrier.
      PERFORM pgdispatch._unschedule(c.jobid) FROM cron.job AS c
        WHERE c.jobname = 'pgdispatch_job_' || job_id::text AND c.username = CURRENT_USER;
    END IF;
    RETURN NULL;  -- otherwise another session holds it
  END IF;
  IF j.status = 'running' THEN
    IF pgdispatch._alive(j.runner_pid, j.runner_started) THEN
      RETURN NULL;
    END IF;
    PERFORM pgdispatch._record_failure(j, 'PD001',
      'interrupted: the session running this job ended before the job finished',
      'The server stopped or crashed, or the backend running the job was terminated; the command''s effects were rolled back.',
      'Make the command safe to run again and fire it with max_attempts > 1 to have it retried.', NULL);
    SELECT * INTO j FROM pgdispatch._job AS k WHERE k.id = job_id;
  END IF;
  IF j.status <> 'scheduled' THEN
    IF j.carrier IS NOT NULL THEN
      PERFORM pgdispatch._disarm(ARRAY[j.id]);  -- a finished job's leftover carrier
    END IF;
    RETURN NULL;
  END IF;
  early := j.run_at - pg_catalog.clock_timestamp();
  IF early > interval '2 seconds' THEN
    -- Too early: a restart restarted the carrier's countdown. Arm it again for the right time.
    PERFORM pgdispatch._unschedule(j.carrier);
    UPDATE pgdispatch._job AS k SET carrier = pgdispatch._arm(k.id, k.run_at) WHERE k.id = j.id;
    RETURN NULL;
  ELSIF early > interval '0' THEN
    PERFORM pg_catalog.pg_sleep(pg_catalog.date_part('epoch', early));
  END IF;
  RETURN pgdispatch._start(j, me_started);
END
