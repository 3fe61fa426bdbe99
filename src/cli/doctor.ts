// pgdispatch doctor: checks what pg_dispatch needs, one line each, and says what to fix.
import type pg from 'pg';
import { extensionVersion as shipped } from '../client/generated/api.js';
import { connectFlags, withClient, type Command, type Io } from './command.js';
import { cronPreload } from './cron-preload.js';
import { exitCode } from './exit.js';
import { printJson } from './output.js';

/** The outcome of one check. */
export interface Check {
  readonly name: string;
  readonly result: 'ok' | 'warn' | 'fail' | 'info';
  readonly detail: string;
  /** What to do about it. */
  readonly fix?: string;
}

const newer = (v: string, min: readonly number[]): boolean => {
  const parts = v.split('-')[0]!.split('.').map(Number);
  for (let i = 0; i < min.length; i++) {
    if ((parts[i] ?? 0) !== min[i]) return (parts[i] ?? 0) > min[i]!;
  }
  return true;
};

async function one<T>(client: pg.Client, sql: string): Promise<T> {
  return (await client.query(sql)).rows[0] as T;
}

/**
 * What to do when pg_dispatch is not installed: `pgdispatch install` only where it can work (it
 * needs pg_cron, which lives in the one database cron.database_name names).
 */
function installFix(db: string, crondb: string | null, preloaded: boolean | null, cronHere: boolean, cronOffered: boolean): string {
  if (preloaded === false) return 'Preload pg_cron first (see above); then, in the database cron.database_name names: pgdispatch install';
  if (crondb !== null && crondb !== db) return `pg_dispatch goes where pg_cron runs jobs, database ${crondb} (cron.database_name): pgdispatch install --url with /${crondb} as the database`;
  if (cronHere || crondb === db) return cronOffered || cronHere ? 'pgdispatch install' : 'Install pg_cron >= 1.5 on the server first (e.g. the postgresql-NN-cron package); then pgdispatch install';
  return `pg_cron is not created in ${db}, and cron.database_name (the one database where it can be) cannot be read by this role: ask an admin which database it names, and run pgdispatch install there`;
}

/** Runs every check against the connected database. */
export async function diagnose(client: pg.Client): Promise<Check[]> {
  const checks: Check[] = [];
  const s = await one<{
    db: string; me: string; superuser: boolean; version: string; crondb: string | null;
    cron_ext: string | null; cron_avail: string | null; pd_ext: string | null; pd_avail: string | null;
    tle_ext: string | null; tle_avail: string | null; launcher: boolean | null; bgw: string | null; can_create: boolean; stats_visible: boolean;
  }>(client, `
    SELECT current_database() AS db, current_user AS me,
           (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser,
           current_setting('server_version') AS version,
           (SELECT setting FROM pg_settings WHERE name = 'cron.database_name') AS crondb,
           (SELECT extversion FROM pg_extension WHERE extname = 'pg_cron') AS cron_ext,
           (SELECT default_version FROM pg_available_extensions WHERE name = 'pg_cron') AS cron_avail,
           (SELECT extversion FROM pg_extension WHERE extname = 'pg_dispatch') AS pd_ext,
           (SELECT default_version FROM pg_available_extensions WHERE name = 'pg_dispatch') AS pd_avail,
           (SELECT extversion FROM pg_extension WHERE extname = 'pg_tle') AS tle_ext,
           (SELECT default_version FROM pg_available_extensions WHERE name = 'pg_tle') AS tle_avail,
           (SELECT count(*) > 0 FROM pg_stat_activity WHERE backend_type = 'pg_cron launcher') AS launcher,
           (SELECT setting FROM pg_settings WHERE name = 'cron.use_background_workers') AS bgw,
           has_database_privilege(current_database(), 'CREATE') AS can_create,
           pg_has_role('pg_read_all_stats', 'USAGE') AS stats_visible`);

  checks.push({ name: 'server', result: 'ok', detail: `PostgreSQL ${s.version}, database ${s.db}, role ${s.me}${s.superuser ? ' (superuser)' : ''}` });

  const unreadable = 'cannot be read by this role (needs pg_read_all_settings)';
  const pre = await cronPreload(client);
  const preloaded = pre.preloaded;
  if (preloaded === null) {
    checks.push({ name: 'pg_cron preloaded', result: 'warn', detail: `unknown: ${pre.how}`,
      fix: 'Ask an admin to check that shared_preload_libraries includes pg_cron, or run doctor as a superuser.' });
  } else if (preloaded) {
    checks.push({ name: 'pg_cron preloaded', result: 'ok', detail: pre.libraries !== null ? pre.how : `yes: ${pre.how}` });
  } else {
    checks.push({ name: 'pg_cron preloaded', result: 'fail', detail: pre.libraries !== null ? `${pre.how} lacks pg_cron` : `no: ${pre.how}`,
      fix: `Add pg_cron to shared_preload_libraries (postgresql.conf or your provider's parameter group) and restart the server.` });
  }

  if (preloaded === false) {
    checks.push({ name: 'cron.database_name', result: 'info', detail: 'pg_cron is not loaded: it runs jobs in no database until it is preloaded' });
  } else if (s.crondb === null) {
    checks.push(s.cron_ext
      ? { name: 'cron.database_name', result: 'ok', detail: `${s.db} (pg_cron is created here; the setting ${unreadable})` }
      : preloaded === null
        ? { name: 'cron.database_name', result: 'warn', detail: `unknown: the setting ${unreadable}`, fix: 'pg_dispatch must be created in the database it names (default postgres).' }
        : { name: 'cron.database_name', result: 'warn', detail: `unknown: the setting ${unreadable}; pg_cron is not created in ${s.db}`,
            fix: 'pg_cron and pg_dispatch live in the database cron.database_name names (default postgres): ask an admin which, and connect there.' });
  } else if (s.crondb !== s.db) {
    checks.push({ name: 'cron.database_name', result: 'fail', detail: `is ${s.crondb}, but you are connected to ${s.db}`,
      fix: `Connect to database ${s.crondb} (pg_cron and pg_dispatch must live there), or set cron.database_name = '${s.db}' and restart.` });
  } else {
    checks.push({ name: 'cron.database_name', result: 'ok', detail: `${s.crondb} (this database)` });
  }

  if (s.cron_ext) {
    checks.push(newer(s.cron_ext, [1, 5])
      ? { name: 'pg_cron version', result: 'ok', detail: `pg_cron ${s.cron_ext}` }
      : { name: 'pg_cron version', result: 'fail', detail: `pg_cron ${s.cron_ext} is older than 1.5 (no seconds schedules)`,
          fix: s.cron_avail && newer(s.cron_avail, [1, 5]) ? 'ALTER EXTENSION pg_cron UPDATE;' : 'Install pg_cron 1.5 or later on the server, then ALTER EXTENSION pg_cron UPDATE;' });
  } else if (s.crondb !== null && s.crondb !== s.db) {
    // Not a problem of its own: it belongs in the other database (reported above).
    checks.push({ name: 'pg_cron version', result: 'info', detail: `pg_cron is not created in ${s.db}: it can only be created in ${s.crondb} (cron.database_name)` });
  } else {
    checks.push({ name: 'pg_cron version', result: 'fail', detail: `pg_cron is not created in ${s.db}${s.cron_avail ? ` (the server offers ${s.cron_avail})` : ' and the server does not offer it'}`,
      fix: s.cron_avail ? 'CREATE EXTENSION pg_cron;  (in the database named by cron.database_name)' : 'Install pg_cron >= 1.5 on the server (e.g. the postgresql-NN-cron package).' });
  }

  if (s.cron_ext) {
    checks.push(s.launcher
      ? { name: 'pg_cron running', result: 'ok', detail: `the pg_cron launcher is running${s.bgw === 'on' ? ' (background workers)' : ''}` }
      : s.stats_visible
        ? { name: 'pg_cron running', result: 'warn', detail: 'no pg_cron launcher in pg_stat_activity',
            fix: 'Check the server log for pg_cron errors; without the launcher no job starts.' }
        : { name: 'pg_cron running', result: 'info', detail: 'cannot be seen by this role (pg_stat_activity needs pg_read_all_stats)' });
  }

  if (s.pd_ext) {
    checks.push({ name: 'pg_dispatch', result: s.pd_ext === shipped ? 'ok' : 'warn', detail: `pg_dispatch ${s.pd_ext} installed`,
      ...(s.pd_ext !== shipped ? { fix: `This CLI ships ${shipped}: pgdispatch upgrade` } : {}) });
  } else {
    checks.push({ name: 'pg_dispatch', result: 'fail', detail: `not installed in ${s.db}${s.pd_avail ? ` (the server has its files, version ${s.pd_avail})` : ''}`,
      fix: installFix(s.db, s.crondb, preloaded, s.cron_ext !== null, s.cron_avail !== null) });
  }

  checks.push(s.tle_ext
    ? { name: 'pg_tle', result: 'info', detail: `pg_tle ${s.tle_ext} installed: pgdispatch install can use it (--via pg_tle)` }
    : { name: 'pg_tle', result: 'info', detail: s.tle_avail ? `available (${s.tle_avail}) but not created` : 'not available (only needed where extension files cannot be copied)',
        ...(s.tle_avail && !s.pd_avail ? { fix: 'CREATE EXTENSION pg_tle;  then pgdispatch install' } : {}) });

  if (s.pd_ext) {
    const r = await one<{ fire: boolean; admin: boolean }>(client, `
      SELECT has_schema_privilege('pgdispatch', 'USAGE') AND coalesce(bool_and(has_function_privilege(p.oid, 'EXECUTE')) FILTER (WHERE p.proname = 'fire'), false) AS fire,
             has_schema_privilege('pgdispatch', 'USAGE') AND coalesce(bool_and(has_function_privilege(p.oid, 'EXECUTE')) FILTER (WHERE p.proname = 'purge'), false) AS admin
        FROM pg_proc AS p WHERE p.pronamespace = 'pgdispatch'::regnamespace AND p.proname IN ('fire', 'purge')`);
    checks.push(r.fire
      ? { name: 'rights', result: 'ok', detail: `${s.me} may fire jobs${r.admin ? ' and administer pg_dispatch' : ''}` }
      : { name: 'rights', result: 'fail', detail: `${s.me} may not fire jobs`,
          fix: `As the extension owner or a superuser: SELECT pgdispatch.grant_usage('${s.me}');` });
    // pg_cron shows a role only its own jobs; a superuser sees the maintenance job whoever owns it.
    if (s.superuser) {
      // (It comes with the first job, not at install: no jobs yet, nothing to maintain.)
      const m = await one<{ n: number; pending: boolean }>(client, `
        SELECT (SELECT count(*)::int FROM cron.job WHERE jobname = 'pgdispatch_maintenance') AS n,
               EXISTS (SELECT 1 FROM pgdispatch._job WHERE status IN ('scheduled', 'running')) AS pending`);
      if (m.n === 0 && m.pending) {
        checks.push({ name: 'maintenance job', result: 'warn', detail: 'pg_dispatch\'s maintenance job is not scheduled in pg_cron, and jobs are waiting',
          fix: 'The next fire() schedules it; or, as an admin: UPDATE pgdispatch.settings SET warm_runner = warm_runner;' });
      }
    }
  } else if (!s.superuser && !s.can_create) {
    checks.push({ name: 'rights', result: 'warn', detail: `${s.me} may not create objects in ${s.db}`,
      fix: 'Install as a superuser, the database owner, or (with pg_tle) a member of pgtle_admin.' });
  }
  return checks;
}

function print(io: Io, checks: readonly Check[]): void {
  const mark = { ok: io.c.green('✓'), warn: io.c.yellow('!'), fail: io.c.red('✗'), info: io.c.blue('i') };
  for (const ch of checks) {
    io.say(`${mark[ch.result]} ${ch.name.padEnd(19)} ${ch.detail}`);
    if (ch.fix) io.say(`  ${' '.repeat(19)} ${io.c.bold('fix:')} ${ch.fix}`);
  }
}

export const doctor: Command = {
  name: 'doctor',
  summary: 'check pg_cron, its preload and database, rights and pg_tle, and say what to fix',
  usage: '[--url URL] [--json]',
  flags: connectFlags,
  async run(p, io) {
    return withClient(p, async (client) => {
      const checks = await diagnose(client);
      const failed = checks.filter((c) => c.result === 'fail').length;
      if (io.json) printJson({ ok: failed === 0, checks });
      print(io, checks);
      io.say(failed ? `\n${failed} problem(s) to fix.` : '\nAll good.');
      return failed ? exitCode.failure : exitCode.ok;
    });
  },
};
