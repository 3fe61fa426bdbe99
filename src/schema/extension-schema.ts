// Schema pgdispatch, created by the script itself so that it belongs to the extension: DROP
// EXTENSION removes it, a database where pg_dispatch 0.1.x created it the same way upgrades into
// the same catalog as a fresh install, and database.dev (which does not publish the control file's
// `schema`) installs it like any other way. The control file therefore names no schema.
import { dedent, statement } from '../model/define.js';

export const schemaCreate = statement('schema', dedent(`
  DO $schema$
  BEGIN
    -- CREATE SCHEMA would fail anyway; say why, and what to do.
    IF pg_catalog.to_regnamespace('pgdispatch') IS NOT NULL THEN
      RAISE EXCEPTION 'schema pgdispatch already exists and does not belong to pg_dispatch'
        USING ERRCODE = 'duplicate_schema',
              DETAIL = 'pg_dispatch creates its schema itself, so that DROP EXTENSION removes it.',
              HINT = 'Drop the schema if it is a leftover (DROP SCHEMA pgdispatch;), then CREATE EXTENSION pg_dispatch again.';
    END IF;
  END
  $schema$;
  CREATE SCHEMA pgdispatch;
`));

// Also run by upgrades from 0.1.x, whose schema exists already with another comment.
export const schemaSetup = statement('schema-setup', dedent(`
  COMMENT ON SCHEMA pgdispatch IS 'pg_dispatch: run SQL asynchronously. Call pgdispatch.fire(), read pgdispatch.jobs.';
  REVOKE ALL ON SCHEMA pgdispatch FROM PUBLIC;
`));
