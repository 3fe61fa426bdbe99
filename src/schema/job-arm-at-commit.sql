-- A new job's carrier is scheduled when its transaction commits (a deferred constraint trigger),
-- not when the job is fired: pg_cron starts a carrier's countdown when its launcher loads it,
-- after the commit, so a carrier armed at fire time would start late by as long as the firing
-- transaction then ran. Rows of one burst mostly find their principal's share of carriers made
-- and ride on them (see _ride), ending here after reading one setting.
DECLARE
  cron_job bigint;
  due_at timestamptz := NEW.run_at;
BEGIN
  -- Rows restored from a dump belong to no role until _rehome binds them (and arms them).
  IF NEW.status <> 'scheduled' OR NEW.role_oid = 0 THEN
    RETURN NULL;
  END IF;
  -- Waiting for other jobs: some may have finished since it was fired, unseen (see
  -- _after_recount); released now if none is left.
  IF NEW.after_left IS NOT NULL THEN
    due_at := pgdispatch._after_recount(NEW.id, true);
    IF due_at IS NULL THEN
      RETURN NULL;
    END IF;
  END IF;
  -- Due in a paused or full queue: it waits for a place, holding nothing (see _arm_queue).
  IF NEW.queue IS NOT NULL AND due_at <= pg_catalog.clock_timestamp()
     AND pgdispatch._queue_room(NEW.role_oid, NEW.sub, NEW.queue) = 0 THEN
    RETURN NULL;
  END IF;
  -- Due now while a runner of its principal idles (it lingers after draining, see _stay_warm): it
  -- is promised to that runner, which takes it within milliseconds (see _take_next), and gets no
  -- carrier. The runner's row stays locked until this COMMIT: leaving, the runner waits for it
  -- and then arms the job (see _release_slot). One promise at a time per runner; a row another
  -- firer holds is passed over. Not for a queue's job: only _take_due keeps a queue's limit.
  IF NEW.queue IS NULL AND due_at <= pg_catalog.clock_timestamp() THEN
    UPDATE pgdispatch._runner_session AS s SET promised = NEW.id
     WHERE s.pid = (SELECT r.pid FROM pgdispatch._runner_session AS r
                     WHERE r.role_oid = NEW.role_oid AND r.settings = NEW.settings
                       AND r.idle_since IS NOT NULL AND r.promised IS NULL
                       AND EXISTS (SELECT 1 FROM pg_catalog.pg_stat_get_activity(r.pid) AS a WHERE a.backend_start = r.backend_start)
                     LIMIT 1 FOR UPDATE SKIP LOCKED);
    IF FOUND THEN
      RETURN NULL;
    END IF;
    -- Or its principal has its fair share of runners and carriers coming already: it rides on
    -- them (see _ride).
    IF pgdispatch._ride(NEW.role_oid, NEW.settings) THEN
      RETURN NULL;
    END IF;
  END IF;
  cron_job := pgdispatch._arm(NEW.id, due_at, NEW.role_oid);
  IF cron_job IS NOT NULL THEN
    -- The job as it is now: cancelled, or given a carrier otherwise, since it was inserted.
    UPDATE pgdispatch._job AS j SET carrier = cron_job
     WHERE j.id = NEW.id AND j.status = 'scheduled' AND j.carrier IS NULL;
    IF NOT FOUND THEN
      PERFORM pgdispatch._disarm_carriers(NEW.role_oid, ARRAY[cron_job]);
    END IF;
  END IF;
  RETURN NULL;
END
