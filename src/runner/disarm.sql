-- Removes the carriers of finished jobs in one transaction: pg_cron's launcher reloads its whole
-- job table after every transaction that changed it, so a burst's carriers go in batches. A
-- runner (the caller's session user is a runner identity) may remove only its own role's.
DECLARE
  served oid := pgdispatch._served_role();
  busy bigint[] := pgdispatch._busy_carriers();
  batch record;
  removed integer := 0;
BEGIN
  PERFORM pgdispatch._fresh_transaction();
  FOR batch IN
    WITH cleared AS (
      UPDATE pgdispatch._job AS j SET carrier = NULL
        FROM (SELECT k.id, k.carrier FROM pgdispatch._job AS k
               WHERE k.id = ANY (job_ids) AND k.carrier IS NOT NULL AND k.id <> ALL (busy)
                 AND (served IS NULL OR k.role_oid = served)
               ORDER BY k.id FOR UPDATE OF k) AS old
       WHERE j.id = old.id
      RETURNING j.role_oid, old.carrier)
    SELECT c.role_oid, pg_catalog.array_agg(c.carrier) AS carriers FROM cleared AS c GROUP BY c.role_oid
  LOOP
    PERFORM pgdispatch._disarm_carriers(batch.role_oid, batch.carriers);
    removed := removed + pg_catalog.cardinality(batch.carriers);
  END LOOP;
  RETURN removed;
END
