-- A runner that ends gives its slot back, and the carriers of jobs that waited for one are armed
-- (see _arm_waiting): they wait without holding a session or a pg_cron slot.
BEGIN
  PERFORM pgdispatch._fresh_transaction();
  -- Idle no more, so that no job is promised to it (see _job_arm_at_commit). A firer promising it
  -- one holds this row until its COMMIT: waited for here, so that _arm_waiting below sees that job
  -- (due, without a carrier) and arms it. Before the lock on _slot: a firer that keeps its
  -- transaction open then holds up only this session, never every role's claims and releases.
  UPDATE pgdispatch._runner_session AS s SET idle_since = NULL, promised = NULL
   WHERE s.pid = pg_catalog.pg_backend_pid() AND (s.idle_since IS NOT NULL OR s.promised IS NOT NULL);
  LOCK TABLE pgdispatch._slot IN SHARE ROW EXCLUSIVE MODE;
  UPDATE pgdispatch._slot AS s SET pid = NULL, backend_start = NULL, role_oid = NULL
   WHERE s.pid = pg_catalog.pg_backend_pid();
  PERFORM pgdispatch._arm_waiting();
END
