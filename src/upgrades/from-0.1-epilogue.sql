-- Carry 0.1.x's explicit EXECUTE grants on fire()/snooze() over as grant_usage()'s privileges
-- (the executor each role needs is made on its first fire, outside this script), warn where every
-- role could call them, and drop the old functions.
DO $from_0_1_end$
DECLARE
  legacy regprocedure[] := ARRAY['pgdispatch._legacy_fire(text)'::pg_catalog.regprocedure,
                                 'pgdispatch._legacy_snooze(text, interval)'::pg_catalog.regprocedure];
  grantee name;
  grant_sql text;
  everyone_could boolean;
BEGIN
  FOR grantee IN
    SELECT DISTINCT r.rolname
      FROM pg_catalog.pg_proc AS p
     CROSS JOIN LATERAL pg_catalog.aclexplode(p.proacl) AS a
      JOIN pg_catalog.pg_roles AS r ON r.oid = a.grantee
     WHERE p.oid = ANY (legacy) AND a.privilege_type = 'EXECUTE' AND a.grantee <> p.proowner
     ORDER BY r.rolname
  LOOP
    FOREACH grant_sql IN ARRAY pgdispatch._user_grants() LOOP
      EXECUTE pg_catalog.format(grant_sql, 'GRANT', 'TO', grantee);
    END LOOP;
  END LOOP;
  -- No ACL at all is the default: EXECUTE for PUBLIC.
  SELECT pg_catalog.bool_or(p.proacl IS NULL OR EXISTS (SELECT 1 FROM pg_catalog.aclexplode(p.proacl) AS a
                                              WHERE a.grantee = 0 AND a.privilege_type = 'EXECUTE'))
    INTO everyone_could
    FROM pg_catalog.pg_proc AS p WHERE p.oid = ANY (legacy);
  IF everyone_could THEN
    RAISE WARNING 'pg_dispatch 1.0 no longer lets every role call fire() and snooze(), as 0.1.x did'
      USING DETAIL = 'A command runs with the rights of the role that fired it; only the extension owner and roles given grant_usage() may fire.',
            HINT = 'For each role that fires jobs (also from triggers it sets off): SELECT pgdispatch.grant_usage(''role_name'');';
  END IF;
  -- CREATE EXTENSION took the comment from the control file; UPDATE leaves 0.1.x's.
  EXECUTE pg_catalog.format('COMMENT ON EXTENSION %I IS %L', pgdispatch._extension_name(), {{EXTENSION_COMMENT}});
  DROP FUNCTION pgdispatch._legacy_fire(text);
  DROP FUNCTION pgdispatch._legacy_snooze(text, interval);
  IF pg_catalog.to_regprocedure('pgdispatch._schedule_job(text, interval)') IS NOT NULL THEN
    DROP FUNCTION pgdispatch._schedule_job(text, interval);
  END IF;
END
$from_0_1_end$;
