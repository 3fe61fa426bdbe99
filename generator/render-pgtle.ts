// The pg_tle bundle: one SQL file, runnable in any client, that installs the extension where no
// file can be copied (Supabase, RDS). Running it twice is harmless.
import type { ExtensionModel } from '../src/model/types.js';
import { sqlHeader } from './header.js';
import { literal } from './render-install.js';

function quoteScript(script: string): string {
  let tag = '$pgdispatch_tle$';
  for (let i = 1; script.includes(tag); i++) tag = `$pgdispatch_tle${i}$`;
  return `${tag}${script}${tag}`;
}

export function renderPgTle(model: ExtensionModel, installScript: string): string {
  const name = literal(model.name);
  const version = literal(model.version);
  const requires = `ARRAY[${model.requires.map(literal).join(', ')}]::text[]`;
  return `${sqlHeader}-- Installs ${model.name} ${model.version} through pg_tle (needs the role pgtle_admin), then:
--   CREATE EXTENSION ${model.name};   -- in the database where pg_cron is
-- Safe to run again: a version already installed is left as it is.
DO $bundle$
DECLARE
  script text := ${quoteScript(installScript)};
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_extension AS e WHERE e.extname = 'pg_tle') THEN
    RAISE EXCEPTION 'pg_tle is not installed in this database'
      USING ERRCODE = 'undefined_object',
            HINT = 'Add pg_tle to shared_preload_libraries, run CREATE EXTENSION pg_tle; and grant yourself pgtle_admin.';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pgtle.available_extensions() AS e WHERE e.name = ${name}) THEN
    IF pg_catalog.to_regprocedure('pgtle.install_extension(text, text, text, text, text[], text)') IS NOT NULL THEN
      -- pg_tle 1.5 and later: the schema is part of the control data.
      EXECUTE 'SELECT pgtle.install_extension($1, $2, $3, $4, $5, $6)'
        USING ${name}, ${version}, ${literal(model.comment)}, script, ${requires}, ${literal(model.schema)};
    ELSE
      PERFORM pgtle.install_extension(${name}, ${version}, ${literal(model.comment)}, script, ${requires});
    END IF;
  ELSIF NOT EXISTS (SELECT 1 FROM pgtle.available_extension_versions() AS v
                     WHERE v.name = ${name} AND v.version = ${version}) THEN
    PERFORM pgtle.install_extension_version_sql(${name}, ${version}, script);
  END IF;
  PERFORM pgtle.set_default_version(${name}, ${version});
END
$bundle$;
`;
}
