-- Every definition of a schedule passes here, from schedule() (an INSERT, or its ON CONFLICT
-- update) or a direct write of the columns users may write: the checks, the owning role and end
-- user, the request context to carry, and run_schedule_now()'s occurrence.
-- SECURITY DEFINER: NEW.role was set by the column default to the calling role, which it cannot override.
DECLARE
  s pgdispatch.settings;
  setting text;
  value text;
  carried jsonb := '{}';
BEGIN
  IF TG_OP = 'INSERT' THEN
    NEW.role_oid := (SELECT r.oid FROM pg_catalog.pg_roles AS r WHERE r.rolname = NEW.role);
    NEW.sub := {{CALLER_SUB}};
    NEW.paused := false;
    NEW.created_at := pg_catalog.clock_timestamp();
    NEW.pending_job := NULL;
    NEW.next_run_at := NULL;
    NEW.run_requested_at := NULL;
    NEW.manual_job := NULL;
    NEW.last_error := NULL;
    IF NEW.name IS NULL OR pg_catalog.btrim(NEW.name) = '' OR pg_catalog.octet_length(NEW.name) > 64 THEN
      RAISE EXCEPTION 'pg_dispatch: a schedule''s name must be 1 to 64 bytes, not %', coalesce(pg_catalog.quote_literal(NEW.name), 'NULL')
        USING ERRCODE = '{{ERR:invalid_schedule}}', HINT = 'Name it after what it does, e.g. ''nightly-cleanup''.';
    END IF;
  END IF;
  IF TG_OP = 'INSERT' OR {{REDEFINED}} THEN
    IF NEW.overlap IS NULL OR NEW.overlap NOT IN {{OVERLAP}} THEN
      RAISE EXCEPTION 'pg_dispatch: overlap must be one of %, not %', '{{OVERLAP}}', coalesce(pg_catalog.quote_literal(NEW.overlap), 'NULL')
        USING ERRCODE = '{{ERR:invalid_schedule}}',
              HINT = '''skip'' (default) skips an occurrence while the previous one runs, ''queue'' starts it when the previous one ends, ''allow'' runs them side by side.';
    END IF;
    IF NEW.misfire IS NULL OR NEW.misfire NOT IN {{MISFIRE}} THEN
      RAISE EXCEPTION 'pg_dispatch: misfire must be one of %, not %', '{{MISFIRE}}', coalesce(pg_catalog.quote_literal(NEW.misfire), 'NULL')
        USING ERRCODE = '{{ERR:invalid_schedule}}',
              HINT = '''run_once'' (default) runs one catch-up after missed occurrences (downtime), ''skip'' runs none.';
    END IF;
    -- Refuses a bad expression (PD203) or zone (PD204) now, and one that never matches. (Unless
    -- paused, the schedule's first occurrence is computed next, strictly: _schedule_chain checks then.)
    IF NEW.paused AND pgdispatch._next_occurrence(NEW.expression, NEW.time_zone, pg_catalog.clock_timestamp()) IS NULL THEN
      RAISE EXCEPTION 'pg_dispatch: the cron expression % never matches a date', pg_catalog.quote_literal(NEW.expression)
        USING ERRCODE = '{{ERR:invalid_schedule}}', HINT = 'Check the day of the month against the month (30 February never comes).';
    END IF;
    -- The request context of the defining session, restored inside every occurrence.
    SELECT * INTO s FROM pgdispatch.settings;
    FOREACH setting IN ARRAY s.carried_settings LOOP
      value := pg_catalog.current_setting(setting, true);
      IF value IS NOT NULL AND value <> '' THEN
        carried := carried || pg_catalog.jsonb_build_object(setting, value);
      END IF;
    END LOOP;
    NEW.settings := carried;
    NEW.updated_at := pg_catalog.clock_timestamp();
  END IF;
  IF TG_OP = 'UPDATE' AND NEW.run_requested_at IS NOT NULL AND NEW.run_requested_at IS DISTINCT FROM OLD.run_requested_at THEN
    -- run_schedule_now(): an occurrence outside the sequence, due now, under the same overlap policy.
    NEW.manual_job := pgdispatch._schedule_occurrence(NEW, pg_catalog.clock_timestamp());
  END IF;
  RETURN NEW;
END
