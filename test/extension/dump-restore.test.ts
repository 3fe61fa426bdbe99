// pg_dump and pg_restore of a database that has pg_dispatch. pg_cron dumps the rows of cron.job;
// pg_restore creates the extensions first and copies those rows back afterwards. The restore must
// go through without an error, with the database's own pg_cron jobs, and pg_dispatch must work
// after it. (pg_dispatch's jobs and settings are not part of a dump: see the README.)
// Needs the local test server: a second cluster is made from the same packages to restore into.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connect, databaseUrl, freshExtension, waitFor, waitForJob } from '../setup/db.js';
import { freePort, repoRoot } from '../setup/server.js';

const run = promisify(execFile);
const localPg = join(repoRoot, 'scripts', 'local-pg.sh');
const dumpFile = '/tmp/pgdispatch-dump-restore-test.pgdump'; // inside the servers' root (local-pg.sh exec)

let db: pg.Client;
beforeAll(async () => {
  db = await connect();
});
afterAll(async () => {
  await db?.query(`SELECT cron.unschedule('dump_user_job') FROM cron.job WHERE jobname = 'dump_user_job'`);
  await db?.end();
});

describe('pg_dump and pg_restore', () => {
  it('restore without an error, keeping the database\'s pg_cron jobs; pg_dispatch works after', async (ctx) => {
    if (inject('serverKind') !== 'local') {
      console.log('dump/restore test SKIPPED: it needs the local test server (a second cluster to restore into)');
      ctx.skip();
    }
    await freshExtension(db);
    await db.query(`SELECT cron.schedule('dump_user_job', '0 3 * * *', 'SELECT 1')`);
    const { rows: [{ id }] } = await db.query(`SELECT pgdispatch.fire('SELECT 1') AS id`);
    await waitForJob(db, id);
    // Pending at the dump: its carrier is in cron.job (dumped), its row in pgdispatch._job is not.
    const { rows: [{ id: pending }] } = await db.query(`SELECT pgdispatch.snooze('SELECT 3', '10 seconds') AS id`);
    const source = new URL(databaseUrl());
    await run(localPg, ['exec', 'pg_dump', '-h', '127.0.0.1', '-p', source.port, '-U', 'postgres', '-d', 'pgdispatch', '-Fc', '-f', dumpFile]);

    const name = `${inject('localName')}-restore`;
    const port = await freePort();
    const { stdout: url } = await run(localPg, ['start', name, String(port)], { maxBuffer: 16 << 20 });
    const restored = new pg.Client({ connectionString: url.trim() });
    try {
      // --exit-on-error: the restore fails on the first error instead of going on without it.
      await run(localPg, ['exec', 'pg_restore', '--exit-on-error', '-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', 'pgdispatch', dumpFile]);
      await restored.connect();
      // pg_cron keeps each job's server port, and a restore normally comes up on the old port; here
      // both servers run at once, so point the restored jobs at the restored server.
      await restored.query('UPDATE cron.job SET nodeport = $1', [port]);
      const { rows } = await restored.query(`SELECT jobname FROM cron.job ORDER BY 1`);
      expect(rows.map((r) => r.jobname)).toEqual(expect.arrayContaining(['dump_user_job', 'pgdispatch_maintenance', 'pgdispatch_reboot']));
      const { rows: [{ id: again }] } = await restored.query(`SELECT pgdispatch.fire('SELECT 2 AS two') AS id`);
      const job = await waitForJob(restored, again);
      expect(job.status).toBe('succeeded');
      expect(job.rows).toEqual([{ two: 2 }]);
      // The pending job's carrier came back without its job: it finds nothing and removes itself.
      expect(rows.map((r) => r.jobname)).toContain(`pgdispatch_job_${pending}`);
      await waitFor('the orphaned carrier to remove itself', async () =>
        (await restored.query(`SELECT 1 FROM cron.job WHERE jobname = $1`, [`pgdispatch_job_${pending}`])).rowCount === 0 ? true : undefined,
        { timeoutMs: 30_000 });
    } finally {
      await restored.end().catch(() => {});
      await run(localPg, ['destroy', name]);
    }
  });
});
