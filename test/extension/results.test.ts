// Come back later: labels, results of every command kind, errors, wait, cancel, notices, stats,
// all for a role that is not a superuser.
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, failure, freshExtension, waitFor, waitForJob } from '../setup/db.js';

let admin: pg.Client;
let app: pg.Client;

beforeAll(async () => {
  admin = await connect();
  await freshExtension(admin);
  await admin.query(`DROP TABLE IF EXISTS items; DROP OWNED BY pgd_app; DROP ROLE IF EXISTS pgd_app`).catch(() => {});
  await admin.query(`DROP ROLE IF EXISTS pgd_app`);
  await admin.query(`CREATE ROLE pgd_app LOGIN`);
  await admin.query(`SELECT pgdispatch.grant_usage('pgd_app')`);
  await admin.query(`CREATE TABLE items (id int PRIMARY KEY, name text); GRANT ALL ON items TO pgd_app`);
  await admin.query(`INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 5) g`);
  app = await connect({ user: 'pgd_app' });
});
afterAll(async () => {
  await app?.end();
  await admin?.end();
});

const fire = async (command: string, label?: string): Promise<string> =>
  (await app.query<{ id: string }>('SELECT pgdispatch.fire($1, label => $2) AS id', [command, label ?? null])).rows[0]!.id;
const result = async (id: string) => (await app.query('SELECT pgdispatch.result($1) AS r', [id])).rows[0].r;

describe('results', () => {
  it('keeps the rows of every command kind that returns rows, and the row count of every job', async () => {
    const cases: Array<[string, unknown, number]> = [
      ['SELECT id, name FROM items WHERE id <= 2 ORDER BY id', [{ id: 1, name: 'item 1' }, { id: 2, name: 'item 2' }], 2],
      [`VALUES (1, 'a'), (2, 'b')`, [{ column1: 1, column2: 'a' }, { column1: 2, column2: 'b' }], 2],
      ['TABLE items ORDER BY id LIMIT 1', [{ id: 1, name: 'item 1' }], 1],
      ['WITH x AS (SELECT 41 AS n) SELECT n + 1 AS answer FROM x', [{ answer: 42 }], 1],
      [`INSERT INTO items VALUES (100, 'new') RETURNING id, name`, [{ id: 100, name: 'new' }], 1],
      [`UPDATE items SET name = upper(name) WHERE id BETWEEN 3 AND 5`, null, 3],
      [`CREATE TEMP TABLE scratch (x int)`, null, 0],
      [`SELECT 1 WHERE false`, [], 0],
    ];
    const ids = [];
    for (const [command] of cases) ids.push(await fire(command));
    for (const [i, [command, rows, count]] of cases.entries()) {
      await waitForJob(app, ids[i]!);
      const r = await result(ids[i]!);
      expect(r, command).toMatchObject({ status: 'succeeded', rows, row_count: count, truncated: false, error: null, command });
    }
  });

  it('reads a result any number of times', async () => {
    const id = await fire('SELECT 7 AS seven');
    await waitForJob(app, id);
    const first = await result(id);
    expect(await result(id)).toEqual(first);
    expect(first.rows).toEqual([{ seven: 7 }]);
  });

  it('stores at most the cap of a 100,000-row result, says it truncated, and counts every row', async () => {
    const id = await fire('SELECT g FROM generate_series(1, 100000) g');
    await waitForJob(app, id, undefined, 30_000);
    const r = await result(id);
    expect(r.rows).toHaveLength(1000);
    expect(r.rows[999]).toEqual({ g: 1000 });
    expect(r).toMatchObject({ row_count: 100000, truncated: true });
    await admin.query('UPDATE pgdispatch.settings SET max_result_rows = 10');
    const small = await fire('SELECT g FROM generate_series(1, 50) g');
    await waitForJob(app, small);
    expect(await result(small)).toMatchObject({ row_count: 50, truncated: true });
    expect((await result(small)).rows).toHaveLength(10);
    await admin.query('UPDATE pgdispatch.settings SET max_result_rows = 1000');
  });

  it('records errors of several SQLSTATEs with their parts', async () => {
    const cases: Array<[string, string]> = [
      ['SELECT 1/0', '22012'],
      ['SELECT * FROM no_such_table', '42P01'],
      [`INSERT INTO items VALUES (1, 'duplicate')`, '23505'],
      [`DO $$BEGIN RAISE EXCEPTION 'custom' USING DETAIL = 'd', HINT = 'h'; END$$`, 'P0001'],
      ['SELEC 1', '42601'],
    ];
    const ids = [];
    for (const [command] of cases) ids.push(await fire(command));
    for (const [i, [command, sqlstate]] of cases.entries()) {
      await waitForJob(app, ids[i]!);
      const r = await result(ids[i]!);
      expect(r.status, command).toBe('failed');
      expect(r.error.sqlstate, command).toBe(sqlstate);
      expect(r.error.message, command).toBeTruthy();
    }
    const custom = await result(ids[3]!);
    expect(custom.error).toMatchObject({ message: 'custom', detail: 'd', hint: 'h' });
  });
});

describe('labels', () => {
  it('keeps the label, filterable in pgdispatch.jobs, and refuses one over 64 bytes', async () => {
    const id = await fire('SELECT 1', 'billing/prod/req-8f3a');
    const { rows } = await app.query(`SELECT id FROM pgdispatch.jobs WHERE label LIKE 'billing/%'`);
    expect(rows.map((r) => r.id)).toContain(id);
    const err = await failure(app, `SELECT pgdispatch.fire('SELECT 1', label => repeat('é', 33))`);
    expect(err.code).toBe('PD201');
    expect(err.hint).toBeTruthy();
  });
});

describe('wait', () => {
  it('returns the status once the job has finished', async () => {
    const id = await fire('SELECT pg_sleep(0.5)');
    const { rows } = await app.query(`SELECT pgdispatch.wait($1, '20 seconds') AS s`, [id]);
    expect(rows[0].s).toBe('succeeded');
  });

  it('returns the current status when the timeout passes first', async () => {
    const id = await fire('SELECT pg_sleep(30)');
    const t0 = Date.now();
    const { rows } = await app.query(`SELECT pgdispatch.wait($1, '500 milliseconds') AS s`, [id]);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(['scheduled', 'running']).toContain(rows[0].s);
    await app.query('SELECT pgdispatch.cancel($1)', [id]);
  });

  it('raises instead of hanging on a job fired in the still-open transaction', async () => {
    await app.query('BEGIN');
    const id = await fire('SELECT 1');
    const err = await failure(app, 'SELECT pgdispatch.wait($1)', [id]);
    await app.query('ROLLBACK');
    expect(err.code).toBe('PD101');
    expect(err.hint).toContain('COMMIT');
  });
});

describe('cancel', () => {
  it('a job not yet started never starts, and its carrier is removed', async () => {
    const { rows: [{ id }] } = await app.query(`SELECT pgdispatch.snooze($$INSERT INTO items VALUES (200, 'never')$$, '3 seconds') AS id`);
    expect((await app.query('SELECT pgdispatch.cancel($1) AS c', [id])).rows[0].c).toBe(true);
    expect((await app.query('SELECT pgdispatch.status($1) AS s', [id])).rows[0].s).toBe('cancelled');
    const { rows: carriers } = await admin.query('SELECT 1 FROM cron.job WHERE jobname = $1', [`pgdispatch_job_${id}`]);
    expect(carriers).toHaveLength(0);
    const witness = await fire('SELECT 1');
    await new Promise((r) => setTimeout(r, 0));
    await waitForJob(app, witness);
    await waitFor('the cancelled job\'s time to pass', async () =>
      (await admin.query(`SELECT now() > run_at + interval '1 second' AS past FROM pgdispatch._job WHERE id = $1`, [id])).rows[0].past || undefined);
    expect((await app.query('SELECT count(*)::int AS n FROM items WHERE id = 200')).rows[0].n).toBe(0);
    expect((await app.query('SELECT status, attempts FROM pgdispatch.jobs WHERE id = $1', [id])).rows[0]).toEqual({ status: 'cancelled', attempts: 0 });
  });

  it('a running pg_sleep(60) ends within 2 seconds, status cancelled, effects rolled back', async () => {
    const id = await fire(`INSERT INTO items VALUES (300, 'half'); SELECT pg_sleep(60)`);
    await waitForJob(app, id, ['running']);
    const { rows: [{ pid }] } = await admin.query(`SELECT runner_pid AS pid FROM pgdispatch._job WHERE id = $1`, [id]);
    await waitFor('the command to sleep', async () => ((await admin.query(
      `SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND wait_event = 'PgSleep'`, [pid])).rows.length ? true : undefined));
    const t0 = Date.now();
    expect((await app.query('SELECT pgdispatch.cancel($1) AS c', [id])).rows[0].c).toBe(true);
    // The command itself ends within 2 s: its backend leaves pg_sleep.
    await waitFor('the command to stop', async () => ((await admin.query(
      `SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND wait_event = 'PgSleep'`, [pid])).rows.length ? undefined : true),
    { timeoutMs: 2000, intervalMs: 20 });
    expect(Date.now() - t0).toBeLessThan(2000);
    // Then its runner records it and leaves the job (seconds more on a loaded machine).
    await waitFor('the runner to leave the job', async () => ((await admin.query(
      `SELECT 1 FROM pg_stat_activity WHERE application_name = $1`, [`pgdispatch job ${id}`])).rows.length ? undefined : true),
    { timeoutMs: 10_000, intervalMs: 20 });
    expect((await app.query('SELECT pgdispatch.status($1) AS s', [id])).rows[0].s).toBe('cancelled');
    expect((await app.query('SELECT count(*)::int AS n FROM items WHERE id = 300')).rows[0].n).toBe(0);
  });

  it('returns false and changes nothing for a finished job', async () => {
    const id = await fire('SELECT 1');
    await waitForJob(app, id);
    expect((await app.query('SELECT pgdispatch.cancel($1) AS c', [id])).rows[0].c).toBe(false);
    expect((await app.query('SELECT pgdispatch.status($1) AS s', [id])).rows[0].s).toBe('succeeded');
  });

  it('cancel_by_label cancels every unfinished job whose label matches', async () => {
    for (let i = 0; i < 3; i++) {
      await app.query(`SELECT pgdispatch.snooze('SELECT 1', '1 hour', label => $1)`, [`batch-7/${i}`]);
    }
    await app.query(`SELECT pgdispatch.snooze('SELECT 1', '1 hour', label => 'other')`);
    expect((await app.query(`SELECT pgdispatch.cancel_by_label('batch-7/%') AS n`)).rows[0].n).toBe(3);
    expect((await app.query(`SELECT count(*)::int AS n FROM pgdispatch.jobs WHERE label = 'other' AND status = 'scheduled'`)).rows[0].n).toBe(1);
  });
});

describe('completion notices', () => {
  it('NOTIFY pgdispatch with the id and status when a job finishes, nothing of its content (no label)', async () => {
    const listener = await connect({ user: 'pgd_app' });
    const seen: Array<{ id: number; status: string }> = [];
    listener.on('notification', (n) => seen.push(JSON.parse(n.payload!)));
    await listener.query('LISTEN pgdispatch');
    const ok = await fire('SELECT 1', 'notice/ok');
    const bad = await fire('SELECT 1/0', 'notice/bad');
    await waitFor('two notices', async () => (seen.filter((s) => [ok, bad].includes(String(s.id))).length === 2 ? true : undefined));
    await listener.end();
    expect(seen).toContainEqual({ id: Number(ok), status: 'succeeded' });
    expect(seen).toContainEqual({ id: Number(bad), status: 'failed' });
  });
});

describe('stats', () => {
  it('counts jobs per status and reports latency percentiles', async () => {
    const { rows: [s] } = await app.query('SELECT * FROM pgdispatch.stats');
    expect(Number(s.succeeded)).toBeGreaterThan(5);
    expect(Number(s.failed)).toBeGreaterThanOrEqual(5);
    expect(Number(s.cancelled)).toBeGreaterThanOrEqual(5);
    expect(s.start_latency_p50).not.toBeNull();
    expect(s.run_time_p95).not.toBeNull();
  });
});
