// Security: Supabase's role layout recreated on the test server. The extension is owned by a
// non-superuser (like Supabase's `postgres`), RPC roles are NOLOGIN and reached through an
// `authenticator` that switches role, and a hostile suite tries to climb, peek and forge.
import type pg from 'pg';
import { extension } from '../../src/extension.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, dropExtension, failure, waitFor, waitForJob } from '../setup/db.js';
import { rpc as supabaseRpc, rpcFailure as supabaseRpcFailure, supabaseLayout } from '../setup/supabase.js';

let admin: pg.Client; // superuser: only to build the role layout
let owner: pg.Client; // pgd_owner: creates and owns pg_dispatch, like Supabase's postgres
let api: pg.Client; // authenticator, as PostgREST
let api2: pg.Client;

const claims = (sub: string) => JSON.stringify({ sub, role: 'authenticated' });

// (the layout and PostgREST's RPC: test/setup/supabase.ts)
const rpc = <T = Record<string, unknown>>(client: pg.Client, role: string, sub: string, sql: string, params: unknown[] = []) =>
  supabaseRpc<T>(client, role, claims(sub), sql, params);
const rpcFailure = (client: pg.Client, role: string, sub: string, sql: string, params: unknown[] = []) =>
  supabaseRpcFailure(client, role, claims(sub), sql, params);
const fireAs = async (role: string, sub: string, command: string): Promise<string> =>
  (await rpc<{ id: string }>(api, role, sub, 'SELECT pgdispatch.fire($1) AS id', [command]))[0]!.id;

beforeAll(async () => {
  admin = await connect();
  await dropExtension(admin); // first: the schemas below belong to it
  await admin.query(`DROP TABLE IF EXISTS notes, secrets CASCADE; DROP SCHEMA IF EXISTS auth CASCADE; DROP SCHEMA IF EXISTS pgdispatch CASCADE`);
  await supabaseLayout(admin);
  owner = await connect({ user: 'pgd_owner' });
  await owner.query('CREATE EXTENSION pg_dispatch');
  await owner.query(`SELECT pgdispatch.grant_usage('authenticated'), pgdispatch.grant_usage('anon')`);
  // An app in the Supabase style: auth.uid() from the JWT claims, RLS on them.
  await owner.query(`
    CREATE SCHEMA auth;
    CREATE FUNCTION auth.uid() RETURNS text LANGUAGE sql STABLE AS
      $$ SELECT nullif(current_setting('request.jwt.claims', true), '')::json ->> 'sub' $$;
    GRANT USAGE ON SCHEMA auth TO anon, authenticated;
    CREATE TABLE notes (owner_id text NOT NULL DEFAULT auth.uid(), body text);
    ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
    CREATE POLICY own_notes ON notes TO authenticated USING (owner_id = auth.uid()) WITH CHECK (owner_id = auth.uid());
    GRANT SELECT, INSERT ON notes TO authenticated;
    INSERT INTO notes VALUES ('user-1', 'one'), ('user-2', 'two');
    CREATE TABLE secrets (s text); INSERT INTO secrets VALUES ('owner only');`);
  api = await connect({ user: 'authenticator' });
  api2 = await connect({ user: 'authenticator' });
});
afterAll(async () => {
  await api?.end();
  await api2?.end();
  await owner?.query('DROP EXTENSION IF EXISTS pg_dispatch CASCADE').catch(() => {});
  await owner?.end();
  await admin?.end();
});

describe('installation without superuser', () => {
  it('the extension belongs to the non-superuser that created it, and so do its pg_cron jobs', async () => {
    const { rows } = await admin.query(`SELECT extowner::regrole::text AS o FROM pg_extension WHERE extname = 'pg_dispatch'`);
    expect(rows[0].o).toBe('pgd_owner');
    // The first job, fired by a user, brings the service jobs: they too are the owner's.
    const id = await fireAs('authenticated', 'user-1', 'SELECT 1');
    const { rows: jobs } = await admin.query(`SELECT jobname, username FROM cron.job WHERE jobname LIKE 'pgdispatch\\_%' ORDER BY 1`);
    expect(jobs).toEqual(expect.arrayContaining([
      { jobname: 'pgdispatch_maintenance', username: 'pgd_owner' },
      { jobname: 'pgdispatch_reboot', username: 'pgd_owner' },
    ]));
    // A job's carrier belongs to its role's runner identity: a login role that holds nothing.
    const { rows: [runner] } = await admin.query(
      `SELECT 'pgdispatch_runner_' || 'authenticated'::regrole::oid AS name, r.rolsuper, r.rolcreaterole, r.rolbypassrls,
              (SELECT array_agg(m.roleid::regrole::text) FROM pg_auth_members m WHERE m.member = r.oid) AS member_of
         FROM pg_roles r WHERE r.rolname = 'pgdispatch_runner_' || 'authenticated'::regrole::oid`);
    expect(runner).toEqual({ name: runner.name, rolsuper: false, rolcreaterole: false, rolbypassrls: false, member_of: ['pgdispatch_runners'] });
    expect(jobs.filter((j) => j.username !== 'pgd_owner')).toEqual(
      jobs.filter((j) => j.jobname.startsWith('pgdispatch_job_')).map(() => expect.objectContaining({ username: runner.name })));
    await waitForJob(owner, id);
  });
});

describe('a job runs as the role that fired it', () => {
  it('an RPC as authenticated fires a job that runs as authenticated, seeing the same auth.uid()', async () => {
    const id = await fireAs('authenticated', 'user-1',
      `SELECT current_user AS who, auth.uid() AS uid, (SELECT array_agg(body) FROM notes) AS visible_notes`);
    const job = await waitForJob(owner, id);
    expect(job.status).toBe('succeeded');
    expect(job.rows).toEqual([{ who: 'authenticated', uid: 'user-1', visible_notes: ['one'] }]);
  });

  it('writes under the RLS policies of the firing user', async () => {
    const id = await fireAs('authenticated', 'user-2', `INSERT INTO notes (body) VALUES ('written by the job') RETURNING owner_id`);
    const job = await waitForJob(owner, id);
    expect(job.rows).toEqual([{ owner_id: 'user-2' }]);
  });

  it('has no more privilege than that role: the owner\'s tables stay closed', async () => {
    const id = await fireAs('authenticated', 'user-1', 'SELECT * FROM secrets');
    expect(await waitForJob(owner, id)).toMatchObject({ status: 'failed', error_sqlstate: '42501' });
  });

  it.each([
    ['RESET ROLE', 'RESET ROLE; SELECT * FROM secrets'],
    ['SET ROLE', 'SET ROLE pgd_owner; SELECT * FROM secrets'],
    ['SET SESSION AUTHORIZATION', 'SET SESSION AUTHORIZATION pgd_owner; SELECT * FROM secrets'],
    ["set_config('role')", `SELECT set_config('role', 'pgd_owner', false); SELECT * FROM secrets`],
    ['SET LOCAL ROLE', 'SET LOCAL ROLE postgres; SELECT * FROM secrets'],
  ])('cannot climb out with %s: the job fails and says so', async (_, command) => {
    const id = await fireAs('authenticated', 'user-1', command);
    const job = await waitForJob(owner, id);
    expect(job.status).toBe('failed');
    expect(job.error_sqlstate).toMatch(/^(42501|0A000|55P02)$/);
  });

  it('nothing a job leaves in its session reaches a job of another role or end user: they never share a session', async () => {
    // Warm runners stay in their sessions and poll: the likeliest way for two principals to meet.
    await owner.query('UPDATE pgdispatch.settings SET warm_runner = true');
    const plant = `SET request.jwt.claims = '{"sub": "user-9"}'; SET app.planted = 'yes';
      CREATE TEMP TABLE notes (owner_id text, body text); GRANT ALL ON pg_temp.notes TO PUBLIC;
      SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY`;
    const probe = `SELECT auth.uid() AS uid, nullif(current_setting('app.planted', true), '') AS planted,
      (SELECT count(*) FROM pg_class WHERE relpersistence = 't') AS temp_tables, current_setting('transaction_read_only') AS ro`;
    try {
      for (const [planterRole, planterSub, victimRole, victimSub] of [
        ['anon', 'x', 'authenticated', 'user-2'],
        ['authenticated', 'user-1', 'authenticated', 'user-2'],
      ] as const) {
        const planter = await fireAs(planterRole, planterSub, plant);
        expect((await waitForJob(owner, planter)).status).toBe('succeeded');
        const victim = await fireAs(victimRole, victimSub, probe);
        const job = await waitForJob(owner, victim);
        expect(job.rows).toEqual([{ uid: victimSub, planted: null, temp_tables: 0, ro: 'off' }]);
        const { rows } = await owner.query(
          `SELECT count(DISTINCT (runner_pid, runner_started))::int AS sessions FROM pgdispatch._job WHERE id IN ($1, $2)`, [planter, victim]);
        expect(rows[0].sessions).toBe(2);
      }
    } finally {
      await owner.query('UPDATE pgdispatch.settings SET warm_runner = false');
    }
  });
});

describe('a role sees, waits on and cancels only its own jobs', () => {
  it('another role\'s job is invisible in the views and to status, result, wait and cancel', async () => {
    const { id } = (await rpc<{ id: string }>(api, 'authenticated', 'user-1', `SELECT pgdispatch.snooze('SELECT 1', '1 hour') AS id`))[0]!;
    expect(await rpc(api2, 'anon', 'x', 'SELECT * FROM pgdispatch.jobs WHERE id = $1', [id])).toEqual([]);
    expect(await rpc(api2, 'anon', 'x', 'SELECT id, command FROM pgdispatch._job WHERE id = $1', [id])).toEqual([]);
    // The carried request context (JWT claims and all) is for admins only, even of one's own jobs.
    expect((await rpcFailure(api, 'authenticated', 'user-1', 'SELECT settings FROM pgdispatch._job WHERE id = $1', [id])).code).toBe('42501');
    for (const call of ['status($1)', 'result($1)', `wait($1, '0 seconds')`, 'cancel($1)']) {
      expect((await rpcFailure(api2, 'anon', 'x', `SELECT pgdispatch.${call}`, [id])).code, call).toBe('PD100');
    }
    expect((await rpc<{ n: number }>(api2, 'anon', 'x', `SELECT pgdispatch.cancel_by_label('%') AS n`))[0]!.n).toBe(0);
    expect((await rpc<{ s: string }>(api, 'authenticated', 'user-1', 'SELECT pgdispatch.status($1) AS s', [id]))[0]!.s).toBe('scheduled');
    // The owner (admin) sees everyone's.
    expect((await owner.query('SELECT role FROM pgdispatch.jobs WHERE id = $1', [id])).rows).toEqual([{ role: 'authenticated' }]);
    expect((await rpc<{ c: boolean }>(api, 'authenticated', 'user-1', 'SELECT pgdispatch.cancel($1) AS c', [id]))[0]!.c).toBe(true);
  });
});

describe('the jobs table cannot be written around the API', () => {
  it.each([
    ['forge the owning role', `INSERT INTO pgdispatch._job (command, role) VALUES ('SELECT 1', 'pgd_owner')`],
    ['forge a status', `INSERT INTO pgdispatch._job (command, status) VALUES ('SELECT 1', 'succeeded')`],
    ['rewrite a command', `UPDATE pgdispatch._job SET command = 'SELECT 2'`],
    ['rewrite the role', `UPDATE pgdispatch._job SET role = 'pgd_owner'`],
    ['delete records', `DELETE FROM pgdispatch._job`],
    ['change settings', `UPDATE pgdispatch.settings SET max_result_rows = 0`],
  ])('refuses to %s', async (_, sql) => {
    expect((await rpcFailure(api, 'authenticated', 'user-1', sql)).code).toBe('42501');
  });

  it('a direct INSERT of the allowed columns is just a fire(), owned by the inserter', async () => {
    const { id, role } = (await rpc<{ id: string; role: string }>(api, 'authenticated', 'user-1',
      `INSERT INTO pgdispatch._job (command) VALUES ('SELECT current_user AS who') RETURNING id, role`))[0]!;
    expect(role).toBe('authenticated');
    expect((await waitForJob(owner, id)).rows).toEqual([{ who: 'authenticated' }]);
  });

  it('internal functions and the executors cannot be called by users', async () => {
    const { rows: internals } = await admin.query(`
      SELECT p.oid::regprocedure::text AS fn FROM pg_proc p
       WHERE p.pronamespace IN ('pgdispatch'::regnamespace, 'pgdispatch_exec'::regnamespace)
         AND p.proname <> ALL ($1::name[])  -- what grant_usage gives users, from the model
         AND p.proowner <> 'authenticated'::regrole  -- its own executor: tried below`,
      [extension.objects.filter((o) => (o.kind === 'function' || o.kind === 'procedure') && o.audience === 'user').map((o) => o.name)]);
    expect(internals.length).toBeGreaterThan(20);
    for (const { fn } of internals) {
      const { rows } = await admin.query(`SELECT has_function_privilege('authenticated', $1, 'EXECUTE') AS can`, [fn]);
      expect(rows[0].can, fn).toBe(false);
    }
    const { rows: [{ ex }] } = await admin.query(`SELECT p.oid::regprocedure::text AS ex FROM pg_proc p WHERE p.pronamespace = 'pgdispatch_exec'::regnamespace AND p.proowner = 'authenticated'::regrole`);
    const err = await rpcFailure(api, 'authenticated', 'user-1', `SELECT * FROM ${ex.replace(/\(.*$/, '')}('SELECT 1', 'public', '{}', 10)`);
    expect(err.code).toBe('42501');
    expect((await rpcFailure(api, 'authenticated', 'user-1', `CALL pgdispatch._run(1)`)).code).toBe('42501');
    expect((await rpcFailure(api, 'authenticated', 'user-1', `SELECT pgdispatch.grant_usage('anon')`)).code).toBe('42501');
  });

  it('a role cannot alter its own executor, and an altered executor is refused', async () => {
    const { rows: [{ ex }] } = await admin.query(`SELECT p.oid::regprocedure::text AS ex FROM pg_proc p WHERE p.pronamespace = 'pgdispatch_exec'::regnamespace AND p.proowner = 'authenticated'::regrole`);
    expect((await rpcFailure(api, 'authenticated', 'user-1', `ALTER FUNCTION ${ex} SECURITY INVOKER`)).code).toBe('42501');
    // Suppose it happened anyway (a superuser did it): jobs of that role are refused, not run.
    await admin.query(`ALTER FUNCTION ${ex} SECURITY INVOKER`);
    const id = await fireAs('authenticated', 'user-1', 'SELECT current_user').catch((e: pg.DatabaseError) => e);
    if (typeof id === 'string') {
      const job = await waitForJob(owner, id);
      expect(job).toMatchObject({ status: 'failed', error_sqlstate: 'PD400' });
      expect(job.error_message).toContain('altered');
    } else {
      expect(id.code).toBe('PD400');
    }
    await admin.query(`ALTER FUNCTION ${ex} SECURITY DEFINER`);
  });

  it('a role without grant_usage cannot fire, and revoke_usage takes it back', async () => {
    await owner.query(`SELECT pgdispatch.revoke_usage('anon')`);
    expect((await rpcFailure(api, 'anon', 'x', `SELECT pgdispatch.fire('SELECT 1')`)).code).toBe('42501');
    await owner.query(`SELECT pgdispatch.grant_usage('anon')`);
    const { id } = (await rpc<{ id: string }>(api, 'anon', 'x', `SELECT pgdispatch.fire('SELECT current_user AS who') AS id`))[0]!;
    expect((await waitForJob(owner, id)).rows).toEqual([{ who: 'anon' }]);
  });
});

describe('carried request settings', () => {
  it('carries the settings an admin names, and only those', async () => {
    await owner.query(`UPDATE pgdispatch.settings SET carried_settings = carried_settings || '{app.tenant}'`);
    await api.query('BEGIN');
    await api.query(`SELECT set_config('role', 'authenticated', true), set_config('app.tenant', 'acme', true), set_config('app.other', 'x', true)`);
    const { rows: [{ id }] } = await api.query(`SELECT pgdispatch.fire($$SELECT current_setting('app.tenant', true) AS tenant, current_setting('app.other', true) AS other$$) AS id`);
    await api.query('COMMIT');
    const job = await waitForJob(owner, id);
    expect(job.rows).toEqual([{ tenant: 'acme', other: null }]);
  });
});
