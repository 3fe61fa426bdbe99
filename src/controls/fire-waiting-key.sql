-- A fire whose key already has a waiting job (scheduled, never started) of the same role and end
-- user: that job, locked by the caller (_job_before_insert), takes the fire's key_mode. `keep`
-- changes nothing; `replace` gives it the fire's command, arguments, options, request context and
-- time; `debounce` moves its time to `debounce` after now, never past its first fire's max_wait.
-- A carrier armed for an earlier time stays: its run finds the job not due and arms it again
-- (_take, _settle_carrier), so a storm of debounced fires writes no pg_cron row.
DECLARE
  new_run_at timestamptz := waiting.run_at;
BEGIN
  IF fired.key_mode = 'replace' THEN
    new_run_at := fired.run_at;
    UPDATE pgdispatch._job AS j
       SET command = fired.command, label = fired.label, timeout = fired.timeout, max_attempts = fired.max_attempts,
           search_path = fired.search_path, settings = fired.settings, args = fired.args, priority = fired.priority,
           run_at = fired.run_at, key_mode = fired.key_mode, debounce = NULL, key_deadline = NULL
     WHERE j.id = waiting.id;
  ELSIF fired.key_mode = 'debounce' THEN
    new_run_at := least(greatest(waiting.run_at, pg_catalog.clock_timestamp() + fired.debounce),
                        coalesce(waiting.key_deadline, 'infinity'));
    IF new_run_at > waiting.run_at THEN
      UPDATE pgdispatch._job AS j SET run_at = new_run_at WHERE j.id = waiting.id;
    END IF;
  END IF;
  IF waiting.carrier IS NULL AND new_run_at > pg_catalog.clock_timestamp() THEN
    -- No carrier (too far off, or due and parked for a slot): armed for its new time, if near.
    UPDATE pgdispatch._job AS j SET carrier = pgdispatch._arm(j.id, j.run_at, j.role_oid) WHERE j.id = waiting.id;
  ELSIF waiting.carrier IS NOT NULL AND new_run_at < waiting.run_at AND waiting.id <> ALL (pgdispatch._busy_carriers()) THEN
    -- Sooner than its carrier: a new one for the new time.
    PERFORM pgdispatch._disarm_carriers(waiting.role_oid, ARRAY[waiting.carrier]);
    UPDATE pgdispatch._job AS j SET carrier = pgdispatch._arm(j.id, j.run_at, j.role_oid) WHERE j.id = waiting.id;
  END IF;
END
