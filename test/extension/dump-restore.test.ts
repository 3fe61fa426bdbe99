// pg_dump and pg_restore of a database that has pg_dispatch. pg_cron dumps the rows of cron.job;
// pg_restore creates the extensions first and copies those rows back afterwards. The restore must
// go through without an error, with the database's own pg_cron jobs, and pg_dispatch must work
// after it. (pg_dispatch's jobs and settings are not part of a dump: see the README.)
// Needs the local test server's packages: two new clusters, one to dump and one to restore into,
// so that nothing the other test files left (their roles, their tables) comes into it.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { waitFor, waitForJob } from '../setup/db.js';
import { freePort, repoRoot } from '../setup/server.js';

const run = promisify(execFile);
const localPg = join(repoRoot, 'scripts', 'local-pg.sh');
const dumpFile = '/tmp/pgdispatch-dump-restore-test.pgdump'; // inside the servers' root (local-pg.sh exec)

/** A new cluster (its database pgdispatch is pg_cron's), connected; stopped and removed by `end`. */
async function cluster(name: string): Promise<{ client: pg.Client; port: number; end: () => Promise<void> }> {
  const port = await freePort();
  await run(localPg, ['destroy', name]);
  const { stdout: url } = await run(localPg, ['start', name, String(port)], { maxBuffer: 16 << 20 });
  const client = new pg.Client({ connectionString: url.trim() });
  await client.connect();
  client.on('error', () => {});
  return { client, port, end: async () => { await client.end().catch(() => {}); await run(localPg, ['destroy', name]); } };
}

const pgTool = (tool: string, port: number, ...args: string[]) =>
  run(localPg, ['exec', tool, '-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', 'pgdispatch', ...args]);

describe('pg_dump and pg_restore', () => {
  it('restore without an error, keeping the database\'s pg_cron jobs; pg_dispatch works after', async (ctx) => {
    if (inject('serverKind') !== 'local') {
      console.log('dump/restore test SKIPPED: it needs the local test server\'s packages (two new clusters)');
      ctx.skip();
    }
    const source = await cluster(`${inject('localName')}-dump`);
    const target = await cluster(`${inject('localName')}-restore`);
    try {
      const db = source.client;
      await db.query('CREATE EXTENSION pg_dispatch CASCADE');
      await db.query(`SELECT cron.schedule('dump_user_job', '0 3 * * *', 'SELECT 1')`);
      const { rows: [{ id }] } = await db.query(`SELECT pgdispatch.fire('SELECT 1') AS id`);
      await waitForJob(db, id);
      // Pending at the dump: its carrier is in cron.job (dumped), its row in pgdispatch._job is not.
      const { rows: [{ id: pending }] } = await db.query(`SELECT pgdispatch.snooze('SELECT 3', '10 seconds') AS id`);
      await pgTool('pg_dump', source.port, '-Fc', '-f', dumpFile);
      await source.end(); // (its jobs must not run what the restored ones run)

      // --exit-on-error: the restore fails on the first error instead of going on without it.
      await pgTool('pg_restore', target.port, '--exit-on-error', dumpFile);
      const restored = target.client;
      // pg_cron keeps each job's server port, and a restore normally comes up on the old port; here
      // it does not, so point the restored jobs at the restored server.
      await restored.query('UPDATE cron.job SET nodeport = $1', [target.port]);
      const { rows } = await restored.query(`SELECT jobname FROM cron.job ORDER BY 1`);
      expect(rows.map((r) => r.jobname)).toEqual(expect.arrayContaining(
        ['dump_user_job', 'pgdispatch_maintenance', 'pgdispatch_reboot', `pgdispatch_job_${pending}`]));
      const { rows: [{ id: again }] } = await restored.query(`SELECT pgdispatch.fire('SELECT 2 AS two') AS id`);
      const job = await waitForJob(restored, again);
      expect(job.status).toBe('succeeded');
      expect(job.rows).toEqual([{ two: 2 }]);
      // The pending job's carrier came back without its job: it finds nothing and removes itself.
      await waitFor('the orphaned carrier to remove itself', async () =>
        (await restored.query(`SELECT 1 FROM cron.job WHERE jobname = $1`, [`pgdispatch_job_${pending}`])).rowCount === 0 ? true : undefined,
        { timeoutMs: 30_000 });
    } finally {
      await source.end();
      await target.end();
    }
  });
});
