-- The runner identity of a role: the login role as which pg_cron runs that role's carriers, so that
-- the session user of every session that runs the role's jobs holds no more than the role itself.
-- Work a command leaves for COMMIT (deferred triggers, WITH HOLD cursors) runs outside any SECURITY
-- DEFINER frame, with the rights of the session user: with the extension owner as session user it
-- ran as the owner; with this identity it runs with next to nothing. The identity is a LOGIN role
-- without a password (pg_cron's libpq mode connects as the job's user, like for any pg_cron job),
-- member only of pgdispatch_runners (see runner-group.ts), not even of the role it serves: the
-- command itself runs inside the role's executor, called by pg_dispatch. It may only call the
-- runner's own functions, which serve only its role; its pg_cron wrappers, which it owns but
-- cannot reach (no USAGE on pgdispatch_exec), are called by the owner: they remove and list only
-- its own carriers, and schedule one only with a token that the owner derives from a key the
-- runner cannot read.
DECLARE
  runner name;
  runner_oid oid;
  owner_name name := (SELECT c.relowner::pg_catalog.regrole::name FROM pg_catalog.pg_class AS c WHERE c.oid = 'pgdispatch._job'::pg_catalog.regclass);
  fname text;
BEGIN
  SELECT r.runner_oid INTO runner_oid FROM pgdispatch._runner AS r WHERE r.role_oid = served;
  IF runner_oid IS NOT NULL THEN
    SELECT a.rolname INTO runner FROM pg_catalog.pg_roles AS a WHERE a.oid = runner_oid;
    IF runner IS NOT NULL THEN
      RETURN runner;
    END IF;
    DELETE FROM pgdispatch._runner AS r WHERE r.role_oid = served;  -- dropped by hand: make it again
  END IF;
  IF NOT make THEN
    RETURN NULL;
  END IF;
  runner := 'pgdispatch_runner_' || served::text;
  IF pg_catalog.to_regrole(runner) IS NOT NULL THEN
    -- Not registered: left by an earlier install (DROP EXTENSION keeps roles), or made by someone
    -- who wants to be run as. Either way it is dropped and made again, so that nothing it was given
    -- (a password, memberships, grants) comes along. A role that owns or holds something elsewhere
    -- cannot be dropped, and is not used.
    BEGIN
      EXECUTE pg_catalog.format('DROP ROLE %I', runner);
    EXCEPTION WHEN dependent_objects_still_exist OR insufficient_privilege THEN
      RAISE EXCEPTION 'pg_dispatch: role % exists, is not pg_dispatch''s, and cannot be dropped', runner
        USING ERRCODE = '{{ERR:not_allowed}}',
              DETAIL = 'pg_dispatch names the login role that runs a role''s jobs after that role''s OID, and makes it itself.',
              HINT = pg_catalog.format('A superuser or its admin can check what it holds and drop it: DROP OWNED BY %1$I; DROP ROLE %1$I;', runner);
    END;
  END IF;
  IF pg_catalog.current_setting('server_version_num')::integer >= 160000
        AND NOT pg_catalog.pg_has_role(owner_name, 'pgdispatch_runners', 'MEMBER WITH ADMIN OPTION') THEN
    -- PostgreSQL 16+: adding members to a role needs ADMIN on it, which its creator has.
    RAISE EXCEPTION 'pg_dispatch cannot add runner roles to pgdispatch_runners'
      USING ERRCODE = '{{ERR:not_allowed}}',
            DETAIL = pg_catalog.format('The role pgdispatch_runners was made by another role than the extension owner %I.', owner_name),
            HINT = pg_catalog.format('As a superuser: GRANT pgdispatch_runners TO %I WITH ADMIN OPTION;', owner_name);
  END IF;
  BEGIN
    EXECUTE pg_catalog.format('CREATE ROLE %I LOGIN INHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS IN ROLE pgdispatch_runners', runner);
  EXCEPTION WHEN insufficient_privilege THEN
    RAISE EXCEPTION 'pg_dispatch cannot create the runner role of %', pg_catalog.pg_get_userbyid(served)
      USING ERRCODE = '{{ERR:not_allowed}}',
            DETAIL = 'Each role''s jobs run in sessions of a login role of their own, made by the extension owner, so that nothing a job leaves for COMMIT can run with the owner''s rights.',
            HINT = pg_catalog.format('Give the extension owner CREATEROLE (ALTER ROLE %I CREATEROLE;), as Supabase''s postgres and RDS''s rds_superuser have.', owner_name);
  END;
  runner_oid := pg_catalog.to_regrole(pg_catalog.quote_ident(runner));
  INSERT INTO pgdispatch._runner (role_oid, runner_oid, arm_key) VALUES (served, runner_oid, pg_catalog.gen_random_uuid()::text);
  -- The owner signals the runner's backends (cancel, timeout) and calls its pg_cron wrappers.
  EXECUTE pg_catalog.format('GRANT %I TO %I', runner, owner_name);
  -- pg_cron records a job's user as the current user of cron.schedule(); these run as the runner.
  -- Their bodies are parsed now (BEGIN ATOMIC), so the runner needs no USAGE on schema cron, and
  -- a command that reached the runner's rights still could not name cron.schedule().
  EXECUTE pg_catalog.format(
    'CREATE FUNCTION pgdispatch_exec.%I(job_id bigint, seconds integer, token text) RETURNS bigint LANGUAGE sql SECURITY DEFINER '
    'SET search_path = pg_catalog, pg_temp BEGIN ATOMIC '
    'SELECT cron.schedule(''pgdispatch_job_'' || job_id::text, seconds::text || '' seconds'', pgdispatch._carrier_command(job_id)) '
    'WHERE pgdispatch._may_arm(job_id, token, CURRENT_USER) AND seconds BETWEEN 1 AND 59; END', 'arm_' || served::text);
  EXECUTE pg_catalog.format(
    'CREATE FUNCTION pgdispatch_exec.%I(cron_jobs bigint[]) RETURNS bigint LANGUAGE sql SECURITY DEFINER '
    'SET search_path = pg_catalog, pg_temp BEGIN ATOMIC '
    'SELECT pg_catalog.count(cron.unschedule(c.jobid)) FROM cron.job AS c '
    'WHERE c.jobid = ANY (cron_jobs) AND c.username = CURRENT_USER AND c.jobname LIKE ''pgdispatch\_job\_%%''; END', 'disarm_' || served::text);
  EXECUTE pg_catalog.format(
    'CREATE FUNCTION pgdispatch_exec.%I() RETURNS TABLE (jobid bigint, jobname text) LANGUAGE sql STABLE SECURITY DEFINER '
    'SET search_path = pg_catalog, pg_temp BEGIN ATOMIC '
    'SELECT c.jobid, c.jobname FROM cron.job AS c WHERE c.username = CURRENT_USER AND c.jobname LIKE ''pgdispatch\_job\_%%''; END', 'carriers_' || served::text);
  FOREACH fname IN ARRAY ARRAY['arm_' || served::text || '(bigint, integer, text)', 'disarm_' || served::text || '(bigint[])', 'carriers_' || served::text || '()'] LOOP
    EXECUTE pg_catalog.format('REVOKE ALL ON FUNCTION pgdispatch_exec.%s FROM PUBLIC', fname);
    EXECUTE pg_catalog.format('GRANT CREATE ON SCHEMA pgdispatch_exec TO %I', runner);
    EXECUTE pg_catalog.format('ALTER FUNCTION pgdispatch_exec.%s OWNER TO %I', fname, runner);
    EXECUTE pg_catalog.format('REVOKE CREATE ON SCHEMA pgdispatch_exec FROM %I', runner);
    -- Joined to the extension last, so that its privileges as they are now are its initial ones,
    -- which pg_dump leaves out. (Inside ALTER EXTENSION UPDATE it joined by itself.)
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend AS d
                    WHERE d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND d.deptype = 'e'
                      AND d.objid = pg_catalog.to_regprocedure('pgdispatch_exec.' || fname)) THEN
      EXECUTE pg_catalog.format('ALTER EXTENSION %I ADD FUNCTION pgdispatch_exec.%s', pgdispatch._extension_name(), fname);
    END IF;
  END LOOP;
  -- Carriers an earlier install left under this name (pg_cron knows users by name) run nothing of
  -- ours: remove them.
  EXECUTE pg_catalog.format('SELECT pgdispatch_exec.%I(ARRAY(SELECT c.jobid FROM pgdispatch_exec.%I() AS c))',
    'disarm_' || served::text, 'carriers_' || served::text);
  RETURN runner;
END
