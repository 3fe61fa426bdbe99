-- After every job: whatever it left in the session (settings changed with a plain SET or
-- SET SESSION CHARACTERISTICS, temporary tables, cursors, prepared statements, LISTEN, advisory
-- locks) must not change what the next job or pg_dispatch's own code does. A session only ever
-- serves one principal (see _runner_session), so this is hygiene for that principal's next job;
-- pg_dispatch's own functions pin their search_path and need none of it. Not DISCARD PLANS:
-- cached plans are the session's own code's, planned under a pinned path.
BEGIN
  RESET ALL;
  EXECUTE 'CLOSE ALL';
  DISCARD TEMP;
  DISCARD SEQUENCES;
  EXECUTE 'DEALLOCATE ALL';
  UNLISTEN *;
  PERFORM pg_catalog.pg_advisory_unlock_all();
  PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', false);
  PERFORM pg_catalog.set_config('application_name', 'pgdispatch runner', false);
END
