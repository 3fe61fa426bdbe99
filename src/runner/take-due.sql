-- The next due job of a principal (role and carried settings; lower priority numbers first, then
-- the oldest) that no other session holds, or
-- one due within two seconds, waited for here: jobs of one second share their carriers (see
-- _arm), so those without one are for the runners of the others to start on time. Started in
-- this session, which _start binds to that principal (or refuses, if it serves another).
DECLARE
  j pgdispatch._job;
  now_ts timestamptz := pg_catalog.clock_timestamp();
BEGIN
  -- Due now: by priority (lower first), then time.
  SELECT * INTO j FROM pgdispatch._job AS k
   WHERE k.status = 'scheduled' AND k.run_at <= now_ts
     AND k.role_oid = principal_role AND k.settings = principal_settings
   ORDER BY k.priority, k.run_at, k.id
   LIMIT 1
   FOR UPDATE SKIP LOCKED;
  IF NOT FOUND THEN
    -- Else the next one due within two seconds, whatever its priority.
    SELECT * INTO j FROM pgdispatch._job AS k
     WHERE k.status = 'scheduled' AND k.run_at > now_ts AND k.run_at <= now_ts + interval '2 seconds'
       AND k.role_oid = principal_role AND k.settings = principal_settings
     ORDER BY k.run_at, k.priority, k.id
     LIMIT 1
     FOR UPDATE SKIP LOCKED;
    IF NOT FOUND THEN
      RETURN NULL;
    END IF;
  END IF;
  IF j.run_at > now_ts THEN
    PERFORM pg_catalog.pg_sleep(pg_catalog.date_part('epoch', j.run_at - now_ts));
  END IF;
  RETURN pgdispatch._start(j);
END
