-- Called by the maintenance job once a minute: every schedule that is not paused but has no
-- occurrence waiting (making it failed on a quota or revoked usage, or an admin deleted it) gets
-- one. If its time passed meanwhile, misfire decides: one catch-up now ('run_once') or none.
-- Returns how many were made.
DECLARE
  s record;
  made integer := 0;
  now_ts timestamptz := pg_catalog.clock_timestamp();
  missed boolean;
BEGIN
  FOR s IN SELECT k.id, k.next_run_at, k.misfire, k.expression, k.time_zone FROM pgdispatch._schedule AS k
            WHERE NOT k.paused
              AND NOT EXISTS (SELECT 1 FROM pgdispatch._job AS j WHERE j.id = k.pending_job AND j.status = 'scheduled')
              AND EXISTS (SELECT 1 FROM pg_catalog.pg_roles AS r WHERE r.oid = k.role_oid)
            ORDER BY k.id FOR UPDATE SKIP LOCKED LOOP
    missed := s.next_run_at IS NOT NULL AND pgdispatch._next_occurrence(s.expression, s.time_zone, s.next_run_at) <= now_ts;
    IF pgdispatch._schedule_chain(s.id, CASE WHEN missed OR s.next_run_at IS NULL THEN now_ts ELSE s.next_run_at END,
                                  missed AND s.misfire = 'run_once', false) IS NOT NULL THEN
      made := made + 1;
    END IF;
  END LOOP;
  RETURN made;
END
