-- What a carrier's run does first: take the job it was made for, if that job is due and free, or
-- else another due job of the same principal.
-- A job found running in a session that is gone was interrupted: record that first.
DECLARE
  j pgdispatch._job;
  now_ts timestamptz;
  me_started timestamptz;
BEGIN
  PERFORM pgdispatch._fresh_transaction();
  SELECT a.backend_start INTO me_started FROM pg_catalog.pg_stat_get_activity(pg_catalog.pg_backend_pid()) AS a;
  -- Only a job of the role this session's runner identity serves.
  SELECT * INTO j FROM pgdispatch._job AS k
   WHERE k.id = job_id AND k.role_oid = pgdispatch._served_role() FOR UPDATE SKIP LOCKED;
  IF NOT FOUND THEN
    -- Gone (_settle_carrier deals with the carrier), or another session holds it: a runner of
    -- the same second took it (see _arm). Then this one helps with the other due jobs of the
    -- same principal, as that one does, rather than leave a burst to fewer sessions.
    SELECT * INTO j FROM pgdispatch._job AS k WHERE k.id = job_id AND k.role_oid = pgdispatch._served_role();
    RETURN CASE WHEN FOUND THEN pgdispatch._take_due(j.role_oid, j.settings, interval '2 seconds', me_started) END;
  END IF;
  IF j.status = 'running' THEN
    IF pgdispatch._alive(j.runner_pid, j.runner_started) THEN
      RETURN pgdispatch._take_due(j.role_oid, j.settings, interval '2 seconds', me_started);
    END IF;
    PERFORM pgdispatch._record_interrupted(j);
    SELECT * INTO j FROM pgdispatch._job AS k WHERE k.id = job_id;
  END IF;
  -- Compared before subtracting: run_at may be infinity.
  now_ts := pg_catalog.clock_timestamp();
  IF j.status <> 'scheduled' THEN
    RETURN pgdispatch._take_due(j.role_oid, j.settings, interval '2 seconds', me_started);  -- done already by a runner of its second
  ELSIF j.run_at > now_ts + interval '2 seconds' THEN
    RETURN NULL;  -- not due yet: _settle_carrier re-arms the carrier
  ELSIF j.run_at > now_ts THEN
    PERFORM pg_catalog.pg_sleep(pg_catalog.date_part('epoch', j.run_at - now_ts));
  END IF;
  -- Its principal's most urgent due job (priority), which is this one unless another comes first.
  RETURN pgdispatch._take_due(j.role_oid, j.settings, interval '2 seconds', me_started);
END
