-- The executor of a role, as a callable qualified name: found and checked, or (when make is
-- true) created. NULL when it is missing and make is false.
DECLARE
  role_oid oid;
  fname text;
  f regprocedure;
  -- (By name: a cast of its signature to regprocedure parses four type names at every call.)
  template oid := (SELECT t.oid FROM pg_catalog.pg_proc AS t
                    WHERE t.proname = '_executor_template' AND t.pronamespace = 'pgdispatch'::pg_catalog.regnamespace);
  owner_name name := CURRENT_USER;
  ext_name name;
BEGIN
  SELECT r.oid INTO role_oid FROM pg_catalog.pg_roles AS r WHERE r.rolname = role_name;
  IF role_oid IS NULL THEN
    RAISE EXCEPTION 'pg_dispatch: role % does not exist', role_name
      USING ERRCODE = 'undefined_object', HINT = 'Jobs run as the role that fired them; that role must exist.';
  END IF;
  fname := 'run_as_' || role_oid::text;
  IF make THEN
    PERFORM pgdispatch._runner_for(role_oid, true);
  END IF;
  -- Looked up in pg_proc by name, schema and argument types (the template's), as to_regprocedure
  -- would, without parsing a signature: this runs before every job.
  SELECT p.oid INTO f FROM pg_catalog.pg_proc AS p
   WHERE p.proname = fname AND p.pronamespace = 'pgdispatch_exec'::pg_catalog.regnamespace
     AND p.proargtypes = (SELECT t.proargtypes FROM pg_catalog.pg_proc AS t WHERE t.oid = template);
  IF f IS NOT NULL THEN
    -- A role owns its executor, so check before every use that it is still exactly ours.
    PERFORM 1
      FROM pg_catalog.pg_proc AS p, pg_catalog.pg_proc AS t
     WHERE p.oid = f AND t.oid = template
       AND p.prosecdef AND p.proowner = role_oid AND p.prolang = t.prolang
       AND p.prosrc = t.prosrc AND p.proconfig = ARRAY['search_path=pg_catalog, pg_temp'];
    IF NOT FOUND THEN
      RAISE EXCEPTION 'pg_dispatch: the executor of role % has been altered; refusing to run its jobs', role_name
        USING ERRCODE = '{{ERR:not_allowed}}',
              HINT = pg_catalog.format('An admin can rebuild it: SELECT pgdispatch.revoke_usage(%L); SELECT pgdispatch.grant_usage(%L);', role_name, role_name);
    END IF;
    RETURN 'pgdispatch_exec.' || pg_catalog.quote_ident(fname);
  END IF;
  IF NOT make THEN
    RETURN NULL;
  END IF;
  -- The extension owner runs the executor through its membership in the role.
  IF role_oid <> (SELECT r.oid FROM pg_catalog.pg_roles AS r WHERE r.rolname = owner_name)
     AND NOT pg_catalog.pg_has_role(owner_name, role_oid, 'USAGE') THEN
    RAISE EXCEPTION 'pg_dispatch cannot run jobs as role %', role_name
      USING ERRCODE = '{{ERR:not_allowed}}',
            DETAIL = pg_catalog.format('Jobs run as the role that fired them, through a function owned by that role; the extension owner %I must be a member of %I to create it.', owner_name, role_name),
            HINT = pg_catalog.format('As a superuser or a role with ADMIN on %I: GRANT %I TO %I; then SELECT pgdispatch.grant_usage(%L);', role_name, role_name, owner_name, role_name);
  END IF;
  EXECUTE pg_catalog.format(
    'CREATE FUNCTION pgdispatch_exec.%I(command text, search_path text, settings jsonb, max_rows integer, '
    'OUT rows jsonb, OUT row_count bigint, OUT truncated boolean) RETURNS record LANGUAGE plpgsql '
    'SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS %L',
    fname, (SELECT t.prosrc FROM pg_catalog.pg_proc AS t WHERE t.oid = template));
  f := pg_catalog.format('pgdispatch_exec.%I(text, text, jsonb, integer)', fname)::regprocedure;
  EXECUTE pg_catalog.format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
  IF role_oid <> (SELECT r.oid FROM pg_catalog.pg_roles AS r WHERE r.rolname = owner_name) THEN
    -- ALTER ... OWNER TO needs the new owner to have CREATE on the schema: only for this moment.
    EXECUTE pg_catalog.format('GRANT CREATE ON SCHEMA pgdispatch_exec TO %I', role_name);
    EXECUTE pg_catalog.format('ALTER FUNCTION %s OWNER TO %I', f, role_name);
    EXECUTE pg_catalog.format('REVOKE CREATE ON SCHEMA pgdispatch_exec FROM %I', role_name);
  END IF;
  -- Executors belong to the extension, so DROP EXTENSION removes them with their schema. Joined
  -- last, with their owner, so that their privileges as they are now are their initial ones, which
  -- pg_dump leaves out (else the dump revokes and grants on a function the restore never makes).
  ext_name := pgdispatch._extension_name();
  -- (Inside ALTER EXTENSION UPDATE what is made joins the extension by itself.)
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend AS d
                  WHERE d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND d.objid = f AND d.deptype = 'e') THEN
    EXECUTE pg_catalog.format('ALTER EXTENSION %I ADD FUNCTION %s', ext_name, f);
  END IF;
  RETURN 'pgdispatch_exec.' || pg_catalog.quote_ident(fname);
END
