-- unschedule(): occurrences not yet started (waiting, or queued behind a running one) are
-- cancelled; a running one finishes. Jobs keep their schedule_id as history.
BEGIN
  UPDATE pgdispatch._job AS j SET cancel_requested_at = pg_catalog.clock_timestamp()
   WHERE j.schedule_id = OLD.id AND j.status = 'scheduled' AND j.cancel_requested_at IS NULL;
  UPDATE pgdispatch._job AS j SET error_message = 'cancelled: schedule removed'
   WHERE j.schedule_id = OLD.id AND j.status = 'cancelled' AND j.error_sqlstate = '57014'
     AND j.finished_at >= pg_catalog.statement_timestamp();
  RETURN NULL;
END
