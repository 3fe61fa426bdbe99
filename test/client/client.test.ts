// The Node client against a real server: transactions (pg and Kysely), typed results and errors,
// wait woken by notices (not polling) and its polling fallback, list filters and pages.
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CommandNotSupportedError, InvalidArgumentError, JobNotCommittedError, JobNotFoundError, LabelTooLongError, PgDispatchError,
  TransactionAbortedError, createDispatch, type Dispatch, type PgDispatchDatabase,
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
    expect(r).toMatchObject({ jobId: id, status: 'succeeded', label: 'client/rows', rowCount: '2', truncated: false, error: null, attempts: 1 });
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

  it('over Kysely without listen, sees a job that ends in milliseconds in milliseconds, not at the next 1 s poll', async () => {
    const db = new Kysely<PgDispatchDatabase>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: databaseUrl(), max: 2 }) }) });
    const k = createDispatch(db); // the default poll interval, 1 000 ms
    try {
      expect(await k.wait(await k.fire('SELECT 1'), { timeoutMs: 15_000 })).toBe('succeeded'); // a runner lingers: warm
      const lags: number[] = [];
      for (let i = 0; i < 5; i++) {
        const id = await k.fire('SELECT pg_sleep(0.05)'); // still running at the wait's first read
        expect(await k.wait(id, { timeoutMs: 15_000 })).toBe('succeeded');
        const resolvedAt = Date.now();
        const { rows: [job] } = await admin.query('SELECT finished_at FROM pgdispatch.jobs WHERE id = $1', [id]);
        lags.push(resolvedAt - (job.finished_at as Date).getTime());
      }
      lags.sort((a, b) => a - b);
      // Polling once a second, the median lag was ~950 ms; now the pauses start at 10 ms.
      expect(lags[2], `lags after finished_at: ${lags.join(', ')} ms`).toBeLessThan(400);
    } finally {
      await k.close();
      await db.destroy();
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
    // Empty but for a comment: only the server can tell (the client refuses '' itself).
    const empty = await d.fire('-- nothing to run').catch((e: unknown) => e);
    expect(empty).toBeInstanceOf(InvalidArgumentError);
    expect((empty as PgDispatchError).sqlstate).toBe('PD200');
    expect((empty as PgDispatchError).hint).toBeTruthy();
    expect((empty as Error).cause).toBeInstanceOf(pg.DatabaseError);
    await expect(d.snooze('SELECT 1', '-1 minute')).rejects.toMatchObject({ name: 'InvalidArgumentError', cause: expect.any(pg.DatabaseError) });
    await expect(d.snooze('SELECT 1', -1)).rejects.toBeInstanceOf(InvalidArgumentError); // refused by the client
    await expect(d.fire('SELECT 1', { label: 'x'.repeat(65) })).rejects.toBeInstanceOf(LabelTooLongError);
    await expect(d.fire('VACUUM')).rejects.toBeInstanceOf(CommandNotSupportedError);
    await expect(d.status('999999999')).rejects.toBeInstanceOf(JobNotFoundError);
    await expect(d.result(999999999n)).rejects.toMatchObject({ name: 'JobNotFoundError', sqlstate: 'PD100' });
  });

  it('interval and time text the server cannot read is an InvalidArgumentError naming the argument', async () => {
    const refused = async (p: Promise<unknown>, option: string, sqlstate: string): Promise<void> => {
      const e = await p.then(() => null, (err: unknown) => err);
      expect(e).toBeInstanceOf(InvalidArgumentError);
      expect(e).toMatchObject({ sqlstate, cause: expect.any(pg.DatabaseError) });
      expect((e as Error).message).toContain(`${option} is not`);
      expect((e as PgDispatchError).hint).toMatch(/10 minutes|2030-01-01/);
    };
    await refused(d.snooze('SELECT 1', 'banana'), 'delay', '22007');
    await refused(d.fire('SELECT 1', { label: 'client/bad-interval', timeout: 'banana' }), 'timeout', '22007');
    await refused(d.snooze('SELECT 1', '1 minute', { timeout: '100000000000 years' }), 'timeout', '22015');
    await refused(d.snooze('SELECT 1', 1e300), 'delay', '22007'); // sent as '1e+300 milliseconds'
    await refused(d.snooze('SELECT 1', '178000000 years'), 'delay', '22008'); // now() + delay: "timestamp out of range"
    await refused(d.fireAt('SELECT 1', 'nope'), 'runAt', '22007');
    await refused(d.fireAt('SELECT 1', '2030-01-01', { key: 'client/bad', debounce: 'soon' }), 'debounce', '22007');
    expect(await jobCount('client/bad-interval')).toBe(0);
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
    await expect(d.list({ limit: 0 })).rejects.toBeInstanceOf(InvalidArgumentError);
    await d.cancelByLabel('client/list/%');
  });
});

describe('exact results', () => {
  it('returns bigints beyond 2^53 and long numerics exactly, in result() and list()', async () => {
    const id = await d.fire('SELECT 9007199254740993::bigint AS big, 12345678901234567890.123456789::numeric AS money, 7 AS small, 1.5 AS half',
      { label: 'client/exact' });
    expect(await d.wait(id, { timeoutMs: 15_000 })).toBe('succeeded');
    const exact = [{ big: '9007199254740993', money: '12345678901234567890.123456789', small: 7, half: 1.5 }];
    const r = await d.result<{ big: string; money: string; small: number; half: number }>(id);
    expect(r.rows).toEqual(exact);
    expect(r.rowCount).toBe('1');
    const [job] = (await d.list({ label: 'client/exact' })).jobs;
    expect(job?.rows).toEqual(exact);
    expect(job?.row_count).toBe('1');
  });

  it('keeps them exact whatever type parsers the connection has', async () => {
    const raw = new pg.Pool({ connectionString: databaseUrl(), max: 2, types: { getTypeParser: () => (v: string) => v } as unknown as pg.CustomTypesConfig });
    try {
      const r = createDispatch(raw, { listen: false });
      const id = await r.fire('SELECT 18446744073709551615::numeric AS n', { label: 'client/exact-raw', timeout: '1 minute' });
      expect(await r.wait(id, { pollIntervalMs: 100 })).toBe('succeeded');
      expect((await r.result(id)).rows).toEqual([{ n: '18446744073709551615' }]);
      const [job] = (await r.list({ label: 'client/exact-raw' })).jobs;
      expect(job).toMatchObject({ id, status: 'succeeded', timeout: 60_000, attempts: 1, max_attempts: 1, row_count: '1' });
      expect(job?.created_at).toBeInstanceOf(Date);
      expect(job?.finished_at).toBeInstanceOf(Date);
    } finally {
      await raw.end();
    }
  });
});

describe('list rows are typed', () => {
  it('status, Dates, timeout in ms, attempt_log', async () => {
    const before = Date.now();
    const id = await d.fire('SELECT 1 / 0', { label: 'client/typed-row', timeout: '1 hour 30 minutes', maxAttempts: 1 });
    expect(await d.wait(id)).toBe('failed');
    const later = await d.fireAt('SELECT 1', 'infinity', { label: 'client/typed-row-never' });
    const { jobs } = await d.list({ label: 'client/typed-row%' });
    const [never, failed] = jobs;
    expect(failed).toMatchObject({ id, status: 'failed', timeout: 5_400_000, error_sqlstate: '22012', retry_of: null });
    expect(failed!.created_at.getTime()).toBeGreaterThanOrEqual(before - 5_000);
    expect(failed!.finished_at!.getTime()).toBeGreaterThanOrEqual(failed!.started_at!.getTime());
    expect(failed!.attempt_log).toMatchObject([{ attempt: 1, sqlstate: '22012', failed_at: expect.any(Date) }]);
    expect(never).toMatchObject({ id: later, status: 'scheduled', timeout: null, started_at: null });
    expect(never!.run_at.getTime()).toBe(8.64e15);
    await d.cancel(later);
  });
});

describe('wait on a job fired in the still-open transaction', () => {
  const fast = async (p: Promise<unknown>): Promise<unknown> => {
    const started = Date.now();
    const e = await p.then(() => null, (err: unknown) => err);
    expect(Date.now() - started).toBeLessThan(2_000); // at once, not after timeoutMs
    return e;
  };

  it('rejects at once with JobNotCommittedError in a pg transaction, with or without { client }', async () => {
    const c = await pool.connect();
    try {
      await c.query('BEGIN');
      const a = await d.fire('SELECT 1', { label: 'client/pd101', client: c });
      const e = await fast(d.wait(a, { client: c, timeoutMs: 30_000 }));
      expect(e).toBeInstanceOf(JobNotCommittedError);
      expect(e).toMatchObject({ sqlstate: 'PD101' });
      // Waited through the pool: the client knows which transaction fired it, and that it is open.
      expect(await fast(d.wait(a, { timeoutMs: 30_000 }))).toBeInstanceOf(JobNotCommittedError);
      // Told without an error in the transaction: it goes on.
      expect((await c.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      await c.query('ROLLBACK');

      // Fired in SQL, waited on in the same transaction: pgdispatch.wait() itself says so.
      await c.query('BEGIN');
      const { rows: [{ id: b }] } = await c.query(`SELECT pgdispatch.fire('SELECT 1', label => 'client/pd101') AS id`);
      const server = await fast(d.wait(b, { client: c, timeoutMs: 30_000 }));
      expect(server).toBeInstanceOf(JobNotCommittedError);
      expect(server).toMatchObject({ sqlstate: 'PD101', cause: expect.any(pg.DatabaseError) });
      await c.query('ROLLBACK');

      await c.query('BEGIN');
      const ok = await d.fire('SELECT 1', { label: 'client/pd101-committed', client: c });
      await c.query('COMMIT');
      expect(await d.wait(ok, { timeoutMs: 15_000 })).toBe('succeeded');
      expect(await d.wait(ok, { client: c })).toBe('succeeded');
    } finally {
      c.release();
    }
    expect(await jobCount('client/pd101')).toBe(0);
  });

  it('rejects at once over a pg.Client whose own transaction fired it, and the transaction goes on', async () => {
    const c = await connect();
    const one = createDispatch(c, { listen: false });
    try {
      await c.query('BEGIN');
      const id = await one.fire('SELECT 1');
      expect(await fast(one.wait(id, { timeoutMs: 30_000 }))).toBeInstanceOf(JobNotCommittedError);
      await c.query('COMMIT'); // nothing failed in it
      expect(await one.wait(id, { timeoutMs: 15_000, pollIntervalMs: 100 })).toBe('succeeded');
    } finally {
      await c.end();
    }
  });

  it('rejects at once in a Kysely transaction, even when the pool has no other connection', async () => {
    const kpool = new pg.Pool({ connectionString: databaseUrl(), max: 1 });
    const db = new Kysely<PgDispatchDatabase>({ dialect: new PostgresDialect({ pool: kpool }) });
    const k = createDispatch(db);
    try {
      const inTrx = await db.transaction().execute(async (trx) => {
        const id = await k.fire('SELECT 1', { label: 'client/pd101-kysely', client: trx });
        return fast(k.wait(id, { client: trx, timeoutMs: 30_000 }));
      });
      expect(inTrx).toBeInstanceOf(JobNotCommittedError);
      // Without { client }: the pool's one connection is the transaction's; no wait for it.
      const outside = await db.transaction().execute(async (trx) => {
        const id = await k.fire('SELECT 1', { label: 'client/pd101-kysely', client: trx });
        return fast(k.wait(id, { timeoutMs: 30_000 }));
      });
      expect(outside).toBeInstanceOf(JobNotCommittedError);
      // Told without an error in them, both transactions committed.
      expect(await jobCount('client/pd101-kysely')).toBe(2);
      await k.cancelByLabel('client/pd101-kysely');
      const committed = await db.transaction().execute((trx) => k.fire('SELECT 1', { label: 'client/pd101-kysely-ok', client: trx }));
      expect(await k.wait(committed, { timeoutMs: 15_000, pollIntervalMs: 100 })).toBe('succeeded');
    } finally {
      await k.close();
      await db.destroy();
    }
  });
});

describe('wait in a transaction that has failed', () => {
  it('says the transaction is aborted (TransactionAbortedError, 25P02), not that the job is missing', async () => {
    const c = await pool.connect();
    try {
      await c.query('BEGIN');
      const id = await d.fire('SELECT 1', { label: 'client/aborted', client: c });
      await expect(c.query('SELECT 1 / 0')).rejects.toThrow();
      // Through the pool: the job is not there (it never will be), and the client knows why.
      const outside = await d.wait(id, { timeoutMs: 5_000 }).then(() => null, (e: unknown) => e);
      expect(outside).toBeInstanceOf(TransactionAbortedError);
      expect(outside).toMatchObject({ sqlstate: '25P02', cause: expect.any(JobNotFoundError), hint: expect.stringContaining('ROLLBACK') });
      // In it: PostgreSQL refuses every statement.
      const inside = await d.wait(id, { client: c, timeoutMs: 5_000 }).then(() => null, (e: unknown) => e);
      expect(inside).toBeInstanceOf(TransactionAbortedError);
      expect(inside).toMatchObject({ sqlstate: '25P02', cause: expect.any(pg.DatabaseError), hint: expect.stringContaining('ROLLBACK') });
      await c.query('ROLLBACK');
      // A failed transaction after the one that fired (and committed) the job: the job is waited on.
      await c.query('BEGIN');
      const ok = await d.fire('SELECT 1', { label: 'client/aborted-later', client: c });
      await c.query('COMMIT');
      await c.query('BEGIN');
      await expect(c.query('SELECT 1 / 0')).rejects.toThrow();
      expect(await d.wait(ok, { timeoutMs: 15_000 })).toBe('succeeded');
      await c.query('ROLLBACK');
    } finally {
      c.release();
    }
    expect(await jobCount('client/aborted')).toBe(0);
  });

  it('over a single pg.Client and in a Kysely transaction too', async () => {
    const c = await connect();
    const one = createDispatch(c, { listen: false });
    try {
      await c.query('BEGIN');
      const id = await one.fire('SELECT 1', { label: 'client/aborted' });
      await expect(c.query('SELECT 1 / 0')).rejects.toThrow();
      await expect(one.wait(id, { timeoutMs: 5_000 })).rejects.toMatchObject({ name: 'TransactionAbortedError', sqlstate: '25P02' });
      await c.query('ROLLBACK');
    } finally {
      await c.end();
    }
    const db = new Kysely<PgDispatchDatabase>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: databaseUrl(), max: 2 }) }) });
    const k = createDispatch(db);
    try {
      const [outside, inside] = await db.transaction().execute(async (trx) => {
        const id = await k.fire('SELECT 1', { label: 'client/aborted', client: trx });
        await expect(sql`SELECT 1 / 0`.execute(trx)).rejects.toThrow();
        return [
          await k.wait(id, { timeoutMs: 5_000 }).then(() => null, (e: unknown) => e),
          await k.wait(id, { client: trx, timeoutMs: 5_000 }).then(() => null, (e: unknown) => e),
        ];
      }); // its COMMIT, in a failed transaction, rolls back
      expect(outside).toBeInstanceOf(TransactionAbortedError);
      expect(outside).toMatchObject({ sqlstate: '25P02', cause: expect.any(JobNotFoundError) });
      expect(inside).toBeInstanceOf(TransactionAbortedError);
    } finally {
      await k.close();
      await db.destroy();
    }
    expect(await jobCount('client/aborted')).toBe(0);
  });
});

describe('waits share small pools', () => {
  const fireTen = async (k: Dispatch, label: string): Promise<string[]> => {
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) ids.push(await k.fire('SELECT pg_sleep(0.1)', { label }));
    return ids;
  };
  const listeners = async (): Promise<number> =>
    Number((await admin.query(`SELECT count(*) AS n FROM pg_stat_activity WHERE query = 'LISTEN pgdispatch' AND state = 'idle'`)).rows[0].n);

  it('Kysely over a pool of 2: 10 concurrent waits poll, all resolve, every connection given back', async () => {
    const kpool = new pg.Pool({ connectionString: databaseUrl(), max: 2 });
    const db = new Kysely<PgDispatchDatabase>({ dialect: new PostgresDialect({ pool: kpool }) });
    const k = createDispatch(db, { pollIntervalMs: 100 });
    try {
      const ids = await fireTen(k, 'client/pool-kysely');
      expect(await Promise.all(ids.map((id) => k.wait(id, { timeoutMs: 30_000 })))).toEqual(ids.map(() => 'succeeded'));
      expect(kpool.totalCount - kpool.idleCount).toBe(0);
      expect(kpool.waitingCount).toBe(0);
    } finally {
      await k.close();
      await db.destroy();
    }
  });

  it('Kysely with listen: its pool of 2: one connection listens for all 10 waits, and is given back', async () => {
    const kpool = new pg.Pool({ connectionString: databaseUrl(), max: 2 });
    const db = new Kysely<PgDispatchDatabase>({ dialect: new PostgresDialect({ pool: kpool }) });
    const k = createDispatch(db, { listen: kpool, pollIntervalMs: 10_000 });
    try {
      const ids = await fireTen(k, 'client/pool-listen');
      const resolved = new Map<string, number>();
      let listening = 0;
      const waits = ids.map((id) => k.wait(id, { timeoutMs: 30_000 }).then((s) => { resolved.set(id, Date.now()); return s; }));
      const probe = setInterval(() => void listeners().then((n) => { listening = Math.max(listening, n); }), 50);
      try {
        expect(await Promise.all(waits)).toEqual(ids.map(() => 'succeeded'));
      } finally {
        clearInterval(probe);
      }
      // Woken by notices, not by the 10 s poll.
      const { rows } = await admin.query('SELECT id, finished_at FROM pgdispatch.jobs WHERE id = ANY($1::bigint[])', [ids]);
      for (const r of rows) expect(resolved.get(r.id)! - (r.finished_at as Date).getTime()).toBeLessThan(2_000);
      expect(listening).toBeLessThanOrEqual(1);
      expect(kpool.totalCount - kpool.idleCount).toBe(0);
      expect(await listeners()).toBe(0);
    } finally {
      await k.close();
      await db.destroy();
    }
  });

  it('a pg pool of 1 cannot spare a listening connection: waits poll instead of waiting for themselves', async () => {
    const one = new pg.Pool({ connectionString: databaseUrl(), max: 1 });
    const p = createDispatch(one, { pollIntervalMs: 100 });
    try {
      const ids = await fireTen(p, 'client/pool-one');
      expect(await Promise.all(ids.map((id) => p.wait(id, { timeoutMs: 30_000 })))).toEqual(ids.map(() => 'succeeded'));
      expect(one.totalCount - one.idleCount).toBe(0);
    } finally {
      await p.close();
      await one.end();
    }
  });

  it('a pg pool of 2: 10 concurrent waits share one listening connection', async () => {
    const two = new pg.Pool({ connectionString: databaseUrl(), max: 2 });
    const p = createDispatch(two, { pollIntervalMs: 10_000 });
    try {
      const ids = await fireTen(p, 'client/pool-two');
      const started = Date.now();
      expect(await Promise.all(ids.map((id) => p.wait(id, { timeoutMs: 30_000 })))).toEqual(ids.map(() => 'succeeded'));
      expect(Date.now() - started).toBeLessThan(9_000); // not one of them needed the 10 s poll
      expect(two.totalCount - two.idleCount).toBe(0);
    } finally {
      await p.close();
      await two.end();
    }
  });
});
