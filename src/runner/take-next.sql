-- A draining runner's next job: the due one of lowest priority number, then oldest, of this
-- session's principal (see _runner_session) that no other session holds (see _take_due).
DECLARE
  bound pgdispatch._runner_session;
BEGIN
  PERFORM pgdispatch._fresh_transaction();
  SELECT * INTO bound FROM pgdispatch._runner_session AS s
   WHERE s.pid = pg_catalog.pg_backend_pid()
     AND s.backend_start = (SELECT a.backend_start FROM pg_catalog.pg_stat_get_activity(pg_catalog.pg_backend_pid()) AS a)
     AND s.role_oid = pgdispatch._served_role();
  IF NOT FOUND THEN
    RETURN NULL;  -- a session drains only after it took the job its carrier was made for
  END IF;
  -- Over its share while another role waits: stop, so that this slot goes to that role.
  IF EXISTS (SELECT 1 FROM pgdispatch._waiting_role AS w WHERE w.role_oid <> bound.role_oid)
     AND (SELECT pg_catalog.count(*) FROM pgdispatch._slot AS s WHERE s.pid IS NOT NULL AND s.role_oid = bound.role_oid)
         > pgdispatch._fair_share(bound.role_oid) THEN
    RETURN NULL;
  END IF;
  RETURN pgdispatch._take_due(bound.role_oid, bound.settings);
END
