// retry(): a finished job that did not succeed runs again as a new job of the caller, linked to it.
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, failure, freshExtension, waitForJob } from '../setup/db.js';

let admin: pg.Client;
let app: pg.Client;
let other: pg.Client;

beforeAll(async () => {
  admin = await connect();
  await freshExtension(admin);
  for (const r of ['pgd_retry', 'pgd_retry_other']) {
    await admin.query(`DROP OWNED BY ${r}`).catch(() => {});
    await admin.query(`DROP ROLE IF EXISTS ${r}`);
    await admin.query(`CREATE ROLE ${r} LOGIN`);
    await admin.query(`SELECT pgdispatch.grant_usage('${r}')`);
  }
  await admin.query(`DROP TABLE IF EXISTS retry_flag; CREATE TABLE retry_flag (ok boolean); GRANT ALL ON retry_flag TO pgd_retry`);
  app = await connect({ user: 'pgd_retry' });
  other = await connect({ user: 'pgd_retry_other' });
});
afterAll(async () => {
  await app?.end();
  await other?.end();
  await admin?.end();
});

describe('retry', () => {
  it('fires a failed job again with the same options, linked to it, as the caller', async () => {
    // Fails until the flag row exists: the retry then succeeds.
    const cmd = `SELECT 1 / (SELECT count(*) FROM retry_flag)::int AS x`;
    const { rows: [{ id }] } = await app.query(`SELECT pgdispatch.fire($1, label => 'retry/a', timeout => '7 seconds', max_attempts => 1) AS id`, [cmd]);
    expect((await waitForJob(app, id)).status).toBe('failed');
    await admin.query(`INSERT INTO retry_flag VALUES (true)`);
    const { rows: [{ again }] } = await app.query(`SELECT pgdispatch.retry($1) AS again`, [id]);
    expect(again).not.toBe(id);
    const job = await waitForJob(app, again);
    expect(job.status).toBe('succeeded');
    const { rows: [row] } = await app.query(`SELECT command, label, timeout::text, max_attempts, retry_of, role FROM pgdispatch.jobs WHERE id = $1`, [again]);
    expect(row).toEqual({ command: cmd, label: 'retry/a', timeout: '00:00:07', max_attempts: 1, retry_of: id, role: 'pgd_retry' });
  });

  it('refuses a job that succeeded or has not finished, with its own SQLSTATE and a hint', async () => {
    const { rows: [{ id }] } = await app.query(`SELECT pgdispatch.fire('SELECT 1') AS id`);
    expect((await waitForJob(app, id)).status).toBe('succeeded');
    const e = await failure(app, `SELECT pgdispatch.retry($1)`, [id]);
    expect(e.code).toBe('PD102');
    expect(e.hint).toMatch(/fire it/);
    const { rows: [{ later }] } = await app.query(`SELECT pgdispatch.snooze('SELECT 1', '1 hour') AS later`);
    expect((await failure(app, `SELECT pgdispatch.retry($1)`, [later])).code).toBe('PD102');
    await app.query(`SELECT pgdispatch.cancel($1)`, [later]);
  });

  it('cannot retry, or link to, another role\'s job', async () => {
    const { rows: [{ id }] } = await app.query(`SELECT pgdispatch.fire('SELECT 1/0') AS id`);
    expect((await waitForJob(app, id)).status).toBe('failed');
    expect((await failure(other, `SELECT pgdispatch.retry($1)`, [id])).code).toBe('PD100');
    const e = await failure(other, `INSERT INTO pgdispatch._job (command, retry_of) VALUES ('SELECT 1', $1)`, [id]);
    expect(e.code).toBe('PD100');
  });
});
