-- Makes the next occurrence of a schedule (the caller holds its row): the first one after `after`,
-- or, for a catch-up after missed occurrences (misfire => 'run_once'), one due now. Records it as
-- the schedule's pending occurrence. Unless `strict`, a refusal of pg_dispatch's own (a quota,
-- usage revoked: SQLSTATE PD...) is recorded in last_error instead of raised, and the maintenance
-- job tries again a minute later; any other error is raised.
DECLARE
  s pgdispatch._schedule;
  at timestamptz;
  job_id bigint;
  e_sqlstate text;
  e_message text;
BEGIN
  SELECT * INTO s FROM pgdispatch._schedule AS k WHERE k.id = schedule_id;
  IF NOT FOUND OR s.paused THEN
    RETURN NULL;
  END IF;
  at := CASE WHEN catch_up THEN pg_catalog.clock_timestamp() ELSE pgdispatch._next_occurrence(s.expression, s.time_zone, after) END;
  IF at IS NULL AND strict THEN
    RAISE EXCEPTION 'pg_dispatch: the cron expression % never matches a date', pg_catalog.quote_literal(s.expression)
      USING ERRCODE = '{{ERR:invalid_schedule}}', HINT = 'Check the day of the month against the month (30 February never comes).';
  ELSIF at IS NULL THEN
    UPDATE pgdispatch._schedule AS k SET pending_job = NULL, last_error = 'the expression matches no later time' WHERE k.id = s.id;
    RETURN NULL;
  END IF;
  IF strict THEN
    job_id := pgdispatch._schedule_occurrence(s, at);
  ELSE
    BEGIN
      job_id := pgdispatch._schedule_occurrence(s, at);
    EXCEPTION WHEN OTHERS THEN
      GET STACKED DIAGNOSTICS e_sqlstate = RETURNED_SQLSTATE, e_message = MESSAGE_TEXT;
      IF e_sqlstate NOT LIKE 'PD%' THEN
        RAISE;
      END IF;
      UPDATE pgdispatch._schedule AS k SET pending_job = NULL, last_error = e_sqlstate || ': ' || e_message WHERE k.id = s.id;
      RETURN NULL;
    END;
  END IF;
  UPDATE pgdispatch._schedule AS k SET pending_job = job_id, next_run_at = at, last_error = NULL WHERE k.id = s.id;
  RETURN job_id;
END
