-- From pg_dispatch 0.1.x (0.1.5 and the releases before it), which had no job table: fire() and
-- snooze() returned void and made each command a self-contained pg_cron job (named by a UUID, a
-- DO block that runs the command, swallows its error and unschedules itself). Such jobs still
-- pending need nothing of 0.1.x to run, so they are left exactly as they are and finish after
-- the upgrade as they would have before it. What changes: fire() and snooze() return the job's id
-- (call sites that ignore the result work unchanged), and only roles given grant_usage() may call
-- them (0.1.x let every role; the epilogue carries explicit grants over and warns about PUBLIC).
DO $from_0_1$
DECLARE
  legacy regprocedure[] := ARRAY[
    pg_catalog.to_regprocedure('pgdispatch.fire(text)'),
    pg_catalog.to_regprocedure('pgdispatch.snooze(text, interval)'),
    pg_catalog.to_regprocedure('pgdispatch._schedule_job(text, interval)')];
  ext_name name;
  dependents text;
  pending bigint;
  owners text;
BEGIN
  IF legacy[1] IS NULL OR legacy[2] IS NULL THEN
    RAISE EXCEPTION 'this database does not have pg_dispatch 0.1.x''s pgdispatch.fire(text) and pgdispatch.snooze(text, interval)'
      USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = 'The upgrade from 0.1.x expects the functions 0.1.x created; restore them, or drop the extension and create it anew.';
  END IF;
  SELECT e.extname INTO ext_name
    FROM pg_catalog.pg_depend AS d JOIN pg_catalog.pg_extension AS e ON e.oid = d.refobjid
   WHERE d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND d.objid = legacy[1]
     AND d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass AND d.deptype = 'e';
  -- Your objects that call the old functions by reference (e.g. SQL functions with BEGIN ATOMIC
  -- bodies) would stop DROP FUNCTION at the end: say so now, by name.
  SELECT pg_catalog.string_agg(DISTINCT pg_catalog.pg_describe_object(d.classid, d.objid, d.objsubid), ', ')
    INTO dependents
    FROM pg_catalog.pg_depend AS d
   WHERE d.refclassid = 'pg_catalog.pg_proc'::pg_catalog.regclass
     AND d.refobjid = ANY (legacy) AND d.deptype = 'n';
  IF dependents IS NOT NULL THEN
    RAISE EXCEPTION 'pg_dispatch 0.1.x''s functions are referenced by: %', dependents
      USING ERRCODE = 'dependent_objects_still_exist',
            HINT = 'Drop those objects, run ALTER EXTENSION pg_dispatch UPDATE, and create them again: fire() and snooze() keep their names and arguments.';
  END IF;
  -- 0.1.x created its schema with IF NOT EXISTS: on a server older than the August 2022 minor
  -- releases (which refuse that), a schema that was there first is not the extension's. Make it
  -- so, as a fresh install has it.
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend AS d
                  WHERE d.classid = 'pg_catalog.pg_namespace'::pg_catalog.regclass
                    AND d.objid = 'pgdispatch'::pg_catalog.regnamespace AND d.deptype = 'e') THEN
    EXECUTE pg_catalog.format('ALTER EXTENSION %I ADD SCHEMA pgdispatch', ext_name);
  END IF;
  -- Free the names; the epilogue reads their grants, then drops them.
  ALTER FUNCTION pgdispatch.fire(text) RENAME TO _legacy_fire;
  ALTER FUNCTION pgdispatch.snooze(text, interval) RENAME TO _legacy_snooze;
  -- (pg_cron shows a role only its own jobs; the extension owner usually fired most of them.)
  SELECT pg_catalog.count(*), pg_catalog.string_agg(DISTINCT j.username::text, ', ')
    INTO pending, owners
    FROM cron.job AS j
   WHERE j.jobname ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
     AND j.command LIKE '%cron.unschedule(job_name := %';
  -- (A WARNING: PostgreSQL shows nothing quieter from an extension script.)
  IF pending > 0 THEN
    RAISE WARNING 'pg_dispatch: % command(s) fired with 0.1.x (by %) are still pending in pg_cron; they are kept and run as scheduled', pending, owners
      USING DETAIL = 'They run as 0.1.x ran them, so their outcome is not recorded in pgdispatch.jobs; what you fire from now on is.';
  END IF;
END
$from_0_1$;
