// The role every runner identity is a member of, holding what runners may call (see runner-for.sql).
// Granted here, in the install script, rather than to each runner identity when it is made:
// PostgreSQL records an extension script's grants as the objects' initial privileges, which
// pg_dump leaves out, while grants made later to roles named after OIDs of this cluster would be
// dumped and fail a restore into any other. Its name is fixed: pg_cron serves one database per
// cluster, so one pg_dispatch does. A role of that name that already exists is used as it is:
// membership in it gives nothing by itself, since every runner function first checks that the
// session user is a registered runner identity (see _served_role).
import { dedent, statement } from '../model/define.js';

export const RUNNER_GROUP = 'pgdispatch_runners';

export const runnerGroup = statement('runner-group', dedent(`
  DO $runners$
  BEGIN
    IF pg_catalog.to_regrole('${RUNNER_GROUP}') IS NULL THEN
      CREATE ROLE ${RUNNER_GROUP} NOLOGIN;
    END IF;
  EXCEPTION WHEN insufficient_privilege THEN
    RAISE EXCEPTION 'pg_dispatch needs to create roles: its jobs run in sessions of login roles of their own'
      USING ERRCODE = 'insufficient_privilege',
            DETAIL = 'Each role''s jobs run as a login role that holds nothing, so that nothing a job leaves for COMMIT can run with the extension owner''s rights.',
            HINT = 'Create the extension as a role with CREATEROLE (Supabase''s postgres and RDS''s rds_superuser have it).';
  END
  $runners$;
  GRANT USAGE ON SCHEMA pgdispatch TO ${RUNNER_GROUP};
`));
