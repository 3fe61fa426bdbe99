// End users of one role, and quotas. On Supabase every signed-in user is the NOLOGIN role
// `authenticated`, told apart only by the JWT claims PostgREST sets per request: a job fired by
// one end user is seen, waited on, read, cancelled and retried by that end user only (and admins),
// no bearer token or cookie is kept, and per-role quotas stop what would grow without bound.
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, dropExtension, waitFor, waitForJob } from '../setup/db.js';
import { rpc as supabaseRpc, rpcFailure as supabaseRpcFailure, supabaseLayout } from '../setup/supabase.js';

let admin: pg.Client; // superuser: only to build the role layout
let owner: pg.Client; // pgd_owner: creates and owns pg_dispatch (an admin)
let api: pg.Client; // authenticator, as PostgREST

// (the layout and PostgREST's RPC: test/setup/supabase.ts; no claims for a null sub)
const claims = (role: string, sub: string | null) => (sub === null ? '' : JSON.stringify({ sub, role, email: `${sub}@example.com` }));
const rpc = <T = Record<string, unknown>>(role: string, sub: string | null, sql: string, params: unknown[] = [], extra: Record<string, string> = {}) =>
  supabaseRpc<T>(api, role, claims(role, sub), sql, params, extra);
const rpcFailure = (role: string, sub: string | null, sql: string, params: unknown[] = []) =>
  supabaseRpcFailure(api, role, claims(role, sub), sql, params);
const fireAs = async (sub: string | null, command: string, role = 'authenticated'): Promise<string> =>
  (await rpc<{ id: string }>(role, sub, 'SELECT pgdispatch.fire($1) AS id', [command]))[0]!.id;
const snoozeAs = async (sub: string | null, role = 'authenticated', label = 'later'): Promise<string> =>
  (await rpc<{ id: string }>(role, sub, `SELECT pgdispatch.snooze('SELECT 1', '1 hour', label => $1) AS id`, [label]))[0]!.id;

beforeAll(async () => {
  admin = await connect();
  await dropExtension(admin); // first: the schemas below belong to it
  await admin.query(`DROP TABLE IF EXISTS bomb_switch CASCADE; DROP FUNCTION IF EXISTS public.bomb(); DROP SCHEMA IF EXISTS pgdispatch CASCADE`);
  await supabaseLayout(admin);
  owner = await connect({ user: 'pgd_owner' });
  await owner.query('CREATE EXTENSION pg_dispatch');
  await owner.query(`SELECT pgdispatch.grant_usage('authenticated'), pgdispatch.grant_usage('anon')`);
  api = await connect({ user: 'authenticator' });
});
afterAll(async () => {
  await api?.end();
  await owner?.query('DROP EXTENSION IF EXISTS pg_dispatch CASCADE').catch(() => {});
  await owner?.query('DROP TABLE IF EXISTS bomb_switch CASCADE; DROP FUNCTION IF EXISTS public.bomb()').catch(() => {});
  await owner?.end();
  await admin?.end();
});

describe('end users of one role see only their own jobs', () => {
  it('user 2 cannot see, status, result, wait on, cancel or retry user 1\'s job: job_not_found', async () => {
    const scheduled = await snoozeAs('user-1');
    const done = await fireAs('user-1', `SELECT 'for user 1 only' AS secret`);
    const failed = await fireAs('user-1', 'SELECT 1/0');
    expect((await waitForJob(owner, done)).status).toBe('succeeded');
    expect((await waitForJob(owner, failed)).status).toBe('failed');
    for (const id of [scheduled, done, failed]) {
      for (const viewer of ['user-2', null]) {
        expect(await rpc('authenticated', viewer, 'SELECT * FROM pgdispatch.jobs WHERE id = $1', [id])).toEqual([]);
        expect(await rpc('authenticated', viewer, 'SELECT id FROM pgdispatch._job WHERE id = $1', [id])).toEqual([]);
        for (const call of ['status($1)', 'result($1)', `wait($1, '0 seconds')`, 'cancel($1)', 'retry($1)']) {
          const err = await rpcFailure('authenticated', viewer, `SELECT pgdispatch.${call}`, [id]);
          expect(err.code, `${call} by ${viewer}`).toBe('PD100');
          expect(err.message).toBe(`pg_dispatch: no job ${id}`);
          expect(err.hint).toContain('end user');
        }
      }
    }
    expect((await rpc<{ n: number }>('authenticated', 'user-2', `SELECT pgdispatch.cancel_by_label('%') AS n`))[0]!.n).toBe(0);
    expect((await rpc<{ s: string }>('authenticated', 'user-2', 'SELECT scheduled::text AS s FROM pgdispatch.stats'))[0]!.s).toBe('0');
    // A direct INSERT naming user 1's job as the one retried is refused too.
    expect((await rpcFailure('authenticated', 'user-2', 'INSERT INTO pgdispatch._job (command, retry_of) VALUES ($1, $2)', ['SELECT 1', failed])).code).toBe('PD100');

    // User 1 sees all three, reads the result and retries the failure.
    expect((await rpc<{ id: string; sub: string }>('authenticated', 'user-1', 'SELECT id, sub FROM pgdispatch.jobs ORDER BY id'))
      .filter((j) => [scheduled, done, failed].includes(j.id)).map((j) => j.sub)).toEqual(['user-1', 'user-1', 'user-1']);
    expect((await rpc<{ r: { rows: unknown } }>('authenticated', 'user-1', 'SELECT pgdispatch.result($1) AS r', [done]))[0]!.r.rows)
      .toEqual([{ secret: 'for user 1 only' }]);
    expect((await rpc<{ s: string }>('authenticated', 'user-1', `SELECT pgdispatch.wait($1, '0 seconds') AS s`, [done]))[0]!.s).toBe('succeeded');
    const retried = (await rpc<{ id: string }>('authenticated', 'user-1', 'SELECT pgdispatch.retry($1) AS id', [failed]))[0]!.id;
    expect((await waitForJob(owner, retried)).status).toBe('failed');
    expect((await owner.query('SELECT sub, retry_of::text FROM pgdispatch.jobs WHERE id = $1', [retried])).rows).toEqual([{ sub: 'user-1', retry_of: failed }]);

    // Admins see everyone's, with whose it is, and may cancel it.
    expect((await owner.query('SELECT role, sub FROM pgdispatch.jobs WHERE id = $1', [scheduled])).rows).toEqual([{ role: 'authenticated', sub: 'user-1' }]);
    expect((await owner.query('SELECT pgdispatch.status($1) AS s', [scheduled])).rows[0].s).toBe('scheduled');
    expect((await owner.query('SELECT pgdispatch.cancel($1) AS c', [scheduled])).rows[0].c).toBe(true);
  });

  it('a session of the role without claims sees the jobs fired without claims, and an end user does not', async () => {
    const plain = await snoozeAs(null);
    expect((await rpc<{ s: string }>('authenticated', null, 'SELECT pgdispatch.status($1) AS s', [plain]))[0]!.s).toBe('scheduled');
    expect((await rpcFailure('authenticated', 'user-1', 'SELECT pgdispatch.status($1)', [plain])).code).toBe('PD100');
    expect((await rpc<{ c: boolean }>('authenticated', null, 'SELECT pgdispatch.cancel($1) AS c', [plain]))[0]!.c).toBe(true);
  });

  it('a job fired by a job keeps the end user of the first', async () => {
    const parent = await fireAs('user-1', `SELECT pgdispatch.fire('SELECT 2') AS child`);
    const job = await waitForJob(owner, parent);
    expect(job.status).toBe('succeeded');
    const child = String((job.rows as { child: number }[])[0]!.child);
    expect((await owner.query('SELECT sub FROM pgdispatch.jobs WHERE id = $1', [child])).rows).toEqual([{ sub: 'user-1' }]);
    expect((await rpc<{ s: string }>('authenticated', 'user-1', `SELECT pgdispatch.wait($1, '15 seconds') AS s`, [child]))[0]!.s).toBe('succeeded');
  });

  it('keeps no bearer token, cookie or header by default, and users cannot read what is carried', async () => {
    const id = (await rpc<{ id: string }>('authenticated', 'user-1', `SELECT pgdispatch.fire('SELECT 1') AS id`, [], {
      'request.headers': JSON.stringify({ authorization: 'Bearer eyJ.secret.token', cookie: 'sb-access-token=secret' }),
      'request.method': 'POST',
    }))[0]!.id;
    await waitForJob(owner, id);
    const { rows } = await owner.query(`SELECT count(*)::int AS n FROM pgdispatch._job
      WHERE settings ? 'request.headers' OR settings::text ~* 'bearer|cookie|secret'`);
    expect(rows[0].n).toBe(0);
    expect((await owner.query('SELECT settings FROM pgdispatch._job WHERE id = $1', [id])).rows[0].settings)
      .toMatchObject({ 'request.method': 'POST', 'request.jwt.claims': expect.stringContaining('user-1') });
    expect((await owner.query('SELECT carried_settings FROM pgdispatch.settings')).rows[0].carried_settings).not.toContain('request.headers');
    // The claims (e-mail and all) are for admins: not in the view, not in the table for users.
    expect(Object.keys((await rpc('authenticated', 'user-1', 'SELECT * FROM pgdispatch.jobs WHERE id = $1', [id]))[0]!)).not.toContain('settings');
    expect((await rpcFailure('authenticated', 'user-1', 'SELECT settings FROM pgdispatch._job WHERE id = $1', [id])).code).toBe('42501');
  });
});

describe('quotas', () => {
  const setQuota = (role: string, column: string, value: number | null): Promise<unknown> =>
    owner.query(`INSERT INTO pgdispatch.role_quotas (role, ${column}) VALUES ($1, $2)
                 ON CONFLICT (role) DO UPDATE SET ${column} = excluded.${column}`, [role, value]);

  it('refuses a command over max_command_bytes with PD300, the limit, the size and how to raise it', async () => {
    await owner.query('UPDATE pgdispatch.settings SET max_command_bytes = 100');
    try {
      const err = await rpcFailure('authenticated', 'user-1', 'SELECT pgdispatch.fire($1)', [`SELECT '${'x'.repeat(200)}'`]);
      expect(err.code).toBe('PD300');
      expect(err.message).toMatch(/is 209 bytes long, more than max_command_bytes \(100 for role authenticated\)/);
      expect(err.hint).toContain('UPDATE pgdispatch.settings SET max_command_bytes');
      expect(err.hint).toContain('pgdispatch.role_quotas');
      // A per-role value wins over the default, for that role only.
      await setQuota('authenticated', 'max_command_bytes', 1000);
      expect(await fireAs('user-1', `SELECT '${'x'.repeat(200)}'`)).toMatch(/^\d+$/);
      expect((await rpcFailure('anon', null, 'SELECT pgdispatch.fire($1)', [`SELECT '${'x'.repeat(200)}'`])).code).toBe('PD300');
    } finally {
      await owner.query('UPDATE pgdispatch.settings SET max_command_bytes = DEFAULT');
      await owner.query('DELETE FROM pgdispatch.role_quotas');
    }
  });

  it('refuses a job over max_pending_jobs with PD300, per role, and fires again once jobs finish', async () => {
    await owner.query(`UPDATE pgdispatch._job SET cancel_requested_at = now() WHERE status IN ('scheduled', 'running')`);
    await setQuota('authenticated', 'max_pending_jobs', 3);
    try {
      const ids = [await snoozeAs('user-1'), await snoozeAs('user-2'), await snoozeAs(null)];
      const err = await rpcFailure('authenticated', 'user-1', `SELECT pgdispatch.snooze('SELECT 1', '1 hour')`);
      expect(err.code).toBe('PD300');
      expect(err.message).toBe('pg_dispatch: role authenticated has 3 pending jobs (scheduled or running), its quota max_pending_jobs is 3');
      expect(err.hint).toContain('pgdispatch.role_quotas');
      expect(err.hint).toContain('max_pending_jobs');
      // Ten in one transaction: refused as a whole at the fourth.
      await owner.query(`SELECT pgdispatch.cancel($1)`, [ids[2]]);
      expect((await rpcFailure('authenticated', 'user-1', `SELECT pgdispatch.snooze('SELECT 1', '1 hour') FROM generate_series(1, 10)`)).code).toBe('PD300');
      expect(await snoozeAs('user-1')).toMatch(/^\d+$/);
      // Another role keeps the default.
      expect(await snoozeAs(null, 'anon')).toMatch(/^\d+$/);
      // Raised by an admin: fires again.
      await setQuota('authenticated', 'max_pending_jobs', 4);
      expect(await snoozeAs('user-1')).toMatch(/^\d+$/);
      await setQuota('authenticated', 'max_pending_jobs', 0);
      expect((await rpcFailure('authenticated', 'user-1', `SELECT pgdispatch.fire('SELECT 1')`)).message).toContain('max_pending_jobs is 0');
    } finally {
      await owner.query(`UPDATE pgdispatch._job SET cancel_requested_at = now() WHERE status IN ('scheduled', 'running')`);
      await owner.query('DELETE FROM pgdispatch.role_quotas');
    }
  });

  it('a bulk fire of thousands in one statement passes the quota check cheaply, and stops exactly at it', async () => {
    await setQuota('authenticated', 'max_pending_jobs', 2500);
    try {
      const err = await rpcFailure('authenticated', 'user-1', `SELECT pgdispatch.snooze('SELECT 1', '1 hour', label => 'bulk') FROM generate_series(1, 2501)`);
      expect(err.code).toBe('PD300');
      expect(err.message).toContain('has 2500 pending jobs');
      const { rows } = await api.query('SELECT 1'); // the connection is usable again
      expect(rows).toHaveLength(1);
      const n = (await rpc<{ n: number }>('authenticated', 'user-1', `SELECT count(pgdispatch.snooze('SELECT 1', '1 hour', label => 'bulk'))::int AS n FROM generate_series(1, 2500)`))[0]!.n;
      expect(n).toBe(2500);
    } finally {
      await owner.query(`SELECT pgdispatch.cancel_by_label('bulk')`);
      await owner.query('DELETE FROM pgdispatch.role_quotas');
    }
  });

  it('cuts a result over max_result_bytes to the rows that fit, truncated, with the exact row count', async () => {
    await setQuota('authenticated', 'max_result_bytes', 300);
    try {
      const id = await fireAs('user-1', `SELECT g, repeat('x', 50) AS pad FROM generate_series(1, 20) AS g`);
      const job = await waitForJob(owner, id);
      expect(job.status).toBe('succeeded');
      expect(job.row_count).toBe('20');
      expect(job.truncated).toBe(true);
      const rows = job.rows as { g: number }[];
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.length).toBeLessThan(20);
      expect(rows.map((r) => r.g)).toEqual(rows.map((_, i) => i + 1));
      const { rows: [{ bytes }] } = await owner.query('SELECT octet_length(rows::text) AS bytes FROM pgdispatch._job WHERE id = $1', [id]);
      expect(bytes).toBeLessThanOrEqual(300);
      expect(bytes).toBeGreaterThan(300 - 60); // one more row would not have fit
      // Another role, the default (10 MB): all of it.
      const other = await fireAs(null, `SELECT g, repeat('x', 50) AS pad FROM generate_series(1, 20) AS g`, 'anon');
      expect(await waitForJob(owner, other)).toMatchObject({ status: 'succeeded', truncated: false, row_count: '20' });
    } finally {
      await owner.query('DELETE FROM pgdispatch.role_quotas');
    }
  });

  it('a job that fires itself twice stops growing at the quota; the jobs that hit it fail with PD300', async () => {
    await owner.query(`
      CREATE TABLE bomb_switch (on_ boolean NOT NULL);
      INSERT INTO bomb_switch VALUES (true);
      GRANT SELECT ON bomb_switch TO authenticated;
      CREATE FUNCTION public.bomb() RETURNS void LANGUAGE plpgsql AS $$
      BEGIN
        IF (SELECT on_ FROM public.bomb_switch) THEN
          PERFORM pgdispatch.fire('SELECT public.bomb()', label => 'bomb');
          PERFORM pgdispatch.fire('SELECT public.bomb()', label => 'bomb');
        END IF;
      END $$;
      GRANT EXECUTE ON FUNCTION public.bomb() TO authenticated;`);
    await setQuota('authenticated', 'max_pending_jobs', 6);
    try {
      await fireAs('user-1', 'SELECT public.bomb()');
      let most = 0;
      const hit = await waitFor('a job refused by the quota', async () => {
        const { rows: [{ n }] } = await owner.query(`SELECT count(*)::int AS n FROM pgdispatch._job WHERE role = 'authenticated' AND status IN ('scheduled', 'running')`);
        most = Math.max(most, n);
        const { rows } = await owner.query(`SELECT id, error_message, sub FROM pgdispatch.jobs WHERE label = 'bomb' AND error_sqlstate = 'PD300' LIMIT 1`);
        return rows[0] as { error_message: string; sub: string } | undefined;
      }, { timeoutMs: 60_000 });
      expect(hit.error_message).toContain('its quota max_pending_jobs is 6');
      expect(hit.sub).toBe('user-1');
      // Concurrent runners may pass the quota by the jobs they fire at the same moment, no more.
      expect(most).toBeLessThanOrEqual(6 + 4);
    } finally {
      await owner.query('UPDATE bomb_switch SET on_ = false');
      await waitFor('the bomb to stop', async () => {
        await owner.query(`SELECT pgdispatch.cancel_by_label('bomb')`);
        const { rows: [{ n }] } = await owner.query(`SELECT count(*)::int AS n FROM pgdispatch._job WHERE label = 'bomb' AND status IN ('scheduled', 'running')`);
        return n === 0 || undefined;
      }, { timeoutMs: 30_000 });
      await owner.query('DELETE FROM pgdispatch.role_quotas');
    }
  });
});
