-- A draining runner's next job: the due one of lowest priority number, then oldest, of this
-- session's principal (see _runner_session) that no other session holds (see _take_due), which
-- is the one promised to it at a COMMIT (see _job_arm_at_commit) unless another comes first.
-- Finding none, the session is idle: jobs of its principal may be promised to it from then on.
DECLARE
  bound pgdispatch._runner_session;
  j pgdispatch._job;
BEGIN
  PERFORM pgdispatch._fresh_transaction();
  SELECT * INTO bound FROM pgdispatch._runner_session AS s
   WHERE s.pid = pg_catalog.pg_backend_pid()
     AND s.backend_start = (SELECT a.backend_start FROM pg_catalog.pg_stat_get_activity(pg_catalog.pg_backend_pid()) AS a)
     AND s.role_oid = pgdispatch._served_role();
  IF NOT FOUND THEN
    RETURN NULL;  -- a session drains only after it took the job its carrier was made for
  END IF;
  IF pgdispatch._over_share(bound.role_oid) THEN
    RETURN NULL;
  END IF;
  j := pgdispatch._take_due(bound.role_oid, bound.settings, interval '2 seconds', bound.backend_start);
  IF j.id IS NULL AND (bound.idle_since IS NULL OR bound.promised IS NOT NULL) THEN
    IF bound.promised IS NOT NULL THEN
      PERFORM pgdispatch._pass_promise(bound.promised);  -- (held elsewhere, or gone)
    END IF;
    -- Idle from now (_start ends it, and the promise, when it takes a job). A firer whose job
    -- rides on this runner holds its row until its COMMIT (see _ride): waited for, so that the
    -- runner, idle, polls for that job or, leaving, arms it.
    PERFORM 1 FROM pgdispatch._runner_session AS s WHERE s.pid = bound.pid FOR UPDATE;
    UPDATE pgdispatch._runner_session AS s SET idle_since = coalesce(s.idle_since, pg_catalog.clock_timestamp()), promised = NULL
     WHERE s.pid = bound.pid;
  END IF;
  RETURN j;
END
