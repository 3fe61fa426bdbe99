-- The role's jobs not yet started will fail with an error that says why; its finished jobs stay.
DECLARE
  grants text[] := pgdispatch._user_grants();
  grant_sql text;
  executor text;
  ext_name name;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles AS r WHERE r.rolname = role_name) THEN
    RAISE EXCEPTION 'pg_dispatch: role % does not exist', role_name
      USING ERRCODE = 'undefined_object', HINT = 'Check the spelling.';
  END IF;
  FOREACH grant_sql IN ARRAY grants LOOP
    EXECUTE pg_catalog.format(grant_sql, 'REVOKE', 'FROM', role_name);
  END LOOP;
  executor := pg_catalog.format('pgdispatch_exec.%I(text, text, jsonb, integer)',
                                'run_as_' || (SELECT r.oid FROM pg_catalog.pg_roles AS r WHERE r.rolname = role_name)::text);
  IF pg_catalog.to_regprocedure(executor) IS NOT NULL THEN
    ext_name := pgdispatch._extension_name();
    EXECUTE pg_catalog.format('ALTER EXTENSION %I DROP FUNCTION %s', ext_name, executor);
    EXECUTE pg_catalog.format('DROP FUNCTION %s', executor);
  END IF;
END
