DECLARE
  grants text[] := pgdispatch._user_grants();
  grant_sql text;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles AS r WHERE r.rolname = role_name) THEN
    RAISE EXCEPTION 'pg_dispatch: role % does not exist', role_name
      USING ERRCODE = 'undefined_object', HINT = 'Create the role first, or check the spelling.';
  END IF;
  PERFORM pgdispatch._executor_for(role_name, true);
  FOREACH grant_sql IN ARRAY grants LOOP
    EXECUTE pg_catalog.format(grant_sql, 'GRANT', 'TO', role_name);
  END LOOP;
END
