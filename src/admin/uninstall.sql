DO $uninstall$
DECLARE
  ext_name name;
  ext_version text;
  unscheduled bigint := 0;
  left_behind bigint := 0;
  tle_removed boolean := false;
  runner record;
  runners text[] := '{}';
  -- `SET pgdispatch.uninstall_cascade = on` first also drops your objects that depend on it.
  cascade boolean := coalesce(pg_catalog.current_setting('pgdispatch.uninstall_cascade', true), '') = 'on';
BEGIN
  -- The extension that owns schema pgdispatch, whatever its name (database.dev: "<handle>@pg_dispatch").
  SELECT e.extname, e.extversion INTO ext_name, ext_version
    FROM pg_catalog.pg_depend AS d JOIN pg_catalog.pg_extension AS e ON e.oid = d.refobjid
   WHERE d.classid = 'pg_catalog.pg_namespace'::pg_catalog.regclass
     AND d.objid = (SELECT n.oid FROM pg_catalog.pg_namespace AS n WHERE n.nspname = 'pgdispatch')
     AND d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass AND d.deptype = 'e';
  IF ext_name IS NOT NULL THEN
    -- Jobs running now would hold DROP EXTENSION up until they end (an hour, for a long one):
    -- end the sessions running pg_dispatch's pg_cron commands, then keep new ones out.
    PERFORM pg_catalog.pg_terminate_backend(a.pid)
       FROM pg_catalog.pg_stat_activity AS a
      WHERE a.query LIKE 'DO $pgdispatch$%' AND a.pid <> pg_catalog.pg_backend_pid()
        AND pg_catalog.pg_has_role(a.usesysid, 'MEMBER');
    IF pg_catalog.to_regclass('pgdispatch._job') IS NOT NULL THEN  -- (0.1.x had no job table)
      LOCK TABLE pgdispatch._job IN ACCESS EXCLUSIVE MODE;
    END IF;
  END IF;
  IF ext_name IS NOT NULL AND pg_catalog.to_regclass('cron.job') IS NOT NULL THEN
    -- pg_dispatch's pg_cron jobs are not extension members: DROP EXTENSION would leave them (the
    -- '@reboot' one until the next restart). Their run history goes with them.
    -- (Every command pg_dispatch gives pg_cron starts so: also those of carriers already gone.)
    -- Carriers belong to each role's runner identity, which pg_cron alone lets remove them: through
    -- its wrappers, while they exist.
    IF pg_catalog.to_regclass('pgdispatch._runner') IS NOT NULL THEN
      FOR runner IN SELECT r.role_oid, a.rolname FROM pgdispatch._runner AS r JOIN pg_catalog.pg_roles AS a ON a.oid = r.runner_oid LOOP
        IF pg_catalog.to_regprocedure(pg_catalog.format('pgdispatch_exec.%I(bigint[])', 'disarm_' || runner.role_oid::text)) IS NOT NULL THEN
          EXECUTE pg_catalog.format('SELECT pg_catalog.count(*) FROM pgdispatch_exec.%I() AS c', 'carriers_' || runner.role_oid::text) INTO left_behind;
          EXECUTE pg_catalog.format('SELECT pgdispatch_exec.%I(ARRAY(SELECT c.jobid FROM pgdispatch_exec.%I() AS c))',
            'disarm_' || runner.role_oid::text, 'carriers_' || runner.role_oid::text);
          unscheduled := unscheduled + left_behind;
        END IF;
        runners := runners || runner.rolname::text;
      END LOOP;
      left_behind := 0;
    END IF;
    DELETE FROM cron.job_run_details AS r
     WHERE r.command LIKE 'DO $pgdispatch$%'
        OR r.jobid IN (SELECT j.jobid FROM cron.job AS j WHERE j.jobname LIKE 'pgdispatch\_%');
    SELECT unscheduled + pg_catalog.count(cron.unschedule(j.jobid)) INTO unscheduled
      FROM cron.job AS j
     WHERE j.jobname LIKE 'pgdispatch\_%'
        -- and commands fired with 0.1.x, still pending (a UUID name, a self-unscheduling DO block)
        OR (j.jobname ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
            AND j.command LIKE '%cron.unschedule(job_name := %');
  END IF;
  IF ext_name IS NOT NULL THEN
    -- No CASCADE unless asked: your objects that use pg_dispatch (a view over pgdispatch.jobs,
    -- say) stop this with their names, rather than vanish.
    EXECUTE pg_catalog.format('DROP EXTENSION %I%s', ext_name, CASE WHEN cascade THEN ' CASCADE' ELSE '' END);
    -- The runner identities: roles outlive DROP EXTENSION. What they were granted went with it.
    FOR i IN 1 .. pg_catalog.cardinality(runners) LOOP
      EXECUTE pg_catalog.format('DROP ROLE IF EXISTS %I', runners[i]);
    END LOOP;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_auth_members AS m WHERE m.roleid = pg_catalog.to_regrole('pgdispatch_runners')) THEN
      DROP ROLE IF EXISTS pgdispatch_runners;
    END IF;
  END IF;
  -- (nested: PL/pgSQL parses a statement when it first runs it, and schema pgtle may not exist)
  IF pg_catalog.to_regprocedure('pgtle.uninstall_extension(text)') IS NOT NULL THEN
    IF EXISTS (SELECT 1 FROM pgtle.available_extensions() AS a WHERE a.name = 'pg_dispatch') THEN
      tle_removed := pgtle.uninstall_extension('pg_dispatch');
    END IF;
  END IF;
  IF pg_catalog.to_regclass('cron.job') IS NOT NULL THEN
    -- pg_cron shows each role only its own jobs (a superuser sees all).
    SELECT pg_catalog.count(*) INTO left_behind FROM cron.job AS j WHERE j.jobname LIKE 'pgdispatch\_%';
  END IF;
  RAISE NOTICE 'pg_dispatch uninstalled: extension %, % pg_cron job(s) removed, pg_tle registration %',
    CASE WHEN ext_name IS NULL THEN 'was not installed' ELSE pg_catalog.format('%I %s dropped', ext_name, ext_version) END,
    unscheduled,
    CASE WHEN tle_removed THEN 'removed' ELSE 'none' END;
  IF left_behind > 0 THEN
    RAISE WARNING 'pg_dispatch: % pg_cron job(s) named pgdispatch_* are still scheduled', left_behind
      USING HINT = 'They belong to another role: run this script as that role or a superuser, or SELECT cron.unschedule(jobid) for them.';
  END IF;
END
$uninstall$;
