-- A runner that ends gives its slot back, and the carriers of jobs that waited for one are armed
-- (see _arm_waiting): they wait without holding a session or a pg_cron slot.
BEGIN
  PERFORM pgdispatch._fresh_transaction();
  LOCK TABLE pgdispatch._slot IN SHARE ROW EXCLUSIVE MODE;
  UPDATE pgdispatch._slot AS s SET pid = NULL, backend_start = NULL, role_oid = NULL
   WHERE s.pid = pg_catalog.pg_backend_pid();
  PERFORM pgdispatch._arm_waiting();
END
