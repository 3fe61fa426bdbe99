// pg_dump and pg_restore of a busy database with pg_dispatch, into a new cluster: jobs (pending,
// running, finished), settings, quotas and the database's own pg_cron jobs come back; the restore
// goes through with --exit-on-error; restored jobs run at their times as the role of their name,
// and never as another role that holds their old OID here or that serves under their old runner
// identity's name. Needs the local test server's packages: two new clusters, one to dump and one to
// restore into, so that nothing the other test files left (their roles, their tables) comes into it.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { installMode, waitFor, waitForJob } from '../setup/db.js';
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
  run(localPg, ['exec', tool, '-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', ...args], { maxBuffer: 16 << 20 });

/** Runs `sql` as `role` (SET ROLE, in a transaction of its own) and returns the rows. */
async function as<T extends pg.QueryResultRow>(db: pg.Client, role: string, sql: string, params: unknown[] = []): Promise<T[]> {
  await db.query('BEGIN');
  try {
    await db.query(`SET LOCAL ROLE ${role}`);
    const { rows } = await db.query<T>(sql, params);
    await db.query('COMMIT');
    return rows;
  } catch (e) {
    await db.query('ROLLBACK');
    throw e;
  }
}

const fireAs = async (db: pg.Client, role: string, sql: string, params: unknown[] = []): Promise<string> =>
  (await as<{ id: string }>(db, role, `SELECT ${sql} AS id`, params))[0]!.id;

// Every job writes who ran it: the test counts, job by job, what ran as whom.
const logged = (label: string) => `INSERT INTO public.ran (label, who) VALUES ('${label}', current_user)`;

describe('pg_dump and pg_restore', () => {
  it('keep every job, the settings and quotas; restored jobs run at their times as their role, never as another', async (ctx) => {
    if (inject('serverKind') !== 'local') {
      console.log('dump/restore test SKIPPED: it needs the local test server\'s packages (two new clusters)');
      ctx.skip();
    }
    const source = await cluster(`${inject('localName')}-dump`);
    const target = await cluster(`${inject('localName')}-restore`);
    try {
      // The same roles in both clusters, made in another order in the target: there, mallory gets
      // the OID alice had (and so the name of alice's runner identity), and carol does not exist.
      const db = source.client;
      await db.query('CREATE ROLE alice; CREATE ROLE bob; CREATE ROLE mallory; CREATE ROLE carol');
      await target.client.query('CREATE ROLE mallory; CREATE ROLE bob; CREATE ROLE alice');
      if (installMode === 'upgrade') {
        await db.query(`CREATE EXTENSION pg_dispatch VERSION '0.1.5' CASCADE`);
        await db.query('ALTER EXTENSION pg_dispatch UPDATE');
      } else {
        await db.query('CREATE EXTENSION pg_dispatch CASCADE');
      }
      await db.query(`CREATE TABLE public.ran (label text, who name, at timestamptz DEFAULT clock_timestamp());
                      GRANT INSERT ON public.ran TO alice, bob, mallory, carol`);
      for (const r of ['alice', 'bob', 'mallory', 'carol']) await db.query('SELECT pgdispatch.grant_usage($1)', [r]);
      await db.query(`SELECT cron.schedule('dump_user_job', '0 3 * * *', 'SELECT 1')`);
      await db.query(`UPDATE pgdispatch.settings SET max_result_rows = 77, retry_base_delay = '1 second'`);
      await db.query(`INSERT INTO pgdispatch.role_quotas (role, max_pending_jobs) VALUES ('alice', 50)`);
      const oldOid = async (r: string) => (await db.query('SELECT $1::regrole::oid AS o', [r])).rows[0].o as number;

      // Finished: a success with rows, a failure.
      const done = await fireAs(db, 'alice', `pgdispatch.fire('SELECT 42 AS answer', label => 'done')`);
      const failed = await fireAs(db, 'bob', `pgdispatch.fire('SELECT 1/0', label => 'failed')`);
      await waitForJob(db, done);
      await waitForJob(db, failed);
      // Running when the dump is taken (its first attempt would sleep for minutes).
      const running = await fireAs(db, 'bob', `pgdispatch.fire($1, label => 'running', max_attempts => 2)`,
        [`SELECT pg_sleep(CASE current_setting('pgdispatch.attempt') WHEN '1' THEN 600 ELSE 0 END); ${logged('running')}`]);
      await waitForJob(db, running, ['running']);
      // Pending: due soon after the restore (carriers in cron.job now), due in an hour, and one of
      // carol, whom the target does not have.
      const { rows: [{ t0 }] } = await db.query(`SELECT clock_timestamp() + interval '22 seconds' AS t0`);
      const soonA = await fireAs(db, 'alice', `pgdispatch.fire_at($1, $2, label => 'soon-a')`, [logged('soon-a'), t0]);
      const soonB = await fireAs(db, 'bob', `pgdispatch.fire_at($1, $2::timestamptz + interval '1 second', label => 'soon-b')`, [logged('soon-b'), t0]);
      const soonC = await fireAs(db, 'carol', `pgdispatch.fire_at($1, $2, label => 'soon-c')`, [logged('soon-c'), t0]);
      // (The dump must not grant anything to carol, or restoring it without her would fail.)
      await db.query(`SELECT pgdispatch.revoke_usage('carol'); REVOKE INSERT ON public.ran FROM carol`);
      const later = await fireAs(db, 'alice', `pgdispatch.snooze($1, '1 hour', label => 'later')`, [logged('later')]);
      const aliceOid = await oldOid('alice');
      const before = (await db.query(`SELECT id, status, run_at, rows, error_sqlstate FROM pgdispatch._job ORDER BY id`)).rows;
      expect((await db.query(`SELECT count(*)::int AS n FROM cron.job WHERE jobname LIKE 'pgdispatch\\_job\\_%'`)).rows[0].n).toBeGreaterThanOrEqual(3);

      await pgTool('pg_dump', source.port, '-d', 'pgdispatch', '-Fc', '-f', dumpFile);
      const { stdout: globals } = await pgTool('pg_dumpall', source.port, '--globals-only');
      const { stdout: listing } = await pgTool('pg_restore', source.port, '-l', dumpFile);
      await source.end(); // (its jobs must not run what the restored ones run)
      // Nothing of the runner identities or executors is in the dump: they are extension members.
      expect(listing).not.toMatch(/pgdispatch_exec|pgdispatch_runner/);
      expect(listing).toMatch(/TABLE DATA pgdispatch _job/);

      // The globals of the runner identities come first (they are restored with pg_dumpall's, named
      // after the dumped cluster's OIDs): a leftover of alice's old one, a member of pgdispatch_runners.
      const restored = target.client;
      for (const line of globals.split('\n').filter((l) => /pgdispatch_runner/.test(l))) {
        await restored.query(line).catch((e: Error) => { if (!/already exists/.test(e.message)) throw e; });
      }
      expect((await restored.query(`SELECT oid FROM pg_roles WHERE rolname = 'mallory'`)).rows[0].oid).toBe(aliceOid);
      expect((await restored.query(`SELECT 1 FROM pg_roles WHERE rolname = $1`, [`pgdispatch_runner_${aliceOid}`])).rowCount).toBe(1);

      // --exit-on-error: the restore fails on the first error instead of going on without it.
      await pgTool('pg_restore', target.port, '-d', 'pgdispatch', '--exit-on-error', dumpFile);
      // pg_cron keeps each job's server port, and a restore normally comes up on the old port; here
      // it does not, so point the restored jobs at the restored server.
      await restored.query('UPDATE cron.job SET nodeport = $1', [target.port]);
      const { rows: cronJobs } = await restored.query(`SELECT jobname FROM cron.job ORDER BY 1`);
      expect(cronJobs.map((r) => r.jobname)).toEqual(expect.arrayContaining(
        ['dump_user_job', 'pgdispatch_maintenance', 'pgdispatch_reboot', `pgdispatch_job_${soonA}`]));
      // Restored rows are bound to no role until the maintenance job binds them: nobody sees them
      // but admins, no runner takes them.
      expect((await restored.query(`SELECT count(*)::int AS n FROM pgdispatch._job WHERE role_oid <> 0`)).rows[0].n).toBe(0);

      // mallory, holding alice's old OID, fires first: her runner identity takes the name that
      // alice's restored carriers run under. Her job runs as her; she sees only it.
      const mine = await fireAs(restored, 'mallory', `pgdispatch.fire($1, label => 'mallory')`, [logged('mallory')]);
      expect((await waitForJob(restored, mine)).status).toBe('succeeded');
      expect((await as(restored, 'mallory', 'SELECT id FROM pgdispatch.jobs')).map((r) => r.id)).toEqual([mine]);
      expect(BigInt(mine)).toBeGreaterThan(BigInt(before.at(-1).id)); // ids go on past the restored ones
      // A tenant cannot pass a row off as restored (role_oid is not hers to write), nor bind jobs.
      for (const sql of [`INSERT INTO pgdispatch._job (command, role_oid) VALUES ('SELECT 1', ${aliceOid})`,
        'SELECT pgdispatch._rehome()', `SELECT pgdispatch._retire_runner(${aliceOid})`]) {
        await expect(as(restored, 'mallory', sql)).rejects.toMatchObject({ code: '42501' });
      }

      // What the maintenance job does first, within a minute: here at once.
      await restored.query('CALL pgdispatch._maintain()');
      const job = async (id: string) => (await restored.query('SELECT * FROM pgdispatch._job WHERE id = $1', [id])).rows[0];
      const newOid = async (r: string) => (await restored.query('SELECT $1::regrole::oid AS o', [r])).rows[0].o as number;
      expect((await job(done)).role_oid).toBe(await newOid('alice'));
      expect((await job(done)).rows).toEqual([{ answer: 42 }]);
      expect((await job(failed)).error_sqlstate).toBe('22012');
      expect((await job(later)).status).toBe('scheduled');
      expect((await job(later)).run_at).toEqual(before.find((b) => b.id === later).run_at);
      const gone = await job(soonC);
      expect([gone.status, gone.error_sqlstate]).toEqual(['failed', 'PD004']);
      // alice sees her jobs again, mallory still only hers.
      expect((await as(restored, 'alice', 'SELECT id FROM pgdispatch.jobs ORDER BY id')).map((r) => r.id)).toEqual([done, soonA, later]);
      expect((await as(restored, 'mallory', 'SELECT id FROM pgdispatch.jobs')).map((r) => r.id)).toEqual([mine]);
      expect((await restored.query('SELECT max_result_rows, retry_base_delay::text AS d FROM pgdispatch.settings')).rows)
        .toEqual([{ max_result_rows: 77, d: '00:00:01' }]);
      expect((await restored.query('SELECT role::text AS r, max_pending_jobs FROM pgdispatch.role_quotas')).rows)
        .toEqual([{ r: 'alice', max_pending_jobs: 50 }]);

      // Pending jobs run at their times, as their roles; the interrupted one is retried.
      for (const id of [soonA, soonB]) expect((await waitForJob(restored, id, undefined, 40_000)).status).toBe('succeeded');
      const retried = await waitForJob(restored, running, undefined, 20_000);
      expect([retried.status, retried.attempts, (retried.attempt_log as { sqlstate: string }[])[0]!.sqlstate]).toEqual(['succeeded', 2, 'PD001']);
      const { rows: ran } = await restored.query(`SELECT label, who, at FROM public.ran ORDER BY label`);
      expect(ran.map((r) => [r.label, r.who])).toEqual([['mallory', 'mallory'], ['running', 'bob'], ['soon-a', 'alice'], ['soon-b', 'bob']]);
      const startedAt = (label: string) => ran.find((r) => r.label === label).at.getTime();
      expect(startedAt('soon-a')).toBeGreaterThanOrEqual(new Date(t0).getTime());
      expect(startedAt('soon-a')).toBeLessThan(new Date(t0).getTime() + 3_000);
      expect(startedAt('soon-b')).toBeLessThan(new Date(t0).getTime() + 4_000);

      // Nothing is left of the dumped cluster's runner identities: no carrier of a user that is not
      // a registered runner identity here, no unregistered member of pgdispatch_runners.
      await waitFor('the restored carriers to be gone', async () => (await restored.query(
        `SELECT 1 FROM cron.job AS c WHERE c.jobname LIKE 'pgdispatch\\_job\\_%'
            AND c.username NOT IN (SELECT a.rolname FROM pgdispatch._runner AS r JOIN pg_roles AS a ON a.oid = r.runner_oid)`)).rowCount === 0 ? true : undefined);
      expect((await restored.query(
        `SELECT a.rolname FROM pg_auth_members AS m JOIN pg_roles AS a ON a.oid = m.member
          WHERE m.roleid = 'pgdispatch_runners'::regrole AND a.oid NOT IN (SELECT r.runner_oid FROM pgdispatch._runner AS r)`)).rows).toEqual([]);
      expect((await restored.query(`SELECT count(*)::int AS n FROM pgdispatch._restored`)).rows[0].n).toBe(0);
    } finally {
      await source.end();
      await target.end();
    }
  }, 120_000);
});
