-- The last act of a carrier's run: remove its own carrier if its job has finished or is gone, or
-- arm it again if the job is not due for a while (a retry's backoff, a restart that restarted the
-- countdown). Removing its own pg_cron job makes pg_cron drop this session's connection, so
-- nothing may follow this call but the end of the run. A runner settles only its own role's.
DECLARE
  served oid := pgdispatch._served_role();
  j pgdispatch._job;
  stray bigint[];
BEGIN
  PERFORM pgdispatch._fresh_transaction();
  SELECT * INTO j FROM pgdispatch._job AS k WHERE k.id = job_id AND (served IS NULL OR k.role_oid = served) FOR UPDATE;
  IF FOUND AND j.status = 'running' AND NOT pgdispatch._alive(j.runner_pid, j.runner_started) THEN
    -- Its session ended mid-job, and this run found no free slot to take it (see _take): recorded
    -- now all the same, so that slots held by other sessions do not keep it 'running'.
    PERFORM pgdispatch._record_interrupted(j);
    SELECT * INTO j FROM pgdispatch._job AS k WHERE k.id = job_id;
  END IF;
  IF NOT FOUND THEN
    IF served IS NOT NULL THEN
      EXECUTE pg_catalog.format('SELECT pg_catalog.array_agg(c.jobid) FROM pgdispatch_exec.%I() AS c WHERE c.jobname = $1', 'carriers_' || served::text)
         INTO stray USING 'pgdispatch_job_' || job_id::text;
      PERFORM pgdispatch._disarm_carriers(served, stray);
    END IF;
  ELSIF j.carrier IS NULL THEN
    RETURN;
  ELSIF j.status IN {{STATUSES:finished}} THEN
    PERFORM pgdispatch._disarm_carriers(j.role_oid, ARRAY[j.carrier]);
    UPDATE pgdispatch._job AS k SET carrier = NULL WHERE k.id = j.id;
  ELSIF j.status = 'scheduled' AND j.run_at > pg_catalog.clock_timestamp() + interval '2 seconds' THEN
    PERFORM pgdispatch._disarm_carriers(j.role_oid, ARRAY[j.carrier]);
    UPDATE pgdispatch._job AS k SET carrier = pgdispatch._arm(k.id, k.run_at, k.role_oid) WHERE k.id = j.id;
  ELSIF j.status = 'scheduled' AND j.run_at <= pg_catalog.clock_timestamp() THEN
    -- Due, and not run: no runner slot was free for its role. (Due within two seconds, a retry
    -- say: the carrier stays, and its next run waits for the time.) It gives its carrier up and waits
    -- holding nothing, until a runner that ends arms it again (see _arm_waiting).
    -- Or its queue is paused or full: it waits, holding nothing, until a place frees (see
    -- _arm_queue); no slot is asked for.
    IF j.queue IS NOT NULL AND pgdispatch._queue_room(j.role_oid, j.sub, j.queue) = 0 THEN
      PERFORM pgdispatch._disarm_carriers(j.role_oid, ARRAY[j.carrier]);
      UPDATE pgdispatch._job AS k SET carrier = NULL WHERE k.id = j.id;
      RETURN;
    END IF;
    LOCK TABLE pgdispatch._slot IN SHARE ROW EXCLUSIVE MODE;
    PERFORM pgdispatch._disarm_carriers(j.role_oid, ARRAY[j.carrier]);
    UPDATE pgdispatch._job AS k SET carrier = NULL WHERE k.id = j.id;
    INSERT INTO pgdispatch._waiting_role (role_oid, since) VALUES (j.role_oid, pg_catalog.clock_timestamp())
      ON CONFLICT (role_oid) DO NOTHING;
    PERFORM pgdispatch._arm_waiting();  -- a slot freed since this run looked
  END IF;
END
