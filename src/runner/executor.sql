-- Runs one job's command as the role that owns this function (the role that fired the job).
-- SECURITY DEFINER is what keeps the command inside that role: PostgreSQL refuses SET ROLE,
-- RESET ROLE, SET SESSION AUTHORIZATION and set_config('role') inside such a function.
DECLARE
  cur refcursor;
  rec record;
  kept jsonb[] := '{}';
  extra bigint;
  setting record;
BEGIN
  -- The request context of the firing session (e.g. Supabase's JWT claims), then its path.
  FOR setting IN SELECT s.key, s.value FROM pg_catalog.jsonb_each_text(settings) AS s LOOP
    PERFORM pg_catalog.set_config(setting.key, setting.value, true);
  END LOOP;
  PERFORM pg_catalog.set_config('search_path', search_path, true);
  truncated := false;
  -- A command that returns rows can be opened as a cursor; anything else (DML without
  -- RETURNING, DDL, several statements) is refused with 42P11 before it runs, and is executed.
  BEGIN
    OPEN cur NO SCROLL FOR EXECUTE command;
  EXCEPTION WHEN OTHERS THEN
    -- Several statements (42P11), or one that cannot be planned before an earlier one has run
    -- (CREATE TEMP TABLE t ...; INSERT ... FROM t): run it as it is. A genuine error in a single
    -- statement is raised again by EXECUTE, and recorded.
    EXECUTE command;
    GET DIAGNOSTICS row_count = ROW_COUNT;
    rows := NULL;
    -- Deferred trigger events fire now, as this role, and a cursor WITH HOLD is closed before it
    -- could be filled at COMMIT, outside this function.
    SET CONSTRAINTS ALL IMMEDIATE;
    EXECUTE 'CLOSE ALL';
    RETURN;
  END;
  LOOP
    EXIT WHEN pg_catalog.cardinality(kept) >= max_rows;
    FETCH cur INTO rec;
    EXIT WHEN NOT FOUND;
    kept := kept || pg_catalog.to_jsonb(rec);
  END LOOP;
  -- Count what was not kept without converting it.
  MOVE FORWARD ALL FROM cur;
  GET DIAGNOSTICS extra = ROW_COUNT;
  CLOSE cur;
  rows := pg_catalog.to_jsonb(kept);
  row_count := pg_catalog.cardinality(kept) + extra;
  truncated := extra > 0;
  SET CONSTRAINTS ALL IMMEDIATE;
  EXECUTE 'CLOSE ALL';
END
