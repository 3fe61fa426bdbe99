-- After a schedule was defined, redefined, paused or resumed: the occurrence waiting under the old
-- definition (or of a paused schedule) is cancelled, and the first one of the new definition made.
-- Errors reach the caller (a quota, a command refused at fire time): schedule() fails whole.
DECLARE
  stale bigint;
BEGIN
  IF TG_OP = 'UPDATE' THEN
    IF NOT {{REDEFINED}} AND NEW.paused = OLD.paused THEN
      RETURN NULL;  -- run_schedule_now() only
    END IF;
    stale := NEW.pending_job;
    -- First, so that cancelling it does not make the next one (_occurrence_end).
    UPDATE pgdispatch._schedule AS k SET pending_job = NULL WHERE k.id = NEW.id;
    -- An occurrence a runner holds is starting: it waits for this schedule's row, which this
    -- transaction holds, so it is skipped here (no deadlock), and _occurrence_start cancels it.
    UPDATE pgdispatch._job AS j SET cancel_requested_at = pg_catalog.clock_timestamp()
     WHERE j.id IN (SELECT k.id FROM pgdispatch._job AS k
                     WHERE k.schedule_id = NEW.id AND k.status = 'scheduled' AND k.cancel_requested_at IS NULL
                       AND (k.id = stale OR (NEW.paused AND k.run_at = 'infinity'))
                     ORDER BY k.id FOR UPDATE SKIP LOCKED);
    UPDATE pgdispatch._job AS j SET error_message = CASE WHEN NEW.paused THEN 'cancelled: schedule paused' ELSE 'cancelled: schedule redefined' END
     WHERE j.schedule_id = NEW.id AND j.status = 'cancelled' AND j.error_sqlstate = '57014'
       AND j.finished_at >= pg_catalog.statement_timestamp() AND (j.id = stale OR j.run_at = 'infinity');
  END IF;
  IF NOT NEW.paused THEN
    PERFORM pgdispatch._schedule_chain(NEW.id, pg_catalog.clock_timestamp(), false, true);
  END IF;
  RETURN NULL;
END
