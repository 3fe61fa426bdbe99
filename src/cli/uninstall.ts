// pgdispatch uninstall: removes pg_dispatch's pg_cron jobs and drops the extension (and with
// --pg-tle, its registration with pg_tle). Every job and its recorded outcome goes with it.
import { connectFlags, extensionVersion, withClient, type Command } from './command.js';
import { CliError, UsageError, exitCode } from './exit.js';
import { printJson } from './output.js';

const unscheduleSql = `SELECT count(cron.unschedule(jobid))::int AS n FROM cron.job WHERE jobname LIKE 'pgdispatch\\_%'`;
// (pg_cron's row-level security shows a role only its own jobs; superusers see, and remove, all.)
// Running jobs would hold DROP EXTENSION up until they end: end their sessions, keep new ones out
// (as pg_tle/pg_dispatch-uninstall.sql does).
const haltSql = `
  SELECT pg_catalog.pg_terminate_backend(a.pid) FROM pg_catalog.pg_stat_activity AS a
   WHERE a.query LIKE 'DO $pgdispatch$%' AND a.pid <> pg_catalog.pg_backend_pid()
     AND pg_catalog.pg_has_role(a.usesysid, 'MEMBER');
  DO $halt$ BEGIN
    IF pg_catalog.to_regclass('pgdispatch._job') IS NOT NULL THEN  -- (0.1.x had no job table)
      LOCK TABLE pgdispatch._job IN ACCESS EXCLUSIVE MODE;
    END IF;
  END $halt$;`;

export const uninstall: Command = {
  name: 'uninstall',
  summary: 'drop pg_dispatch, its pg_cron jobs and every recorded job (asks for --yes)',
  usage: '--yes [--cascade] [--pg-tle] [--url URL] [--json]',
  help: [
    '--yes       required: every job and its outcome is deleted',
    '--cascade   also drop your objects that depend on pg_dispatch (e.g. views over pgdispatch.jobs)',
    '--pg-tle    also remove pg_dispatch from pg_tle (pgtle.uninstall_extension)',
  ],
  flags: { ...connectFlags, yes: 'boolean', cascade: 'boolean', 'pg-tle': 'boolean' },
  async run(p, io) {
    if (p.flags.yes !== true) throw new UsageError('uninstall deletes every job and its recorded outcome: run it again with --yes');
    return withClient(p, async (client) => {
      const version = await extensionVersion(client, 'pg_dispatch');
      let unscheduled = 0;
      if (version) {
        try {
          await client.query('BEGIN');
          await client.query(haltSql);
          unscheduled = (await client.query<{ n: number }>(unscheduleSql)).rows[0]!.n;
          await client.query(`DROP EXTENSION pg_dispatch${p.flags.cascade ? ' CASCADE' : ''}`);
          await client.query('COMMIT');
          // A carrier that was being scheduled at that moment.
          unscheduled += (await client.query<{ n: number }>(unscheduleSql)).rows[0]!.n;
        } catch (e) {
          await client.query('ROLLBACK').catch(() => {});
          const err = e as { message?: string; hint?: string; code?: string };
          throw new CliError(`could not uninstall pg_dispatch: ${err.message}`,
            err.code === '2BP01' ? 'Drop your objects that depend on it first, or pass --cascade.' : (err.hint ?? 'Connect as the extension\'s owner or a superuser.'),
            exitCode.failure);
        }
      }
      let pgTleRemoved = false;
      if (p.flags['pg-tle']) {
        const { rows } = await client.query(`SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'pg_tle'`);
        if (rows.length === 0) throw new CliError('--pg-tle: pg_tle is not installed in this database', undefined, exitCode.failure);
        const r = await client.query<{ n: number }>(`SELECT count(pgtle.uninstall_extension('pg_dispatch'))::int AS n FROM pgtle.available_extensions() WHERE name = 'pg_dispatch'`);
        pgTleRemoved = r.rows[0]!.n > 0;
      }
      if (io.json) printJson({ dropped: version !== null, version, unscheduledCronJobs: unscheduled, pgTleRemoved });
      if (!version) io.say('pg_dispatch is not installed in this database: nothing to drop.');
      else io.say(`${io.c.green('✓')} pg_dispatch ${version} dropped; ${unscheduled} pg_cron job(s) removed.`);
      if (pgTleRemoved) io.say('pg_dispatch removed from pg_tle.');
      return exitCode.ok;
    });
  },
};
