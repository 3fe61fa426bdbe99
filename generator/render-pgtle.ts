// The pg_tle bundle: one SQL statement, runnable in any client, that registers every version of the
// extension and every upgrade path with pg_tle (for Supabase, RDS: no file can be copied there),
// and makes the newest the default. Running it again is harmless; running a newer bundle over an
// older one adds what is new, after which ALTER EXTENSION pg_dispatch UPDATE upgrades in place.
// Also the uninstall script, which removes pg_dispatch whichever way it was installed.
import type { ExtensionModel } from '../src/model/types.js';
import { sqlFile } from '../src/model/define.js';
import { sqlHeader } from './header.js';
import { literal } from './render-install.js';

/** A script to register: an install script (from = to) or an upgrade script. */
export interface Script {
  readonly file: string;
  readonly from: string;
  readonly to: string;
  readonly sql: string;
}

function quoteScript(script: string): string {
  let tag = '$pgdispatch_tle$';
  for (let i = 1; script.includes(tag); i++) tag = `$pgdispatch_tle${i}$`;
  return `${tag}${script}${tag}`;
}

export function renderPgTle(model: ExtensionModel, installs: readonly Script[], upgrades: readonly Script[]): string {
  const name = literal(model.name);
  const version = literal(model.version);
  const comment = literal(model.comment);
  const requires = `ARRAY[${model.requires.map(literal).join(', ')}]`;
  const array = (items: string[]): string => (items.length ? `ARRAY[\n    ${items.join(',\n    ')}\n  ]` : "'{}'::text[]");
  return `${sqlHeader}-- Registers ${model.name} with pg_tle: versions ${installs.map((s) => s.to).join(', ')}; upgrade paths
-- ${upgrades.map((s) => `${s.from} -> ${s.to}`).join(', ') || 'none'}; default ${model.version}. Needs the role pgtle_admin. Then, in the
-- database where pg_cron is:  CREATE EXTENSION ${model.name};  or, if it is there already:
-- ALTER EXTENSION ${model.name} UPDATE;
-- Safe to run again: what is registered already is kept (released scripts never change).
DO $bundle$
DECLARE
  versions text[] := ${array(installs.map((s) => literal(s.to)))};
  version_scripts text[] := ${array(installs.map((s) => quoteScript(s.sql)))};
  sources text[] := ${array(upgrades.map((s) => literal(s.from)))};
  targets text[] := ${array(upgrades.map((s) => literal(s.to)))};
  upgrade_scripts text[] := ${array(upgrades.map((s) => quoteScript(s.sql)))};
  v record;
  u record;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_extension AS e WHERE e.extname = 'pg_tle') THEN
    RAISE EXCEPTION 'pg_tle is not installed in this database'
      USING ERRCODE = 'undefined_object',
            HINT = 'Add pg_tle to shared_preload_libraries, run CREATE EXTENSION pg_tle; and grant yourself pgtle_admin.';
  END IF;
  -- Registered by something else (e.g. pg_dispatch 0.1.x's files, which required pgcrypto): start
  -- over, so that the control data (requires, comment) is this bundle's. pg_tle cannot do that
  -- while the extension exists in this database (it depends on the control data): then keep it.
  IF EXISTS (SELECT 1 FROM pgtle.available_extension_versions() AS a
              WHERE a.name = ${name}
                AND (a.comment IS DISTINCT FROM ${comment}
                     -- (pg_tle lists itself among the requirements)
                     OR ARRAY(SELECT r::text FROM unnest(a.requires) AS r WHERE r <> 'pg_tle' ORDER BY 1)
                        IS DISTINCT FROM ARRAY(SELECT r FROM unnest(${requires}) AS r ORDER BY 1))) THEN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_extension AS e WHERE e.extname = ${name}) THEN
      PERFORM pgtle.uninstall_extension(${name});
    ELSE
      RAISE NOTICE '${model.name} was registered with pg_tle by another release, whose control data (requires, comment) pg_tle keeps while the extension exists'
        USING DETAIL = 'Upgrading works all the same; the extension keeps depending on what that release required (pgcrypto for 0.1.x).';
    END IF;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pgtle.available_extensions() AS a WHERE a.name = ${name}) THEN
    -- (five arguments: pg_tle 1.5 added a sixth, the schema, which pg_dispatch does not use)
    PERFORM pgtle.install_extension(${name}, ${version}, ${comment},
                                    version_scripts[pg_catalog.array_position(versions, ${version})],
                                    ${requires});
  END IF;
  FOR v IN SELECT t.version, t.script FROM unnest(versions, version_scripts) AS t(version, script)
            WHERE NOT EXISTS (SELECT 1 FROM pgtle.available_extension_versions() AS a
                               WHERE a.name = ${name} AND a.version = t.version)
  LOOP
    PERFORM pgtle.install_extension_version_sql(${name}, v.version, v.script);
  END LOOP;
  FOR u IN SELECT t.source, t.target, t.script FROM unnest(sources, targets, upgrade_scripts) AS t(source, target, script)
            WHERE NOT EXISTS (SELECT 1 FROM pgtle.extension_update_paths(${name}) AS p
                               WHERE p.source = t.source AND p.target = t.target
                                 AND p.path = t.source || '--' || t.target)
  LOOP
    PERFORM pgtle.install_update_path(${name}, u.source, u.target, u.script);
  END LOOP;
  PERFORM pgtle.set_default_version(${name}, ${version});
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_extension AS e WHERE e.extname = ${name} AND e.extversion <> ${version}) THEN
    RAISE NOTICE '${model.name} % is installed in this database; % is now available',
      (SELECT e.extversion FROM pg_catalog.pg_extension AS e WHERE e.extname = ${name}), ${version}
      USING HINT = 'Upgrade it in place, keeping every job: ALTER EXTENSION ${model.name} UPDATE;';
  END IF;
END
$bundle$;
`;
}

const uninstall = sqlFile(new URL('../src/admin/', import.meta.url).href, 'uninstall.sql');

export function renderPgTleUninstall(model: ExtensionModel): string {
  return `${sqlHeader}-- Removes ${model.name} from this database, however it was installed (files, pg_tle, database.dev):
-- its pg_cron jobs and their run history, every recorded job, its schemas, and its registration
-- with pg_tle. Run it as the extension's owner (or a superuser, who also sees other roles' jobs).
${uninstall}`;
}
