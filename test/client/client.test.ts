// The Node client against a real server: transactions (pg and Kysely), typed results and errors,
// wait woken by notices (not polling) and its polling fallback, list filters and pages.
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CommandNotSupportedError, InvalidArgumentError, JobNotFoundError, LabelTooLongError, PgDispatchError,
  createDispatch, type Dispatch, type PgDispatchDatabase,
} from '../../src/client/index.js';
import { connect, databaseUrl, freshExtension, waitForJob } from '../setup/db.js';

let admin: pg.Client;
let pool: pg.Pool;
let d: Dispatch;

beforeAll(async () => {
  admin = await connect();
  await freshExtension(admin);
  await admin.query('DROP TABLE IF EXISTS client_events; CREATE TABLE client_events (id serial PRIMARY KEY, what text NOT NULL)');
  pool = new pg.Pool({ connectionString: databaseUrl(), max: 4 });
  d = createDispatch(pool);
});

afterAll(async () => {
  await d?.close();
  await pool?.end();
  await admin?.end();
});

const jobCount = async (label: string): Promise<number> =>
  Number((await admin.query('SELECT count(*) AS n FROM pgdispatch.jobs WHERE label = $1', [label])).rows[0].n);

describe('fire, wait, result', () => {
  it('fires, waits and returns typed rows', async () => {
    const id = await d.fire(`INSERT INTO client_events (what) VALUES ('a'), ('b') RETURNING id, what`, { label: 'client/rows' });
    expect(typeof id).toBe('string');
    expect(await d.wait(id, { timeoutMs: 15_000 })).toBe('succeeded');
    const r = await d.result<{ id: number; what: string }>(id);
    expect(r).toMatchObject({ jobId: id, status: 'succeeded', label: 'client/rows', rowCount: 2, truncated: false, error: null, attempts: 1 });
    expect(r.rows?.map((row) => row.what)).toEqual(['a', 'b']);
    expect(r.finishedAt).toBeInstanceOf(Date);
  });

  it('records a failure with its SQLSTATE in result().error', async () => {
    const id = await d.fire('SELECT 1 / 0');
    expect(await d.wait(id)).toBe('failed');
    const r = await d.result(id);
    expect(r.error).toMatchObject({ sqlstate: '22012' });
    expect(r.rows).toBeNull();
  });

  it('passes options by name: snooze with a delay in ms, fireAt with a Date, timeout in ms', async () => {
    const a = await d.snooze('SELECT 1', 60_000, { label: 'client/snoozed', timeout: 5_000, maxAttempts: 2 });
    const b = await d.fireAt('SELECT 2', new Date(Date.now() + 3_600_000), { label: 'client/later' });
    const { rows } = await admin.query(`SELECT id, run_at - created_at AS delay, timeout, max_attempts FROM pgdispatch.jobs WHERE id IN ($1, $2) ORDER BY id`, [a, b]);
    expect(rows[0]).toMatchObject({ max_attempts: 2 });
    expect(rows[0].timeout).toMatchObject({ seconds: 5 });
    expect(await d.status(a)).toBe('scheduled');
    expect(await d.cancel(a)).toBe(true);
    expect(await d.cancelByLabel('client/lat%')).toBe(1);
    expect(await d.wait(b, { timeoutMs: 5000 })).toBe('cancelled');
  });
});

describe('transactions', () => {
  it('a job fired in a pg transaction that rolls back leaves nothing', async () => {
    const c = await pool.connect();
    try {
      await c.query('BEGIN');
      const id = await d.fire('SELECT 1', { label: 'client/rolled-back', client: c });
      expect(id).toMatch(/^\d+$/);
      await c.query('ROLLBACK');
    } finally {
      c.release();
    }
    expect(await jobCount('client/rolled-back')).toBe(0);
  });

  it('a job fired in a Kysely transaction commits or rolls back with it', async () => {
    const db = new Kysely<PgDispatchDatabase>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: databaseUrl(), max: 2 }) }) });
    const k = createDispatch(db);
    try {
      await expect(db.transaction().execute(async (trx) => {
        await k.fire('SELECT 1', { label: 'client/kysely-rollback', client: trx });
        throw new Error('abort');
      })).rejects.toThrow('abort');
      expect(await jobCount('client/kysely-rollback')).toBe(0);
      const id = await db.transaction().execute((trx) => k.fire('SELECT 42 AS answer', { label: 'client/kysely', client: trx }));
      expect(await k.wait(id, { pollIntervalMs: 100 })).toBe('succeeded');
      expect((await k.result<{ answer: number }>(id)).rows).toEqual([{ answer: 42 }]);
      // The generated Database types fit Kysely's query builder.
      const row = await db.selectFrom('pgdispatch.jobs').select(['id', 'status', 'label']).where('id', '=', id).executeTakeFirstOrThrow();
      expect(row).toEqual({ id, status: 'succeeded', label: 'client/kysely' });
      expect((await sql<{ n: number }>`SELECT 1 AS n`.execute(db)).rows[0]?.n).toBe(1);
    } finally {
      await k.close();
      await db.destroy();
    }
  });

  it('works over a single pg.Client too (listening on it)', async () => {
    const c = await connect();
    try {
      const one = createDispatch(c, { pollIntervalMs: 5_000 });
      const id = await one.fire('SELECT 1');
      expect(await one.wait(id)).toBe('succeeded');
      await one.close();
    } finally {
      await c.end();
    }
  });
});

describe('wait', () => {
  it('is woken by the completion notice, well under the polling interval', async () => {
    const slow = createDispatch(pool, { pollIntervalMs: 5_000 });
    try {
      const id = await slow.fire('SELECT pg_sleep(0.3)');
      // Start waiting while the job is certainly not finished yet.
      const started = Date.now();
      const status = await slow.wait(id, { timeoutMs: 20_000 });
      const resolvedAt = Date.now();
      expect(status).toBe('succeeded');
      const { rows: [job] } = await admin.query('SELECT finished_at FROM pgdispatch.jobs WHERE id = $1', [id]);
      const lag = resolvedAt - (job.finished_at as Date).getTime();
      expect(resolvedAt - started).toBeGreaterThan(300); // it did wait
      expect(lag).toBeLessThan(1_000);
    } finally {
      await slow.close();
    }
  });

  it('falls back to polling when LISTEN is unavailable', async () => {
    const polling = createDispatch(pool, { listen: false, pollIntervalMs: 200 });
    const id = await polling.fire('SELECT 1');
    expect(await polling.wait(id, { timeoutMs: 15_000 })).toBe('succeeded');
  });

  it('falls back to polling when the listening connection cannot be had', async () => {
    const polling = createDispatch(pool, { listen: 'postgres://nobody@127.0.0.1:1/none', pollIntervalMs: 200 });
    const id = await polling.fire('SELECT 1');
    expect(await polling.wait(id, { timeoutMs: 15_000 })).toBe('succeeded');
  });

  it('resolves to the current status after timeoutMs', async () => {
    const id = await d.snooze('SELECT 1', '1 hour');
    const started = Date.now();
    expect(await d.wait(id, { timeoutMs: 300 })).toBe('scheduled');
    expect(Date.now() - started).toBeLessThan(2_000);
    await d.cancel(id);
  });

  it('rejects when aborted', async () => {
    const id = await d.snooze('SELECT 1', '1 hour');
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('stop')), 100);
    await expect(d.wait(id, { signal: ac.signal })).rejects.toThrow('stop');
    await d.cancel(id);
  });
});

describe('errors', () => {
  it('map SQLSTATEs to typed classes with the original error as cause', async () => {
    const empty = await d.fire('').catch((e: unknown) => e);
    expect(empty).toBeInstanceOf(InvalidArgumentError);
    expect((empty as PgDispatchError).sqlstate).toBe('PD200');
    expect((empty as PgDispatchError).hint).toBeTruthy();
    expect((empty as Error).cause).toBeInstanceOf(pg.DatabaseError);
    await expect(d.snooze('SELECT 1', -1)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(d.fire('SELECT 1', { label: 'x'.repeat(65) })).rejects.toBeInstanceOf(LabelTooLongError);
    await expect(d.fire('VACUUM')).rejects.toBeInstanceOf(CommandNotSupportedError);
    await expect(d.status('999999999')).rejects.toBeInstanceOf(JobNotFoundError);
    await expect(d.result(999999999n)).rejects.toMatchObject({ name: 'JobNotFoundError', sqlstate: 'PD100' });
  });
});

describe('list', () => {
  it('filters by status, label and time, newest first, in pages', async () => {
    const since = new Date((await admin.query('SELECT clock_timestamp() AS t')).rows[0].t);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await d.snooze('SELECT 1', '1 hour', { label: `client/list/${i}` }));
    await d.cancel(ids[0]!);
    const page1 = await d.list({ label: 'client/list/%', since, limit: 2 });
    expect(page1.jobs.map((j) => j.id)).toEqual([ids[4], ids[3]]);
    expect(page1.nextCursor).toBe(ids[3]);
    const page2 = await d.list({ label: 'client/list/%', limit: 2, cursor: page1.nextCursor! });
    expect(page2.jobs.map((j) => j.id)).toEqual([ids[2], ids[1]]);
    const page3 = await d.list({ label: 'client/list/%', limit: 2, cursor: page2.nextCursor! });
    expect(page3.jobs.map((j) => j.id)).toEqual([ids[0]]);
    expect(page3.nextCursor).toBeNull();
    const cancelled = await d.list({ status: ['cancelled'], label: 'client/list/%' });
    expect(cancelled.jobs.map((j) => j.id)).toEqual([ids[0]]);
    expect((await d.list({ label: 'client/list/%', until: since })).jobs).toEqual([]);
    await expect(d.list({ limit: 0 })).rejects.toBeInstanceOf(RangeError);
    await d.cancelByLabel('client/list/%');
  });
});
