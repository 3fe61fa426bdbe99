-- Due jobs whose carrier found no free slot gave their carrier up (see _settle_carrier) and wait,
-- holding nothing. Each free slot gets one of them armed, round-robin over roles, the role that
-- holds the fewest slots first, each role's most urgent (priority), then oldest job first: a role with a long queue does not
-- keep the others waiting. The caller holds the lock on _slot.
-- Jobs of a paused or full queue are not for a slot: they wait for their queue (see _arm_queue).
DECLARE
  free integer;
  armed integer;
  blocked text[] := pgdispatch._blocked_queues();
BEGIN
  -- Roles whose waiting jobs are gone (cancelled, taken) wait no more.
  DELETE FROM pgdispatch._waiting_role AS w
   WHERE NOT EXISTS (SELECT 1 FROM pgdispatch._job AS j
                      WHERE j.role_oid = w.role_oid AND j.status = 'scheduled' AND j.carrier IS NULL
                        AND j.run_at <= pg_catalog.clock_timestamp()
                        AND (j.queue IS NULL OR {{QUEUE_KEY:j}} <> ALL (blocked)));
  SELECT pg_catalog.count(*)::integer INTO free FROM pgdispatch._slot AS s
   WHERE s.pid IS NULL AND s.n <= (SELECT t.max_runners FROM pgdispatch.settings AS t);
  IF free = 0 THEN
    RETURN 0;
  END IF;
  WITH roles AS (
    SELECT r.role_oid, (SELECT pg_catalog.count(*) FROM pgdispatch._slot AS s WHERE s.role_oid = r.role_oid) AS held
      FROM (SELECT DISTINCT j.role_oid FROM pgdispatch._job AS j
             WHERE j.status = 'scheduled' AND j.carrier IS NULL AND j.run_at <= pg_catalog.clock_timestamp()
               AND (j.queue IS NULL OR {{QUEUE_KEY:j}} <> ALL (blocked))) AS r),
  picked AS (
    SELECT w.id FROM roles AS r
     CROSS JOIN LATERAL (
       SELECT j.id, j.run_at, pg_catalog.row_number() OVER (ORDER BY j.priority, j.run_at, j.id) AS k
         FROM pgdispatch._job AS j
        WHERE j.role_oid = r.role_oid AND j.status = 'scheduled' AND j.carrier IS NULL
          AND j.run_at <= pg_catalog.clock_timestamp()
          AND (j.queue IS NULL OR {{QUEUE_KEY:j}} <> ALL (blocked))
        ORDER BY j.priority, j.run_at, j.id LIMIT free) AS w
     ORDER BY r.held + w.k, w.run_at, w.id
     LIMIT free),
  -- Rows another transaction holds (a carrier settling its job) are skipped, never waited for:
  -- that one may be waiting for the lock on _slot that the caller holds.
  free_jobs AS (
    SELECT j.id FROM pgdispatch._job AS j WHERE j.id IN (SELECT p.id FROM picked AS p) AND j.carrier IS NULL
       FOR UPDATE SKIP LOCKED),
  armed_jobs AS (
    UPDATE pgdispatch._job AS j SET carrier = pgdispatch._arm(j.id, pg_catalog.clock_timestamp(), j.role_oid)
      FROM free_jobs AS f WHERE j.id = f.id
    RETURNING j.id)
  SELECT pg_catalog.count(*)::integer INTO armed FROM armed_jobs;
  RETURN armed;
END
