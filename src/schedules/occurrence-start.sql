-- An occurrence of a schedule is about to start its first attempt (_start sets it running). Here,
-- as the owner and holding the schedule's row (so starts of one schedule take turns):
-- * the next occurrence is made, so a schedule chains on without the maintenance job ('N seconds');
-- * misfire: an occurrence that starts late (more than a minute, or after two more occurrences
--   were due: downtime) is the one catch-up run, or is skipped with misfire => 'skip'; either way
--   the next occurrence is counted from now, so there is never a burst;
-- * overlap: with 'skip', an occurrence whose previous one is still in progress (running, or
--   waiting to retry) ends `cancelled` with SQLSTATE PD003 instead of starting; with 'queue' it
--   waits, holding nothing (run_at infinity), until the previous one ends (_occurrence_end); a
--   second one coming due meanwhile is skipped, so at most one waits.
-- Skipping or parking changes the row _start is writing: it returns a job that is not running,
-- which the runner's _execute leaves alone.
DECLARE
  s pgdispatch._schedule;
  now_ts timestamptz := pg_catalog.clock_timestamp();
  late boolean := false;
  busy bigint;
  why text;
BEGIN
  SELECT * INTO s FROM pgdispatch._schedule AS k WHERE k.id = NEW.schedule_id FOR UPDATE;
  -- Unscheduled, or paused, while this occurrence was being started (the transaction that did so
  -- skipped it, since this one held it): it does not start. (run_schedule_now's job does.)
  IF NOT FOUND OR (s.paused AND NEW.id IS DISTINCT FROM s.manual_job) THEN
    NEW := OLD;
    NEW.status := 'cancelled';
    NEW.cancel_requested_at := now_ts;
    NEW.finished_at := now_ts;
    NEW.error_sqlstate := '57014';
    NEW.error_message := CASE WHEN s.id IS NULL THEN 'cancelled: schedule removed' ELSE 'cancelled: schedule paused' END;
    PERFORM pg_catalog.pg_notify('pgdispatch', pg_catalog.json_build_object('id', NEW.id, 'status', NEW.status)::text);
    RETURN NEW;
  END IF;
  IF s.pending_job = NEW.id THEN
    late := OLD.run_at < now_ts - interval '1 minute'
            OR pgdispatch._next_occurrence(s.expression, s.time_zone, pgdispatch._next_occurrence(s.expression, s.time_zone, OLD.run_at)) <= now_ts;
    PERFORM pgdispatch._schedule_chain(s.id, CASE WHEN late THEN now_ts ELSE OLD.run_at END, false, false);
  END IF;
  IF late AND s.misfire = 'skip' THEN
    why := pg_catalog.format('skipped: missed (due at %s, misfire => ''skip'')', OLD.run_at);
  ELSIF s.overlap <> 'allow' THEN
    SELECT k.id INTO busy FROM pgdispatch._job AS k
     WHERE k.schedule_id = s.id AND k.id <> NEW.id AND k.status IN ('scheduled', 'running')
       AND ((k.status = 'running' AND pgdispatch._alive(k.runner_pid, k.runner_started))
            OR (k.status = 'scheduled' AND k.attempts > 0))
     ORDER BY k.id LIMIT 1;
    IF busy IS NOT NULL THEN
      IF s.overlap = 'queue' AND NOT EXISTS (
           SELECT 1 FROM pgdispatch._job AS k
            WHERE k.schedule_id = s.id AND k.id <> NEW.id AND k.status = 'scheduled' AND k.run_at = 'infinity') THEN
        NEW := OLD;
        NEW.run_at := 'infinity';  -- parked: _occurrence_end starts it when the one in progress ends
        RETURN NEW;
      END IF;
      why := pg_catalog.format('skipped: occurrence %s of this schedule is still in progress (overlap => %L)', busy, s.overlap)
             || CASE WHEN s.overlap = 'queue' THEN ', and one already waits' ELSE '' END;
    END IF;
  END IF;
  IF why IS NOT NULL THEN
    NEW := OLD;
    NEW.status := 'cancelled';
    NEW.finished_at := now_ts;
    NEW.error_sqlstate := '{{ERR:skipped}}';
    NEW.error_message := why;
    PERFORM pg_catalog.pg_notify('pgdispatch', pg_catalog.json_build_object('id', NEW.id, 'status', NEW.status)::text);
  END IF;
  RETURN NEW;
END
