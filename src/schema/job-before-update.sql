-- cancel() and cancel_by_label() set cancel_requested_at on the caller's own rows (row-level
-- security decides which); this trigger, running as the owner, makes the cancel happen.
-- It also holds a result to its role's max_result_bytes quota when the runner records it.
DECLARE
  max_bytes integer;
BEGIN
  -- A result larger than the quota keeps its first rows that fit (as JSON text, with the ", "
  -- between them), in order, and says truncated; row_count stays the exact count.
  IF NEW.rows IS NOT NULL AND NEW.rows IS DISTINCT FROM OLD.rows THEN
    max_bytes := coalesce((SELECT q.max_result_bytes FROM pgdispatch.role_quotas AS q WHERE q.role = NEW.role_oid),
                          (SELECT s.max_result_bytes FROM pgdispatch.settings AS s));
    IF pg_catalog.octet_length(NEW.rows::text) > max_bytes THEN
      IF pg_catalog.jsonb_typeof(NEW.rows) = 'array' THEN
        SELECT coalesce(pg_catalog.jsonb_agg(k.e ORDER BY k.i), '[]') INTO NEW.rows
          FROM (SELECT t.e, t.i, pg_catalog.sum(pg_catalog.octet_length(t.e::text) + 2) OVER (ORDER BY t.i) AS upto
                  FROM pg_catalog.jsonb_array_elements(NEW.rows) WITH ORDINALITY AS t(e, i)) AS k
         WHERE k.upto <= max_bytes;
      ELSE
        NEW.rows := NULL;
      END IF;
      NEW.truncated := true;
    END IF;
  END IF;
  -- A job's own command cancelling it: signalling this very session would end in an error that
  -- counts as a failed attempt (and a retry). An error of its own instead, which the runner
  -- records as the cancel it is (see _execute), the command's effects rolled back.
  IF NEW.cancel_requested_at IS NOT NULL AND OLD.cancel_requested_at IS NULL AND OLD.status = 'running'
     AND NEW.status = 'running' AND OLD.runner_pid = pg_catalog.pg_backend_pid() THEN
    RAISE EXCEPTION 'pg_dispatch: job % cancelled itself', OLD.id
      USING ERRCODE = '{{ERR:cancelled_itself}}',
            HINT = 'The job ends cancelled and its effects roll back; to end it early but keep its effects, return from the command instead.';
  END IF;
  IF NEW.cancel_requested_at IS NOT NULL AND OLD.cancel_requested_at IS NULL
     AND OLD.status IN {{STATUSES:unfinished}} THEN
    NEW.status := 'cancelled';
    NEW.finished_at := pg_catalog.clock_timestamp();
    NEW.error_sqlstate := '57014';
    NEW.error_message := 'cancelled by pgdispatch.cancel()';
    IF OLD.key IS NOT NULL THEN
      -- A fire of its key later in this transaction must not find it (see fire_at()).
      PERFORM pg_catalog.set_config('pgdispatch.key_memo', '', true);
    END IF;
    -- The carrier goes now, unless its run is in progress: that run removes it when it ends.
    IF OLD.carrier IS NOT NULL AND OLD.id <> ALL (pgdispatch._busy_carriers()) THEN
      PERFORM pgdispatch._disarm_carriers(OLD.role_oid, ARRAY[OLD.carrier]);
      NEW.carrier := NULL;
    END IF;
    IF OLD.status = 'running' AND OLD.runner_pid IS DISTINCT FROM pg_catalog.pg_backend_pid() THEN
      -- Interrupt the command only while its runner is still on this job; the runner waits for
      -- this row's lock before recording anything, so it will see 'cancelled' and roll back.
      PERFORM pgdispatch._stop_runner(OLD.id, OLD.runner_pid, OLD.runner_started, false);
      -- A command that catches the cancel is ended by the watchdog.
      PERFORM pgdispatch._ensure_watchdog();
    END IF;
  END IF;
  RETURN NEW;
END
