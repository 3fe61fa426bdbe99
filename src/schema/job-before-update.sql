-- cancel() and cancel_by_label() set cancel_requested_at on the caller's own rows (row-level
-- security decides which); this trigger, running as the owner, makes the cancel happen.
BEGIN
  IF NEW.cancel_requested_at IS NOT NULL AND OLD.cancel_requested_at IS NULL
     AND OLD.status IN ('scheduled', 'running') THEN
    NEW.status := 'cancelled';
    NEW.finished_at := pg_catalog.clock_timestamp();
    NEW.error_sqlstate := '57014';
    NEW.error_message := 'cancelled by pgdispatch.cancel()';
    -- The carrier goes now, unless its run is in progress: that run removes it when it ends.
    IF OLD.carrier IS NOT NULL AND OLD.id <> ALL (pgdispatch._busy_carriers()) THEN
      PERFORM pgdispatch._disarm_carriers(OLD.role_oid, ARRAY[OLD.carrier]);
      NEW.carrier := NULL;
    END IF;
    IF OLD.status = 'running' THEN
      -- Interrupt the command only while its runner is still on this job; the runner waits for
      -- this row's lock before recording anything, so it will see 'cancelled' and roll back.
      PERFORM pg_catalog.pg_cancel_backend(a.pid)
         FROM pg_catalog.pg_stat_activity AS a
        WHERE a.pid = OLD.runner_pid AND a.backend_start = OLD.runner_started
          AND a.application_name = 'pgdispatch job ' || OLD.id::text;
    END IF;
  END IF;
  RETURN NEW;
END
