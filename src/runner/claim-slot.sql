-- A role may hold its fair share of the slots (see _fair_share).
DECLARE
  served oid := pgdispatch._served_role();
  me_started timestamptz := (SELECT a.backend_start FROM pg_catalog.pg_stat_get_activity(pg_catalog.pg_backend_pid()) AS a);
  max_runners integer := (SELECT s.max_runners FROM pgdispatch.settings AS s);
  mine integer;
BEGIN
  PERFORM pgdispatch._fresh_transaction();
  IF served IS NULL THEN
    RETURN false;
  END IF;
  -- One claim or release at a time: the count and the claim must agree.
  LOCK TABLE pgdispatch._slot IN SHARE ROW EXCLUSIVE MODE;
  -- Slots of sessions that ended however they ended are free.
  -- (PostgreSQL keeps one view of the sessions per transaction, maybe taken before the lock was
  -- granted: a session that claimed a slot meanwhile would look dead.)
  PERFORM pg_catalog.pg_stat_clear_snapshot();
  UPDATE pgdispatch._slot AS s SET pid = NULL, backend_start = NULL, role_oid = NULL
   WHERE s.pid IS NOT NULL AND NOT pgdispatch._alive(s.pid, s.backend_start);
  IF EXISTS (SELECT 1 FROM pgdispatch._slot AS s WHERE s.pid = pg_catalog.pg_backend_pid() AND s.backend_start = me_started) THEN
    RETURN true;
  END IF;
  SELECT pg_catalog.count(*) INTO mine FROM pgdispatch._slot AS s WHERE s.pid IS NOT NULL AND s.role_oid = served;
  IF mine >= pgdispatch._fair_share(served) THEN
    RETURN false;
  END IF;
  UPDATE pgdispatch._slot AS s SET pid = pg_catalog.pg_backend_pid(), backend_start = me_started, role_oid = served
   WHERE s.n = (SELECT f.n FROM pgdispatch._slot AS f WHERE f.pid IS NULL AND f.n <= max_runners ORDER BY f.n LIMIT 1);
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  DELETE FROM pgdispatch._waiting_role AS w WHERE w.role_oid = served;
  RETURN true;
END
