-- A role's fair share is max_runners divided among the roles that want slots now (those holding
-- one, and those with due jobs waiting for one), at least one each.
DECLARE
  served oid := pgdispatch._served_role();
  me_started timestamptz := (SELECT a.backend_start FROM pg_catalog.pg_stat_get_activity(pg_catalog.pg_backend_pid()) AS a);
  max_runners integer := (SELECT s.max_runners FROM pgdispatch.settings AS s);
  roles integer;
  mine integer;
  free integer;
BEGIN
  IF served IS NULL THEN
    RETURN false;
  END IF;
  -- One claim or release at a time: the count and the claim must agree.
  LOCK TABLE pgdispatch._slot IN SHARE ROW EXCLUSIVE MODE;
  -- Slots of sessions that ended however they ended are free.
  UPDATE pgdispatch._slot AS s SET pid = NULL, backend_start = NULL, role_oid = NULL
   WHERE s.pid IS NOT NULL AND NOT pgdispatch._alive(s.pid, s.backend_start);
  IF EXISTS (SELECT 1 FROM pgdispatch._slot AS s WHERE s.pid = pg_catalog.pg_backend_pid() AND s.backend_start = me_started) THEN
    RETURN true;
  END IF;
  SELECT pg_catalog.count(*) FILTER (WHERE s.role_oid = served) INTO mine FROM pgdispatch._slot AS s WHERE s.pid IS NOT NULL;
  SELECT pg_catalog.count(*) INTO roles FROM (
    SELECT s.role_oid FROM pgdispatch._slot AS s WHERE s.pid IS NOT NULL
    UNION
    SELECT j.role_oid FROM pgdispatch._job AS j
     WHERE j.status = 'scheduled' AND j.carrier IS NULL AND j.run_at <= pg_catalog.clock_timestamp()
    UNION
    SELECT served) AS r;
  IF mine >= GREATEST(1, max_runners / roles) THEN
    RETURN false;
  END IF;
  UPDATE pgdispatch._slot AS s SET pid = pg_catalog.pg_backend_pid(), backend_start = me_started, role_oid = served
   WHERE s.n = (SELECT f.n FROM pgdispatch._slot AS f WHERE f.pid IS NULL AND f.n <= max_runners ORDER BY f.n LIMIT 1);
  RETURN FOUND;
END
