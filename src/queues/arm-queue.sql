-- A queue has room again (a job of it stopped running, it was resumed, its concurrency raised):
-- its due jobs that wait without a carrier (see _settle_carrier) get one, one per free place, in
-- the order a runner takes them. When the runner of the job that ended called (runner_settings is
-- its principal's), that runner takes its principal's next job itself: one place is left to it
-- (so a serial queue's jobs follow each other in one session), unless none of its principal's waits.
DECLARE
  room integer := pgdispatch._queue_room(queue_role, queue_sub, queue_name);
  armed integer;
BEGIN
  IF room = 0 THEN
    RETURN 0;
  END IF;
  -- Without a limit (resumed): as many as there are runner slots; they take the rest.
  room := coalesce(room, (SELECT s.max_runners FROM pgdispatch.settings AS s));
  IF runner_settings IS NOT NULL AND EXISTS (
       SELECT 1 FROM pgdispatch._job AS j
        WHERE j.role_oid = queue_role AND j.queue = queue_name AND j.status = 'scheduled'
          AND coalesce(j.sub, '') = coalesce(queue_sub, '') AND j.settings = runner_settings
          AND j.run_at <= pg_catalog.clock_timestamp()) THEN
    room := room - 1;
  END IF;
  IF room <= 0 THEN
    RETURN 0;
  END IF;
  WITH picked AS (
    SELECT j.id FROM pgdispatch._job AS j
     WHERE j.role_oid = queue_role AND j.queue = queue_name AND j.status = 'scheduled'
       AND coalesce(j.sub, '') = coalesce(queue_sub, '') AND j.carrier IS NULL
       AND j.run_at <= pg_catalog.clock_timestamp()
     ORDER BY j.priority, j.run_at, j.id
     LIMIT room
     FOR UPDATE SKIP LOCKED),
  armed_jobs AS (
    UPDATE pgdispatch._job AS j SET carrier = pgdispatch._arm(j.id, pg_catalog.clock_timestamp(), j.role_oid)
      FROM picked AS p WHERE j.id = p.id
    RETURNING j.id)
  SELECT pg_catalog.count(*)::integer INTO armed FROM armed_jobs;
  RETURN armed;
END
