-- A runner that ends gives its slot back, and the carriers of jobs that waited for one are armed
-- (see _arm_waiting): they wait without holding a session or a pg_cron slot.
BEGIN
  PERFORM pgdispatch._fresh_transaction();
  -- Leaving: no job is promised to it (see _job_arm_at_commit), none rides on it (see _ride). A
  -- firer that promised it one, or rides on it, holds this row until its COMMIT: waited for
  -- here, so that _arm_waiting below sees that job (due, without a carrier) and arms it. Before
  -- the lock on _slot: a firer that keeps its transaction open then holds up only this session,
  -- never every role's claims and releases.
  PERFORM 1 FROM pgdispatch._runner_session AS s WHERE s.pid = pg_catalog.pg_backend_pid() FOR UPDATE;
  UPDATE pgdispatch._runner_session AS s SET idle_since = NULL, promised = NULL, leaving_at = pg_catalog.clock_timestamp()
   WHERE s.pid = pg_catalog.pg_backend_pid();
  LOCK TABLE pgdispatch._slot IN SHARE ROW EXCLUSIVE MODE;
  UPDATE pgdispatch._slot AS s SET pid = NULL, backend_start = NULL, role_oid = NULL
   WHERE s.pid = pg_catalog.pg_backend_pid();
  PERFORM pgdispatch._arm_waiting();
  -- Jobs of its principal left without a carrier (that rode on it, or were promised to it), and
  -- with no runner or carrier of their principal coming, when the free slots went to other
  -- roles: the role waits for a slot, as one whose carrier found none does (see
  -- _settle_carrier), so that runners of other roles leave for it (see _stay_warm, _over_share).
  INSERT INTO pgdispatch._waiting_role (role_oid, since)
  SELECT me.role_oid, pg_catalog.clock_timestamp() FROM pgdispatch._runner_session AS me
   WHERE me.pid = pg_catalog.pg_backend_pid()
     AND EXISTS (SELECT 1 FROM pgdispatch._job AS j
                  WHERE j.role_oid = me.role_oid AND j.status = 'scheduled' AND j.carrier IS NULL AND j.queue IS NULL
                    AND j.run_at <= pg_catalog.clock_timestamp() AND j.settings = me.settings)
     AND NOT EXISTS (SELECT 1 FROM pgdispatch._runner_session AS o
                      JOIN pgdispatch._slot AS t ON t.pid = o.pid AND t.backend_start = o.backend_start
                     WHERE o.role_oid = me.role_oid AND o.settings = me.settings AND o.leaving_at IS NULL)
     AND NOT EXISTS (SELECT 1 FROM pgdispatch._job AS c
                      WHERE c.role_oid = me.role_oid AND c.status = 'scheduled' AND c.carrier IS NOT NULL
                        AND c.run_at <= pg_catalog.clock_timestamp() AND c.settings = me.settings)
  ON CONFLICT (role_oid) DO NOTHING;
END
