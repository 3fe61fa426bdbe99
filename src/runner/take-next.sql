-- A draining runner's next job: the oldest due one that no other session holds.
DECLARE
  j pgdispatch._job;
BEGIN
  SELECT * INTO j FROM pgdispatch._job AS k
   WHERE k.status = 'scheduled' AND k.run_at <= pg_catalog.clock_timestamp() AND k.role_oid = pgdispatch._served_role()
   ORDER BY k.run_at, k.id
   LIMIT 1
   FOR UPDATE SKIP LOCKED;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  RETURN pgdispatch._start(j, me_started);
END
