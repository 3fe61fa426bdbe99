// Checks that run before anything is created: CREATE EXTENSION must fail early, with a hint,
// where pg_dispatch cannot work (no pg_cron here, or an old one). Upgrades run it too.
// The control file also `requires` pg_cron, but pg_tle's handling of non-TLE requirements had
// bugs (pg_tle #183), so the script checks for itself.
import { dedent, statement } from '../model/define.js';

export const preamble = statement('preamble', dedent(`
  DO $preamble$
  DECLARE
    cron_version text;
  BEGIN
    SELECT e.extversion INTO cron_version FROM pg_catalog.pg_extension AS e WHERE e.extname = 'pg_cron';
    IF cron_version IS NULL THEN
      RAISE EXCEPTION 'pg_dispatch needs pg_cron in this database (%)', pg_catalog.current_database()
        USING ERRCODE = 'undefined_object',
              DETAIL = 'pg_cron can only be created in the one database named by its setting cron.database_name (default postgres).',
              HINT = 'Connect to that database, run CREATE EXTENSION pg_cron; and create pg_dispatch there. pg_cron must be in shared_preload_libraries.';
    END IF;
    IF pg_catalog.string_to_array(pg_catalog.split_part(cron_version, '-', 1), '.')::integer[] < ARRAY[1, 5] THEN
      RAISE EXCEPTION 'pg_dispatch needs pg_cron 1.5 or later, found %', cron_version
        USING ERRCODE = 'feature_not_supported',
              DETAIL = 'pg_dispatch schedules each job with a seconds interval, which pg_cron has had since 1.5.',
              HINT = 'Upgrade pg_cron (ALTER EXTENSION pg_cron UPDATE after installing a newer package).';
    END IF;
  END
  $preamble$;
`));
