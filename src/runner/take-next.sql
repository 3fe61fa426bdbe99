-- A draining runner's next job: the oldest due one of this session's principal (see
-- _runner_session) that no other session holds, or one coming due within two seconds.
DECLARE
  j pgdispatch._job;
  bound pgdispatch._runner_session;
  now_ts timestamptz;
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
  -- Also one due within two seconds, waited for here: jobs of one second share their carriers
  -- (see _arm), so the ones without a carrier are this session's to start on time.
  now_ts := pg_catalog.clock_timestamp();
  SELECT * INTO j FROM pgdispatch._job AS k
   WHERE k.status = 'scheduled' AND k.run_at <= now_ts + interval '2 seconds'
     AND k.role_oid = bound.role_oid AND k.settings = bound.settings
   ORDER BY k.run_at, k.id
   LIMIT 1
   FOR UPDATE SKIP LOCKED;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  IF j.run_at > now_ts THEN
    PERFORM pg_catalog.pg_sleep(pg_catalog.date_part('epoch', j.run_at - now_ts));
  END IF;
  RETURN pgdispatch._start(j);
END
