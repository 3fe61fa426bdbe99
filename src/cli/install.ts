// pgdispatch install: CREATE EXTENSION pg_dispatch, from the server's extension files when it has
// them, else through pg_tle (running pg_tle/pg_dispatch.sql first), else an explanation.
import type pg from 'pg';
import { extensionVersion as shipped } from '../client/generated/api.js';
import { stringFlag } from './args.js';
import { connectFlags, extensionVersion, withClient, type Command, type Io } from './command.js';
import { CliError, UsageError, exitCode } from './exit.js';
import { distSqlDir, pgTleBundle } from './project-files.js';
import { printJson } from './output.js';

/** How pg_dispatch gets into a database. */
export type Via = 'files' | 'pg_tle';

/** What the server offers: extension files, pg_tle. */
export async function ways(client: pg.Client): Promise<{ files: string | null; pgTle: boolean }> {
  const { rows } = await client.query<{ files: string | null; pgtle: boolean }>(`
    SELECT (SELECT default_version FROM pg_catalog.pg_available_extensions WHERE name = 'pg_dispatch') AS files,
           EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'pg_tle') AS pgtle`);
  return { files: rows[0]!.files, pgTle: rows[0]!.pgtle };
}

/**
 * Fails unless pg_cron >= 1.5 is in this database; creates it when the server has it, returning
 * its version then (null when it was there). Run inside install's transaction: nothing stays
 * created when a later step fails.
 */
export async function ensurePgCron(client: pg.Client, db: string): Promise<string | null> {
  if (await extensionVersion(client, 'pg_cron')) return null;
  try {
    await client.query('CREATE EXTENSION pg_cron');
  } catch (e) {
    throw pgCronRefused(e as { message?: string }, db);
  }
  return extensionVersion(client, 'pg_cron');
}

/** Why CREATE EXTENSION pg_cron failed, in pg_cron's terms, and what to do. */
function pgCronRefused(err: { message?: string }, db: string): CliError {
  const msg = err.message ?? '';
  const cronDb = /can only create extension in database (\S+)/.exec(msg)?.[1];
  if (cronDb) {
    return new CliError(`pg_cron runs jobs in database ${cronDb} (cron.database_name), not in ${db}: pg_dispatch can only be installed there`,
      `Run install against database ${cronDb}: pgdispatch install --url postgres://USER@HOST:PORT/${cronDb}  (or, to use ${db}, set cron.database_name = '${db}' and restart the server).`,
      exitCode.failure);
  }
  if (/shared_preload_libraries|unsafe to load/i.test(msg)) {
    return new CliError(`pg_cron is not preloaded on this server (${msg})`,
      'Add pg_cron to shared_preload_libraries (postgresql.conf or your provider\'s parameter group), restart the server, then install again.', exitCode.failure);
  }
  return new CliError(`pg_cron is not created in ${db} and could not be created: ${msg}`,
    'pg_dispatch needs pg_cron >= 1.5 in shared_preload_libraries, created in the database named by cron.database_name. Run `pgdispatch doctor` for details.',
    exitCode.failure);
}

function explainNoWay(): string {
  return [
    'This server has neither pg_dispatch\'s extension files nor pg_tle. Either:',
    `  - copy ${distSqlDir()}/pg_dispatch.control and pg_dispatch--${shipped}.sql into $(pg_config --sharedir)/extension on the server, then run install again; or`,
    '  - install pg_tle (shared_preload_libraries = \'pg_tle,pg_cron\'; CREATE EXTENSION pg_tle;), then run install again (it uses --via pg_tle).',
  ].join('\n');
}

/** Registers pg_dispatch with pg_tle by running the bundle (harmless when already registered). */
export async function runPgTleBundle(client: pg.Client): Promise<void> {
  await client.query(pgTleBundle().sql);
}

export const install: Command = {
  name: 'install',
  summary: 'create pg_dispatch in the database (from extension files or through pg_tle)',
  usage: '[--via files|pg_tle] [--url URL] [--json]',
  help: [
    '--via files    CREATE EXTENSION from the files in the server\'s extension directory',
    '--via pg_tle   register pg_tle/pg_dispatch.sql with pg_tle first (Supabase, RDS)',
    'Without --via: files when the server has them, else pg_tle when it is installed.',
  ],
  flags: { ...connectFlags, via: 'string' },
  async run(p, io) {
    const forced = stringFlag(p, 'via');
    if (forced !== undefined && forced !== 'files' && forced !== 'pg_tle') throw new UsageError(`--via must be files or pg_tle, not ${JSON.stringify(forced)}`);
    return withClient(p, async (client) => {
      const db = client.database ?? '';
      const present = await extensionVersion(client, 'pg_dispatch');
      if (present) {
        const newer = present !== shipped;
        if (io.json) printJson({ installed: true, version: present, via: null, alreadyInstalled: true });
        io.say(`pg_dispatch ${present} is already installed in ${db}.${newer ? ` This CLI ships ${shipped}: run \`pgdispatch upgrade\`.` : ''}`);
        return exitCode.ok;
      }
      // One transaction: a failure leaves the database as it was (pg_cron not half-installed for
      // nothing), and what is printed afterwards is what happened.
      await client.query('BEGIN');
      try {
        return await installIn(client, io, db, forced);
      } finally {
        await client.query('ROLLBACK').catch(() => {}); // a no-op after COMMIT
      }
    });
  },
};

/** Installs pg_dispatch inside the caller's transaction, and commits only when it is all done. */
async function installIn(client: pg.Client, io: Io, db: string, forced: Via | undefined): Promise<number> {
  const cronCreated = await ensurePgCron(client, db);
  const w = await ways(client);
  let via: Via;
  if (forced === 'files') {
    if (!w.files) {
      throw new CliError('--via files: the server has no pg_dispatch extension files',
        `Copy ${distSqlDir()}/pg_dispatch.control and pg_dispatch--${shipped}.sql into $(pg_config --sharedir)/extension on the server (files cannot be copied from here), or use --via pg_tle.`,
        exitCode.failure);
    }
    via = 'files';
  } else if (forced === 'pg_tle') {
    if (!w.pgTle) {
      throw new CliError('--via pg_tle: pg_tle is not installed in this database',
        'Add pg_tle to shared_preload_libraries, run CREATE EXTENSION pg_tle; and grant yourself pgtle_admin; or use --via files.',
        exitCode.failure);
    }
    via = 'pg_tle';
  } else if (w.files) {
    via = 'files';
  } else if (w.pgTle) {
    via = 'pg_tle';
  } else {
    throw new CliError('cannot install pg_dispatch here', explainNoWay(), exitCode.failure);
  }
  try {
    if (via === 'pg_tle') await runPgTleBundle(client);
    await client.query('CREATE EXTENSION pg_dispatch');
  } catch (e) {
    const err = e as { message?: string; hint?: string; detail?: string };
    throw new CliError(`CREATE EXTENSION pg_dispatch failed: ${err.message}${err.detail ? `\n${err.detail}` : ''}\nNothing was changed${cronCreated ? ' (pg_cron was not created either)' : ''}.`,
      err.hint ?? 'Run `pgdispatch doctor` to see what is missing.', exitCode.failure);
  }
  const version = await extensionVersion(client, 'pg_dispatch');
  await client.query('COMMIT');
  if (io.json) printJson({ installed: true, version, via, alreadyInstalled: false, pgCronCreated: cronCreated });
  if (cronCreated) io.say(`${io.c.green('✓')} pg_cron ${cronCreated} created in ${db}.`);
  io.say(`${io.c.green('✓')} pg_dispatch ${version} installed in ${db} (via ${via === 'files' ? 'extension files' : 'pg_tle'}).`);
  io.say(`Next: allow the roles that fire jobs, e.g.  SELECT pgdispatch.grant_usage('app_user');`);
  return exitCode.ok;
}
