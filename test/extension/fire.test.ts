// fire() and snooze(): a command handed off runs later, in its own transaction, once the caller
// commits, and its outcome is recorded.
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, failure, freshExtension, waitFor, waitForJob } from '../setup/db.js';

let db: pg.Client;

beforeAll(async () => {
  db = await connect();
  await freshExtension(db);
  await db.query('DROP TABLE IF EXISTS hits, orders CASCADE');
  await db.query('CREATE TABLE hits (source text, at timestamptz DEFAULT clock_timestamp())');
});
afterAll(async () => db?.end());

const fire = async (command: string): Promise<string> =>
  (await db.query<{ id: string }>('SELECT pgdispatch.fire($1) AS id', [command])).rows[0]!.id;

describe('fire', () => {
  it('runs a command after commit and records succeeded with its row count', async () => {
    const id = await fire(`INSERT INTO hits (source) VALUES ('plain')`);
    const job = await waitForJob(db, id);
    expect(job.status).toBe('succeeded');
    expect(job.attempts).toBe(1);
    expect(job.row_count).toBe('1');
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM hits WHERE source = 'plain'`);
    expect(rows[0].n).toBe(1);
    expect(await db.query('SELECT pgdispatch.status($1) AS s', [id]).then((r) => r.rows[0].s)).toBe('succeeded');
  });

  it('never runs a job whose firing transaction rolled back, and leaves no job behind', async () => {
    await db.query('BEGIN');
    const id = await fire(`INSERT INTO hits (source) VALUES ('rolled back')`);
    await db.query('ROLLBACK');
    const witness = await fire(`INSERT INTO hits (source) VALUES ('after rollback')`);
    await waitForJob(db, witness);
    const { rows: jobs } = await db.query('SELECT 1 FROM pgdispatch.jobs WHERE id = $1', [id]);
    expect(jobs).toHaveLength(0);
    const { rows: cron } = await db.query(`SELECT 1 FROM cron.job WHERE jobname = $1`, [`pgdispatch_job_${id}`]);
    expect(cron).toHaveLength(0);
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM hits WHERE source = 'rolled back'`);
    expect(rows[0].n).toBe(0);
  });

  it('fires from an AFTER INSERT trigger; the job starts only after the outer transaction commits', async () => {
    await db.query(`
      CREATE TABLE orders (id int PRIMARY KEY);
      CREATE FUNCTION order_fired() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pgdispatch.fire(format('INSERT INTO hits (source) VALUES (%L)', 'order ' || NEW.id));
        RETURN NEW;
      END $$;
      CREATE TRIGGER order_fired AFTER INSERT ON orders FOR EACH ROW EXECUTE FUNCTION order_fired();`);
    await db.query('BEGIN');
    await db.query('INSERT INTO orders VALUES (7)');
    const { rows: [{ id }] } = await db.query(`SELECT max(id) AS id FROM pgdispatch.jobs`);
    // Held open for longer than pg_cron's floor: the job must not start meanwhile.
    await new Promise((r) => setTimeout(r, 2500));
    const other = await connect();
    const { rows: seen } = await other.query('SELECT started_at FROM pgdispatch._job WHERE id = $1', [id]);
    await other.end();
    expect(seen).toHaveLength(0); // not even visible before commit
    const { rows: [{ committed }] } = await db.query('SELECT clock_timestamp() AS committed');
    await db.query('COMMIT');
    const job = await waitForJob(db, id);
    expect(job.status).toBe('succeeded');
    expect(job.started_at!.getTime()).toBeGreaterThan(new Date(committed).getTime());
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM hits WHERE source = 'order 7'`);
    expect(rows[0].n).toBe(1);
  });

  it('fires from inside a function called as an RPC', async () => {
    await db.query(`
      CREATE FUNCTION rpc_enqueue(what text) RETURNS bigint LANGUAGE sql AS $$
        SELECT pgdispatch.fire(format('INSERT INTO hits (source) VALUES (%L)', what))
      $$;`);
    const { rows: [{ id }] } = await db.query(`SELECT rpc_enqueue('rpc') AS id`);
    expect((await waitForJob(db, id)).status).toBe('succeeded');
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM hits WHERE source = 'rpc'`);
    expect(rows[0].n).toBe(1);
  });

  it('rolls back a failing command, records failed with the whole error, and never runs it again', async () => {
    await db.query(`
      CREATE FUNCTION explode() RETURNS void LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'kaboom' USING ERRCODE = 'P0042', DETAIL = 'the detail', HINT = 'the hint';
      END $$;`);
    const id = await fire(`INSERT INTO hits (source) VALUES ('half done'); SELECT explode();`);
    const job = await waitForJob(db, id);
    expect(job).toMatchObject({
      status: 'failed', attempts: 1, error_sqlstate: 'P0042', error_message: 'kaboom',
      error_detail: 'the detail', error_hint: 'the hint',
    });
    expect(job.error_context).toContain('explode()');
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM hits WHERE source = 'half done'`);
    expect(rows[0].n).toBe(0);
    // Its carrier is gone and it stays failed with one attempt, well past pg_cron's interval.
    await waitFor('the failed job\'s carrier to be removed', async () => {
      const { rows: c } = await db.query('SELECT 1 FROM cron.job WHERE jobname = $1', [`pgdispatch_job_${id}`]);
      return c.length === 0 ? true : undefined;
    }, { timeoutMs: 10_000 });
    const later = await fire('SELECT 1');
    await waitForJob(db, later);
    const again = await db.query('SELECT status, attempts FROM pgdispatch.jobs WHERE id = $1', [id]);
    expect(again.rows[0]).toEqual({ status: 'failed', attempts: 1 });
  });

  it('runs any command text: quotes, dollar tags, several statements, Unicode, very long text', async () => {
    const texts = [
      `INSERT INTO hits (source) VALUES ('it''s "quoted"')`,
      `INSERT INTO hits (source) VALUES ($$dollar $job$ $pgdispatch$ $fn$ tag$$)`,
      `DO $job$ BEGIN INSERT INTO hits (source) VALUES ('do block; with semicolon'); END $job$;`,
      `INSERT INTO hits (source) VALUES ('one'); INSERT INTO hits (source) VALUES ('two');`,
      `INSERT INTO hits (source) VALUES ('ünïcødé ✓ 日本語 🚀')`,
      `INSERT INTO hits (source) VALUES ('long') /* ${'x'.repeat(1_000_000)} */`,
    ];
    const ids = [];
    for (const t of texts) ids.push(await fire(t));
    for (const id of ids) expect((await waitForJob(db, id)).status).toBe('succeeded');
    const { rows } = await db.query(`SELECT source FROM hits WHERE source IN
      ('it''s "quoted"', 'dollar $job$ $pgdispatch$ $fn$ tag', 'do block; with semicolon', 'one', 'two', 'ünïcødé ✓ 日本語 🚀', 'long')`);
    expect(rows.map((r) => r.source).sort()).toEqual(
      ['dollar $job$ $pgdispatch$ $fn$ tag', 'do block; with semicolon', 'it\'s "quoted"', 'long', 'one', 'two', 'ünïcødé ✓ 日本語 🚀'].sort());
    const { rows: cmd } = await db.query('SELECT command FROM pgdispatch.jobs WHERE id = $1', [ids[4]]);
    expect(cmd[0].command).toBe(texts[4]);
  });

  it('refuses NULL and empty commands and negative delays at fire time, scheduling nothing', async () => {
    const before = await db.query('SELECT count(*)::int AS n FROM pgdispatch.jobs');
    const cronBefore = await db.query('SELECT coalesce(max(jobid), 0)::int AS n FROM cron.job');
    for (const [sql, params] of [
      ['SELECT pgdispatch.fire(NULL)', []],
      ["SELECT pgdispatch.fire('')", []],
      ["SELECT pgdispatch.fire('  ;  ')", []],
      ["SELECT pgdispatch.snooze('SELECT 1', '-1 second')", []],
      ["SELECT pgdispatch.snooze('SELECT 1', NULL)", []],
    ] as const) {
      const err = await failure(db, sql, [...params]);
      expect(err.code, sql).toMatch(/^PD2/);
      expect(err.hint, sql).toBeTruthy();
    }
    expect((await db.query('SELECT count(*)::int AS n FROM pgdispatch.jobs')).rows[0].n).toBe(before.rows[0].n);
    // No carrier was made (carriers of earlier tests may be going meanwhile).
    expect((await db.query('SELECT coalesce(max(jobid), 0)::int AS n FROM cron.job')).rows[0].n).toBeLessThanOrEqual(cronBefore.rows[0].n);
  });

  it('refuses commands that cannot run in a transaction, naming the alternative', async () => {
    const err = await failure(db, `SELECT pgdispatch.fire('VACUUM hits')`);
    expect(err.code).toBe('PD202');
    expect(err.hint).toContain('cron.schedule');
  });
});

describe('snooze', () => {
  it('runs the command not before the delay has passed', async () => {
    const { rows: [{ id, fired }] } = await db.query(
      `SELECT pgdispatch.snooze($$INSERT INTO hits (source) VALUES ('snoozed')$$, '3 seconds') AS id, clock_timestamp() AS fired`);
    const job = await waitForJob(db, id, undefined, 20_000);
    expect(job.status).toBe('succeeded');
    const waited = job.started_at!.getTime() - new Date(fired).getTime();
    expect(waited).toBeGreaterThanOrEqual(3000);
    expect(waited).toBeLessThan(3000 + 2500);
  });
});

describe('traces in pg_cron', () => {
  it('leaves no carrier in cron.job and no rows in cron.job_run_details', async () => {
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push(await fire(`SELECT ${i}`));
    for (const id of ids) await waitForJob(db, id);
    await waitFor('carriers and run details of pg_dispatch to be gone', async () => {
      const { rows: [c] } = await db.query(`
        SELECT (SELECT count(*) FROM cron.job WHERE jobname LIKE 'pgdispatch\\_job\\_%')::int AS carriers,
               (SELECT count(*) FROM cron.job_run_details WHERE command LIKE 'DO $pgdispatch$%'
                   AND status NOT IN ('starting', 'running'))::int AS runs`);
      return c.carriers === 0 && c.runs === 0 ? true : undefined;
      // (each carrier's own session removes it: on CI's loaded machine pg_cron once took over 10 s
      // to open them all)
    }, { timeoutMs: 30_000 });
  });
});
