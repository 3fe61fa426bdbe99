-- The next due job of a principal (role and carried settings; lower priority numbers first, then
-- the oldest) that no other session holds, or
-- one due within `within` (two seconds for a runner between jobs), waited for here: jobs of one
-- second share their carriers (see _arm), so those without one are for the runners of the others
-- to start on time. A runner that takes its next job in the transaction of its last (see _execute)
-- waits for none (`within` zero): that transaction holds the last job's outcome. Started in
-- this session (me_started: see _start), which _start binds to that principal (or refuses, if it
-- serves another).
-- Jobs of a queue that is paused or full are passed over (see _queue_room): to start one of a
-- limited queue, the queue's row is locked and its running jobs counted under that lock, so that
-- two runners never both take its last free place. A row locked elsewhere (a runner starting
-- one, or its role) is passed over too, never waited for.
DECLARE
  j pgdispatch._job;
  now_ts timestamptz;
  -- Queues found paused or full, by key (see _blocked_queues), learnt as their jobs come up: a
  -- principal without queue jobs never reads _queue.
  blocked text[] := '{}';
  q pgdispatch._queue;
BEGIN
  LOOP
    now_ts := pg_catalog.clock_timestamp();
    -- Due now: by priority (lower first), then time.
    SELECT * INTO j FROM pgdispatch._job AS k
     WHERE k.status = 'scheduled' AND k.run_at <= now_ts
       AND k.role_oid = principal_role AND k.settings = principal_settings
       AND (k.queue IS NULL OR {{QUEUE_KEY}} <> ALL (blocked))
     ORDER BY k.priority, k.run_at, k.id
     LIMIT 1
     FOR UPDATE SKIP LOCKED;
    IF NOT FOUND THEN
      IF within <= interval '0' THEN
        RETURN NULL;
      END IF;
      -- Else the next one due within `within`, whatever its priority.
      SELECT * INTO j FROM pgdispatch._job AS k
       WHERE k.status = 'scheduled' AND k.run_at > now_ts AND k.run_at <= now_ts + within
         AND k.role_oid = principal_role AND k.settings = principal_settings
         AND (k.queue IS NULL OR {{QUEUE_KEY}} <> ALL (blocked))
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
    IF j.queue IS NULL THEN
      RETURN pgdispatch._start(j, me_started);
    END IF;
    SELECT * INTO q FROM pgdispatch._queue AS k
     WHERE k.role_oid = j.role_oid AND k.sub = coalesce(j.sub, '') AND k.name = j.queue;
    IF NOT FOUND OR (NOT q.paused AND q.concurrency IS NULL) THEN
      RETURN pgdispatch._start(j, me_started);
    END IF;
    IF NOT q.paused THEN
      SELECT * INTO q FROM pgdispatch._queue AS k
       WHERE k.role_oid = j.role_oid AND k.sub = coalesce(j.sub, '') AND k.name = j.queue
         FOR UPDATE SKIP LOCKED;
      IF FOUND AND NOT q.paused AND (q.concurrency IS NULL OR q.concurrency >
           (SELECT pg_catalog.count(*) FROM pgdispatch._job AS r
             WHERE r.role_oid = j.role_oid AND r.queue = j.queue AND r.status = 'running' AND coalesce(r.sub, '') = coalesce(j.sub, ''))) THEN
        RETURN pgdispatch._start(j, me_started);
      END IF;
    END IF;
    blocked := blocked || (j.role_oid::text || E'\x1f' || coalesce(j.sub, '') || E'\x1f' || j.queue);
  END LOOP;
END
