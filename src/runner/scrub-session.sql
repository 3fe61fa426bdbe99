-- A runner session may serve jobs of several roles one after another. Whatever a job left in the
-- session (settings changed with a plain SET, temporary tables, prepared statements) must not
-- reach the next job, which may belong to another role: a planted request.jwt.claims or a temp
-- table shadowing a real one would otherwise act on that role's behalf. Called when the role
-- changes, not after every job: RESET ALL costs a replanning of every cached plan.
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
