-- Runs one job's command as the role that owns this function (the role that fired the job).
-- SECURITY DEFINER is what keeps the command inside that role: PostgreSQL refuses SET ROLE,
-- RESET ROLE, SET SESSION AUTHORIZATION and set_config('role') inside such a function.
DECLARE
  cur refcursor;
  rec record;
  kept jsonb[] := '{}';
  extra bigint;
  setting record;
  opened boolean;
BEGIN
  -- The request context of the firing session (e.g. Supabase's JWT claims), then its path.
  FOR setting IN SELECT s.key, s.value FROM pg_catalog.jsonb_each_text(settings) AS s LOOP
    PERFORM pg_catalog.set_config(setting.key, setting.value, true);
  END LOOP;
  -- A lone statement that returns rows is opened as a cursor, to keep its rows. A command of
  -- several statements is run as it is: opening it would parse every statement before the first
  -- has run (CREATE TEMP TABLE t ...; INSERT ... FROM t would fail), and keeps no rows.
  opened := pg_catalog.cardinality(pgdispatch._statements(command)) = 1;
  PERFORM pg_catalog.set_config('search_path', search_path, true);
  truncated := false;
  IF opened THEN
    BEGIN
      OPEN cur NO SCROLL FOR EXECUTE command;
    EXCEPTION WHEN invalid_cursor_definition THEN
      -- One that returns no rows (DML without RETURNING, DDL, CALL, DO): refused with 42P11
      -- before it runs.
      opened := false;
    END;
  END IF;
  IF NOT opened THEN
    EXECUTE command;
    -- Of several statements, the last one's count.
    GET DIAGNOSTICS row_count = ROW_COUNT;
    rows := NULL;
    -- Deferred trigger events fire now, as this role, and a cursor WITH HOLD is closed before it
    -- could be filled at COMMIT, outside this function.
    SET CONSTRAINTS ALL IMMEDIATE;
    EXECUTE 'CLOSE ALL';
    RETURN;
  END IF;
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
