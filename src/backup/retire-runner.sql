-- A runner identity of another life: named after a role OID (pgdispatch_runner_<oid>) by a dumped
-- cluster (its carriers came back with cron.job, its role maybe with pg_dumpall's globals) or by an
-- earlier install of pg_dispatch, and not registered here. pg_cron knows a job's user by name and
-- lets only that user remove the job: the name is made pg_dispatch's own again (_runner_for drops
-- a role of that name and makes it anew, then removes every carrier under the name), and dropped
-- when no role of this cluster has that OID. While a role here has that OID and a registered
-- runner identity of that name, only the carriers of restored jobs under it are removed.
DECLARE
  runner name := 'pgdispatch_runner_' || old_oid::text;
  ext_name name;
  fname text;
BEGIN
  IF EXISTS (SELECT 1 FROM pgdispatch._runner AS r WHERE r.role_oid = old_oid)
     AND pg_catalog.to_regprocedure(pg_catalog.format('pgdispatch_exec.%I()', 'carriers_' || old_oid::text)) IS NOT NULL THEN
    EXECUTE pg_catalog.format(
      'SELECT pgdispatch_exec.%I(ARRAY(SELECT c.jobid FROM pgdispatch_exec.%I() AS c '
      'WHERE pg_catalog.substr(c.jobname, 16)::bigint IN (SELECT s.job_id FROM pgdispatch._restored AS s)))',
      'disarm_' || old_oid::text, 'carriers_' || old_oid::text);
    RETURN;
  END IF;
  BEGIN
    PERFORM pgdispatch._runner_for(old_oid, true);
  EXCEPTION WHEN SQLSTATE '{{ERR:not_allowed}}' THEN
    -- A role of that name that owns or holds something elsewhere: its carriers run nothing (it
    -- serves no role here), but stay. Said once a minute, by the maintenance job.
    RAISE WARNING 'pg_dispatch cannot take over the leftover runner identity %: %', runner, SQLERRM
      USING HINT = pg_catalog.format('A superuser can remove it: DROP OWNED BY %1$I; DROP ROLE %1$I; (in every database), or remove it from pgdispatch_runners: REVOKE pgdispatch_runners FROM %1$I;', runner);
    RETURN;
  END;
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles AS a WHERE a.oid = old_oid) THEN
    RETURN;  -- a role of this cluster has that OID: the identity made anew is its own
  END IF;
  DELETE FROM pgdispatch._runner AS r WHERE r.role_oid = old_oid;
  ext_name := pgdispatch._extension_name();
  FOREACH fname IN ARRAY ARRAY['arm_' || old_oid::text || '(bigint, integer, text)', 'disarm_' || old_oid::text || '(bigint[])', 'carriers_' || old_oid::text || '()'] LOOP
    EXECUTE pg_catalog.format('ALTER EXTENSION %I DROP FUNCTION pgdispatch_exec.%s', ext_name, fname);
    EXECUTE pg_catalog.format('DROP FUNCTION pgdispatch_exec.%s', fname);
  END LOOP;
  EXECUTE pg_catalog.format('DROP ROLE %I', runner);
END
