// pgdispatch uninstall: runs the uninstall script the project ships (pg_tle/pg_dispatch-uninstall.sql):
// stops running jobs, removes pg_dispatch's pg_cron jobs, drops the extension with every recorded
// job, and removes its registration with pg_tle.
import { connectFlags, extensionVersion, withClient, type Command } from './command.js';
import { CliError, UsageError, exitCode } from './exit.js';
import { printJson } from './output.js';
import { uninstallScript } from './project-files.js';

/** What there is to remove: pg_dispatch's pg_cron jobs (pg_cron shows a role its own; a superuser
 * all) and its registration with pg_tle (asked only where pg_tle exists). */
async function counts(client: import('pg').Client): Promise<{ cronJobs: number; tle: boolean }> {
  const cron = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM cron.job WHERE jobname LIKE 'pgdispatch\\_%'`);
  const hasTle = (await client.query(`SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'pg_tle'`)).rowCount! > 0;
  const tle = hasTle
    ? (await client.query(`SELECT 1 FROM pgtle.available_extensions() WHERE name = 'pg_dispatch'`)).rowCount! > 0
    : false;
  return { cronJobs: cron.rows[0]!.n, tle };
}

export const uninstall: Command = {
  name: 'uninstall',
  summary: 'drop pg_dispatch, its pg_cron jobs, every recorded job and its pg_tle registration (asks for --yes)',
  usage: '--yes [--cascade] [--url URL] [--json]',
  help: [
    '--yes       required: every job and its outcome is deleted; running jobs are stopped',
    '--cascade   also drop your objects that depend on pg_dispatch (e.g. views over pgdispatch.jobs)',
    'Runs pg_tle/pg_dispatch-uninstall.sql, the script to use without the CLI.',
  ],
  flags: { ...connectFlags, yes: 'boolean', cascade: 'boolean' },
  async run(p, io) {
    if (p.flags.yes !== true) throw new UsageError('uninstall deletes every job and its recorded outcome: run it again with --yes');
    return withClient(p, async (client) => {
      const version = await extensionVersion(client, 'pg_dispatch');
      const before = await counts(client);
      try {
        await client.query('BEGIN');
        if (p.flags.cascade) await client.query('SET LOCAL pgdispatch.uninstall_cascade = on');
        await client.query(uninstallScript());
        await client.query('COMMIT');
      } catch (e) {
        await client.query('ROLLBACK').catch(() => {});
        const err = e as { message?: string; detail?: string; hint?: string; code?: string };
        throw new CliError(`could not uninstall pg_dispatch: ${err.message}${err.detail ? `\n${err.detail}` : ''}`,
          err.code === '2BP01' ? 'Drop your objects that depend on it first, or pass --cascade.' : (err.hint ?? 'Connect as the extension\'s owner or a superuser.'),
          exitCode.failure);
      }
      const after = await counts(client);
      const unscheduled = before.cronJobs - after.cronJobs;
      const pgTleRemoved = before.tle && !after.tle;
      if (io.json) printJson({ dropped: version !== null, version, unscheduledCronJobs: unscheduled, pgTleRemoved });
      if (!version) io.say('pg_dispatch is not installed in this database: nothing to drop.');
      else io.say(`${io.c.green('✓')} pg_dispatch ${version} dropped; ${unscheduled} pg_cron job(s) removed.`);
      if (pgTleRemoved) io.say('pg_dispatch removed from pg_tle.');
      return exitCode.ok;
    });
  },
};
