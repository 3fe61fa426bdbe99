-- unschedule(): occurrences not yet started (waiting, or queued behind a running one) are
-- cancelled; a running one finishes. Jobs keep their schedule_id as history.
BEGIN
  -- (One a runner holds is starting, and waits for this row: skipped, _occurrence_start cancels it.)
  UPDATE pgdispatch._job AS j SET cancel_requested_at = pg_catalog.clock_timestamp()
   WHERE j.id IN (SELECT k.id FROM pgdispatch._job AS k
                   WHERE k.schedule_id = OLD.id AND k.status = 'scheduled' AND k.cancel_requested_at IS NULL
                   ORDER BY k.id FOR UPDATE SKIP LOCKED);
  UPDATE pgdispatch._job AS j SET error_message = 'cancelled: schedule removed'
   WHERE j.schedule_id = OLD.id AND j.status = 'cancelled' AND j.error_sqlstate = '57014'
     AND j.finished_at >= pg_catalog.statement_timestamp();
  RETURN NULL;
END
