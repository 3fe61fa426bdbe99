// On time, job by job: however many jobs share a transaction or a second, a transaction that runs
// on after firing, the maintenance job's and the @reboot job's arming. Each job's start is
// measured against its own time (run_at, or its commit when that is later), from inside the job.
// And the smaller faults: a job that cancels itself, a job that drops pg_dispatch, wait() on a
// job that waits for the waiting session's own lock.
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connect, failure, freshExtension, type JobRow, waitFor, waitForJob } from '../setup/db.js';
import { localServer } from '../setup/server.js';

let db: pg.Client;
const local = inject('localName');

beforeAll(async () => {
  db = await connect();
  await freshExtension(db);
  await db.query('DROP TABLE IF EXISTS on_time; CREATE TABLE on_time (job bigint, at timestamptz DEFAULT clock_timestamp())');
});
afterAll(async () => db?.end());

/** Every job's lateness in ms: when its command ran (from inside it) minus `due` (default run_at). */
async function lateness(ids: string[], due: (id: string) => Date | undefined = () => undefined): Promise<number[]> {
  await waitFor(`${ids.length} jobs to finish`, async () => {
    const { rows: [{ n }] } = await db.query(
      `SELECT count(*)::int AS n FROM pgdispatch.jobs WHERE id = ANY ($1) AND status NOT IN ('scheduled', 'running')`, [ids]);
    return n === ids.length ? true : undefined;
  }, { timeoutMs: 40_000 });
  const { rows } = await db.query<{ id: string; status: string; run_at: Date; at: Date }>(
    `SELECT j.id, j.status, j.run_at, o.at FROM pgdispatch.jobs AS j JOIN on_time AS o ON o.job = j.id WHERE j.id = ANY ($1) ORDER BY j.id`, [ids]);
  expect(rows.map((r) => r.status)).toEqual(ids.map(() => 'succeeded'));
  return rows.map((r) => r.at.getTime() - (due(r.id) ?? r.run_at).getTime());
}

/** The first row of a query that returns one. */
async function firstRow<T extends pg.QueryResultRow = { id: string }>(c: pg.Client, sql: string, params: unknown[] = []): Promise<T> {
  const { rows: [row] } = await c.query<T>(sql, params);
  if (row === undefined) throw new Error(`no row from ${sql}`);
  return row;
}

const mark = `INSERT INTO on_time (job) VALUES (current_setting('pgdispatch.job_id')::bigint)`;

describe('every job starts within 2 seconds of its time', () => {
  it('eight snoozes of 2 to 16 seconds in one statement (1.0.0: the 5th to 8th up to 34 s late)', async () => {
    const { rows } = await db.query<{ id: string }>(
      `SELECT pgdispatch.snooze($1, make_interval(secs => 2 * g)) AS id FROM generate_series(1, 8) AS g`, [mark]);
    const late = await lateness(rows.map((r) => r.id));
    for (const ms of late) {
      expect(ms).toBeGreaterThanOrEqual(0);
      expect(ms).toBeLessThan(2000);
    }
  });

  it('forty jobs of one transaction, times spread over one second, share the carriers of that second', async () => {
    await db.query('BEGIN');
    const { rows } = await db.query<{ id: string }>(
      `SELECT pgdispatch.fire_at($1, clock_timestamp() + interval '3 seconds' + make_interval(secs => g / 50.0)) AS id
         FROM generate_series(1, 40) AS g`, [mark]);
    const { rows: [{ n }] } = await db.query(`SELECT count(*)::int AS n FROM cron.job WHERE jobname = ANY ($1)`,
      [rows.map((r) => `pgdispatch_job_${r.id}`)]);
    await db.query('COMMIT');
    const { rows: [{ carriers }] } = await db.query(
      `SELECT count(*)::int AS carriers FROM pgdispatch._job WHERE id = ANY ($1) AND carrier IS NOT NULL`, [rows.map((r) => r.id)]);
    expect(n).toBe(0); // armed at COMMIT, not when fired
    // Their times fall in the second after commit + 2 s or the one after: four carriers each, at most.
    expect(carriers).toBeLessThanOrEqual(8);
    const late = await lateness(rows.map((r) => r.id));
    expect(Math.min(...late)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...late)).toBeLessThan(2000);
  });

  it('a transaction that goes on for 3 s after firing: counted from its commit', async () => {
    await db.query('BEGIN');
    const { id } = await firstRow(db, `SELECT pgdispatch.snooze($1, '4 seconds') AS id`, [mark]);
    await db.query('SELECT pg_sleep(3)');
    await db.query('COMMIT');
    // Due 4 s after it was fired, 1 s after the commit: not 4 s after the commit.
    const [ms] = await lateness([id]);
    expect(ms).toBeGreaterThanOrEqual(0);
    expect(ms).toBeLessThan(2000);
  });

  it('the maintenance job and the @reboot job arm a whole minute\'s jobs for their seconds', async () => {
    // Twelve jobs due over the next 3 to 14 s, fired one by one, then what a restart does: the
    // @reboot job takes every carrier away and the maintenance arms them again, in one transaction.
    const ids: string[] = [];
    for (let g = 1; g <= 12; g++) {
      const { id } = await firstRow(db, `SELECT pgdispatch.snooze($1, make_interval(secs => 2 + $2::int)) AS id`, [mark, g]);
      ids.push(id);
    }
    await db.query('CALL pgdispatch._reboot()');
    await db.query('RESET search_path'); // (the procedure pins its session's)
    const late = await lateness(ids);
    for (const ms of late) {
      expect(ms).toBeGreaterThanOrEqual(0);
      expect(ms).toBeLessThan(2000);
    }
  });
});

describe('sustained firing and crashes', () => {
  it('four clients firing one job per transaction for 5 s: every job within 2 s, most within milliseconds, by a few sessions', async () => {
    const firers = await Promise.all([1, 2, 3, 4].map(() => connect()));
    const ids: string[] = [];
    try {
      const until = Date.now() + 5000;
      await Promise.all(firers.map(async (c) => {
        // About 50 a second each: below the rate the runners drain at, as the promise is.
        while (Date.now() < until) {
          ids.push((await c.query<{ id: string }>('SELECT pgdispatch.fire($1) AS id', [mark])).rows[0]!.id);
          await new Promise((r) => setTimeout(r, 20));
        }
      }));
    } finally {
      await Promise.all(firers.map((c) => c.end()));
    }
    const late = (await lateness(ids)).sort((a, b) => a - b);
    const median = late[Math.floor(late.length / 2)]!;
    console.log(`sustained: ${ids.length} jobs in 5 s, start after commit p50 ${median} ms, max ${late[late.length - 1]} ms`);
    expect(late[late.length - 1]).toBeLessThan(2000);
    expect(median).toBeLessThan(500);
    // Runners linger between jobs: far fewer sessions than jobs.
    const { rows: [{ sessions }] } = await db.query(
      `SELECT count(DISTINCT (runner_pid, runner_started))::int AS sessions FROM pgdispatch._job WHERE id = ANY ($1)`, [ids]);
    expect(sessions).toBeLessThan(Math.max(10, ids.length / 20));
  });

  it.runIf(local)('a hard stop in the middle of a burst: nothing runs twice, nothing is lost, no carrier is left', async () => {
    const { rows } = await db.query<{ id: string }>(
      `SELECT pgdispatch.fire($1 || '; SELECT pg_sleep(0.002)') AS id FROM generate_series(1, 3000)`, [mark]);
    const ids = rows.map((r) => r.id);
    await waitFor('the burst to be under way', async () => {
      const { rows: [{ n }] } = await db.query('SELECT count(*)::int AS n FROM on_time WHERE job = ANY ($1)', [ids]);
      return n > 200 ? true : undefined;
    }, { timeoutMs: 30_000, intervalMs: 20 });
    await localServer(local, 'stop-immediate');
    await localServer(local, 'restart');
    await db.end().catch(() => {});
    db = await waitFor('the server to accept connections', async () => connect().catch(() => undefined), { timeoutMs: 30_000 });
    await waitFor('every job of the burst to finish', async () => {
      const { rows: [{ n }] } = await db.query(
        `SELECT count(*)::int AS n FROM pgdispatch.jobs WHERE id = ANY ($1) AND status IN ('scheduled', 'running')`, [ids]);
      return n === 0 ? true : undefined;
    }, { timeoutMs: 90_000, intervalMs: 250 });
    // Each job ran once (succeeded) or was cut off by the stop (failed PD001, its effects gone):
    // never twice, and its record agrees with what it did.
    const { rows: outcome } = await db.query<{ status: string; code: string | null; runs: number; n: number }>(
      `SELECT j.status, j.error_sqlstate AS code, (SELECT count(*) FROM on_time AS o WHERE o.job = j.id)::int AS runs, count(*) OVER ()::int AS n
         FROM pgdispatch._job AS j WHERE j.id = ANY ($1)`, [ids]);
    expect(outcome).toHaveLength(3000);
    for (const o of outcome) {
      if (o.status === 'succeeded') expect(o.runs).toBe(1);
      else expect(o).toMatchObject({ status: 'failed', code: 'PD001', runs: 0 });
    }
    // No carrier survives the maintenance pass that follows (the @reboot job runs one), but those
    // of runs still in progress (runners that linger), which their runs remove as they end.
    await db.query('CALL pgdispatch._maintain()');
    await db.query('RESET search_path');
    const { rows: [{ left }] } = await db.query(
      `SELECT count(*)::int AS left FROM cron.job
        WHERE jobname LIKE 'pgdispatch\\_job\\_%' AND substr(jobname, 16)::bigint <> ALL (pgdispatch._busy_carriers())`);
    expect(left).toBe(0);
  });

  describe('riding', () => {
    /** Fires `command` in a transaction, runs its COMMIT-time work early, and says whether it got a carrier. */
    const fireHeld = async (command: string): Promise<{ id: string; carrier: string | null }> => {
      await db.query('BEGIN');
      const { id } = await firstRow(db, 'SELECT pgdispatch.fire($1) AS id', [command]);
      await db.query('SET CONSTRAINTS ALL IMMEDIATE');
      const { carrier } = await firstRow<{ carrier: string | null }>(db, 'SELECT carrier::text FROM pgdispatch._job WHERE id = $1', [id]);
      return { id, carrier };
    };
    const row = (id: string) => firstRow<{ started_at: Date; finished_at: Date | null; runner_pid: number; status: string }>(db,
      'SELECT started_at, finished_at, runner_pid, status FROM pgdispatch._job WHERE id = $1', [id]);
    /** The long job running, and no runner of the principal idle (one would be promised the next job instead). */
    const busyAlone = async (seconds: number): Promise<string> => {
      const { id } = await firstRow(db, `SELECT pgdispatch.fire('SELECT pg_sleep(${seconds})') AS id`);
      await waitForJob(db, id, ['running'], 10_000);
      await waitFor('no runner to idle', async () => (await firstRow<{ n: number }>(db, `
        SELECT count(*)::int AS n FROM pgdispatch._runner_session AS r JOIN pg_stat_activity AS a ON a.pid = r.pid AND a.backend_start = r.backend_start
         WHERE r.idle_since IS NOT NULL`)).n === 0 || undefined, { timeoutMs: 10_000 });
      return id;
    };
    afterAll(async () => {
      await db.query('ROLLBACK').catch(() => {});
      await db.query(`UPDATE pgdispatch.settings SET max_runners = DEFAULT, linger = '1 second'`);
    });

    it('with as many runners as its role may hold, a job due at COMMIT gets no carrier: the busy runner takes it next', async () => {
      // A role may hold max_runners - 1 slots: one here.
      await db.query('UPDATE pgdispatch.settings SET max_runners = 2');
      const long = await busyAlone(2);
      const rider = await fireHeld(mark);
      await db.query('COMMIT');
      expect(rider.carrier, 'a carrier of its own').toBeNull();
      expect((await waitForJob(db, rider.id, undefined, 10_000)).status).toBe('succeeded');
      const [l, r] = [await row(long), await row(rider.id)];
      expect(r.runner_pid, 'run by the long job\'s runner').toBe(l.runner_pid);
      expect(r.started_at.getTime()).toBeGreaterThanOrEqual(l.finished_at!.getTime());
    });

    it('its transaction held open past the runner\'s last job: the runner waits for its COMMIT before it leaves, and the job runs', async () => {
      await db.query(`UPDATE pgdispatch.settings SET max_runners = 2, linger = '0'`);
      const long = await busyAlone(1);
      const rider = await fireHeld(mark);
      expect(rider.carrier).toBeNull();
      await waitForJob(db, long, undefined, 10_000);
      // Its runner, done, waits at the row this transaction holds, instead of leaving unaware.
      const other = await connect();
      try {
        await waitFor('the runner to wait for the rider', async () => (await firstRow<{ n: number }>(other, `
          SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = $1 AND wait_event_type = 'Lock'`, [(await row(long)).runner_pid])).n === 1 || undefined,
        { timeoutMs: 10_000 });
      } finally {
        await other.end();
      }
      await db.query('COMMIT');
      // It leaves (linger 0) and arms the job it left without a carrier (see _release_slot).
      expect((await waitForJob(db, rider.id, undefined, 10_000)).status).toBe('succeeded');
    });

    it('with fewer runners it gets a carrier, and starts beside the busy runner, not after it', async () => {
      await db.query(`UPDATE pgdispatch.settings SET max_runners = DEFAULT, linger = '1 second'`);
      const long = await busyAlone(6);
      const own = await fireHeld(mark);
      await db.query('COMMIT');
      expect(own.carrier, 'a carrier of its own').not.toBeNull();
      const done = await waitForJob(db, own.id, undefined, 10_000);
      expect(done.status).toBe('succeeded');
      expect((await row(long)).status, 'the long job still running when it ended').toBe('running');
      await waitForJob(db, long, undefined, 15_000);
    });
  });

  it('a drained job is one transaction: the next due job is started in the one that records the last job\'s outcome', async () => {
    // Job a fires job b from its command, so b is due before a's transaction ends: a's runner
    // starts b in that transaction (see _execute), before b's carrier could even be loaded.
    await db.query('DROP TABLE IF EXISTS drained_in; CREATE TABLE drained_in (a bigint, xid bigint, b bigint)');
    const a = await firstRow(db, `SELECT pgdispatch.fire($1) AS id`, [
      `INSERT INTO drained_in VALUES (current_setting('pgdispatch.job_id')::bigint, txid_current() % 4294967296,
         pgdispatch.fire('SELECT pg_sleep(2)'))`]);
    await waitForJob(db, a.id);
    const { b } = await firstRow<{ b: string }>(db, 'SELECT b::text AS b FROM drained_in');
    await waitForJob(db, b, ['running'], 8_000);
    const started = await firstRow<{ by: string; xid: string; same: boolean }>(db,
      `SELECT j.xmin::text AS by, d.xid::text AS xid, j.runner_pid = o.runner_pid AND j.runner_started = o.runner_started AS same
         FROM pgdispatch._job AS j, pgdispatch._job AS o, drained_in AS d WHERE j.id = d.b AND o.id = d.a`);
    expect(started.by, 'b started by the transaction of a\'s command and outcome').toBe(started.xid);
    expect(started.same, 'in the same session').toBe(true);
    expect((await waitForJob(db, b)).status).toBe('succeeded');
  });
});

describe('smaller faults', () => {
  it('a job that cancels itself ends cancelled, its effects rolled back, and is not retried', async () => {
    const { id } = await firstRow(db,
      `SELECT pgdispatch.fire($1 || '; SELECT pgdispatch.cancel(current_setting(''pgdispatch.job_id'')::bigint)', max_attempts => 3) AS id`, [mark]);
    const job = await waitForJob(db, id);
    expect(job.status).toBe('cancelled');
    expect(job.attempts).toBe(1);
    const { rows: [{ n }] } = await db.query('SELECT count(*)::int AS n FROM on_time WHERE job = $1', [id]);
    expect(n).toBe(0);
  });

  it('DROP EXTENSION pg_dispatch in a command is refused at fire time, and undone when it comes another way', async () => {
    const refused = await failure(db, `SELECT pgdispatch.fire('SELECT 1; DROP EXTENSION IF EXISTS "pg_dispatch" CASCADE')`);
    expect(refused.code).toBe('PD202');
    expect(refused.hint).toMatch(/session of your own/);
    const { id } = await firstRow(db,
      `SELECT pgdispatch.fire($f$DO $d$BEGIN EXECUTE 'DROP ' || 'EXTENSION pg_dispatch CASCADE'; END$d$$f$) AS id`);
    // While the job's DROP holds its locks, a query of pgdispatch.jobs may be its deadlock victim.
    const job = await waitFor(`job ${id} to finish`, async () => {
      try {
        const { rows: [row] } = await db.query<JobRow>(`SELECT * FROM pgdispatch.jobs WHERE id = $1 AND status NOT IN ('scheduled', 'running')`, [id]);
        return row;
      } catch (e) {
        if ((e as pg.DatabaseError).code === '40P01') return undefined;
        throw e;
      }
    });
    // Refused when it comes back, or (a lingering runner's lock in the way of its DROP) a deadlock
    // that ends it first: either way it failed and pg_dispatch is still there.
    expect(job.status).toBe('failed');
    expect(['PD202', '40P01']).toContain(job.error_sqlstate);
    const { rows } = await db.query(`SELECT 1 FROM pg_extension WHERE extname = 'pg_dispatch'`);
    expect(rows).toHaveLength(1);
  });

  it('wait() on a job that waits for a lock the waiting session holds says so, at once', async () => {
    const other = await connect();
    try {
      await db.query('BEGIN');
      await db.query('LOCK TABLE on_time IN ACCESS SHARE MODE');
      const { id } = await firstRow(other, `SELECT pgdispatch.fire('LOCK TABLE on_time') AS id`);
      await waitForJob(other, id, ['running']);
      const t0 = Date.now();
      const err = await failure(db, `SELECT pgdispatch.wait($1, '20 seconds')`, [id]);
      expect(err.code).toBe('PD104');
      expect(err.hint).toMatch(/COMMIT or ROLLBACK/);
      expect(Date.now() - t0).toBeLessThan(5000);
      await db.query('ROLLBACK');
      expect((await waitForJob(other, id)).status).toBe('succeeded');
    } finally {
      await other.end();
    }
  });
});
