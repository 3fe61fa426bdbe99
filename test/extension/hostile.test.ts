// A hostile tenant against the isolation design: each role's jobs run in sessions of its own
// runner identity (a login role that holds nothing), the command inside the role's executor, a
// runner session serves one principal and is scrubbed after every job, runner slots are shared
// fairly. The layout is Supabase's (as in security.test.ts): the extension owner is a
// non-superuser with CREATEROLE, member of the roles it serves, and owns a table no tenant may
// read. Every attempt below either fails or does nothing harmful, and proves it: hostile code
// records `current_user, session_user` in a trap table anyone may insert into, and tries to copy
// the owner's secret; after every test the trap must hold no row written as anyone but a tenant or
// its runner identity, and the secret must never have been read.
import type pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connect, dropExtension, failure, waitFor, waitForJob, type JobRow } from '../setup/db.js';
import { rpc as supabaseRpc, rpcFailure as supabaseRpcFailure, supabaseLayout } from '../setup/supabase.js';

let admin: pg.Client; // superuser: builds the layout and inspects pg_stat_activity
let owner: pg.Client; // pgd_owner: owns pg_dispatch (an admin of it: sees every job)
let api: pg.Client; // authenticator, as PostgREST
let mal: pg.Client; // mallory's own session: a plain LOGIN role with grant_usage

const SECRET = 'TOP-SECRET-7f3a';
/** Roles whose code may legitimately run somewhere (with their runner identities). */
const TENANTS = ['authenticated', 'anon', 'mallory', 'bob', 'bob_old', 'carol'];

const claims = (sub: string) => JSON.stringify({ sub, role: 'authenticated' });

// (the layout and PostgREST's RPC: test/setup/supabase.ts)
const rpc = <T = Record<string, unknown>>(client: pg.Client, role: string, sub: string, sql: string, params: unknown[] = []) =>
  supabaseRpc<T>(client, role, claims(sub), sql, params);
const rpcFailure = (client: pg.Client, role: string, sub: string, sql: string, params: unknown[] = []) =>
  supabaseRpcFailure(client, role, claims(sub), sql, params);
const fireAs = async (role: string, sub: string, command: string, options = ''): Promise<string> =>
  (await rpc<{ id: string }>(api, role, sub, `SELECT pgdispatch.fire($1${options}) AS id`, [command]))[0]!.id;
/** mallory fires from her own session (no request settings: her principal is the role alone). */
const fireM = async (command: string, options = ''): Promise<string> =>
  (await mal.query(`SELECT pgdispatch.fire($1${options}) AS id`, [command])).rows[0].id;

// Who runs work left for COMMIT: the session user (the runner identity, which holds nothing) up to
// PostgreSQL 17; from 18 on, AFTER triggers run as the role that queued them (the firer). Never the owner.
const atCommit = async (role: string): Promise<string> =>
  Number((await admin.query('SHOW server_version_num')).rows[0].server_version_num) >= 180000 ? role : runnerOf(role);

const runnerOf = async (role: string): Promise<string> =>
  (await admin.query(`SELECT 'pgdispatch_runner_' || oid AS r FROM pg_roles WHERE rolname = $1`, [role])).rows[0].r;
const job = async (id: string): Promise<JobRow & { role: string; runner_pid: number; runner_started: Date }> =>
  (await owner.query('SELECT * FROM pgdispatch._job WHERE id = $1', [id])).rows[0];
const leaks = async (like = '%'): Promise<{ who: string; sess: string; what: string }[]> =>
  (await admin.query(`SELECT who, sess, what FROM leak WHERE what LIKE $1 ORDER BY what`, [like])).rows;
const settings = (set: string) => owner.query(`UPDATE pgdispatch.settings SET ${set}`);
const dq = (s: string) => `$h$${s}$h$`;

/**
 * A command that leaves work for COMMIT: a deferred constraint trigger on a temp table. The
 * executor fires deferred events itself (SET CONSTRAINTS ALL IMMEDIATE), so the trigger re-defers:
 * each level runs SET CONSTRAINTS ALL DEFERRED and queues the next, so level 2 and deeper fire at
 * the runner's COMMIT, outside the executor. The deepest level runs each of `sqls`, each guarded,
 * recording in the trap whether it ran or was refused.
 */
const deferred = (sqls: string[], { depth = 2, onCommitDrop = false } = {}) => `
  CREATE TEMP TABLE hostile (depth int, max_depth int, sqls text[])${onCommitDrop ? ' ON COMMIT DROP' : ''};
  GRANT ALL ON pg_temp.hostile TO PUBLIC;
  CREATE CONSTRAINT TRIGGER hostile AFTER INSERT ON pg_temp.hostile DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION mallory_schema.deferred();
  INSERT INTO pg_temp.hostile VALUES (1, ${depth}, ARRAY[${sqls.map(dq).join(', ') || "NULL"}]::text[])`;

/** Every role that may appear in the trap: the tenants and their runner identities. */
async function allowedIdentities(): Promise<string[]> {
  const { rows } = await admin.query(
    `SELECT rolname AS r FROM pg_roles WHERE rolname = ANY ($1)
     UNION SELECT 'pgdispatch_runner_' || oid FROM pg_roles WHERE rolname = ANY ($1)`, [TENANTS]);
  return rows.map((r) => r.r);
}

/** Runner sessions (of every runner identity, or of one role's) running a job right now. */
async function busyRunners(role?: string): Promise<number> {
  const { rows } = await admin.query(
    `SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE usename LIKE 'pgdispatch\\_runner\\_%' AND ($1::text IS NULL OR usename = $1)
        AND state = 'active' AND application_name LIKE 'pgdispatch job %'`, [role ? await runnerOf(role) : null]);
  return rows[0].n;
}

/** Stops whatever tenants left running: runner sessions first (a stalled COMMIT holds its job's row), then their jobs. */
async function quiesce(): Promise<void> {
  await settings(`warm_runner = false, max_runners = 4`);
  const kill = () => admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename LIKE 'pgdispatch\\_runner\\_%' AND pid <> pg_backend_pid()`);
  await kill();
  await owner.query(`SELECT pgdispatch.cancel(id) FROM pgdispatch.jobs WHERE status IN ('scheduled', 'running')`);
  await kill();
  await waitFor('runner sessions to be gone', async () => {
    const { rows } = await admin.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename LIKE 'pgdispatch\\_runner\\_%' AND state = 'active'`);
    return rows[0].n === 0 ? true : undefined;
  }, { timeoutMs: 20_000 });
}

beforeAll(async () => {
  admin = await connect();
  await dropExtension(admin); // first: the schemas below belong to it
  await admin.query(`SELECT cron.unschedule(jobid) FROM cron.job WHERE jobname = 'hostile_tick'`).catch(() => {});
  await admin.query(`DROP TABLE IF EXISTS owner_secret, owner_secret_copy, leak, shared_counts CASCADE;
    DROP SCHEMA IF EXISTS auth CASCADE; DROP SCHEMA IF EXISTS mallory_schema CASCADE;
    DROP SCHEMA IF EXISTS pgdispatch CASCADE; DROP SCHEMA IF EXISTS pgdispatch_exec CASCADE`);
  // mallory: a plain tenant with a session of her own.
  await supabaseLayout(admin, { tenants: ['mallory'], drop: ['bob', 'bob_old', 'carol', 'squatter'] });
  await admin.query('CREATE SCHEMA mallory_schema AUTHORIZATION mallory');
  owner = await connect({ user: 'pgd_owner' });
  await owner.query('CREATE EXTENSION pg_dispatch');
  await owner.query(`SELECT pgdispatch.grant_usage('authenticated'), pgdispatch.grant_usage('anon'), pgdispatch.grant_usage('mallory')`);
  await owner.query(`
    CREATE SCHEMA auth;
    CREATE FUNCTION auth.uid() RETURNS text LANGUAGE sql STABLE AS
      $$ SELECT nullif(current_setting('request.jwt.claims', true), '')::json ->> 'sub' $$;
    GRANT USAGE ON SCHEMA auth TO PUBLIC;
    -- What no tenant may ever read, and where a read would land.
    CREATE TABLE owner_secret (s text); INSERT INTO owner_secret VALUES ('${SECRET}');
    CREATE TABLE owner_secret_copy (s text); GRANT INSERT ON owner_secret_copy TO PUBLIC;
    -- The trap: anyone may write who they are.
    CREATE TABLE leak (who text, sess text, what text); GRANT INSERT ON leak TO PUBLIC;
    -- A real table a tenant's temp table could shadow.
    CREATE TABLE shared_counts (n int); INSERT INTO shared_counts VALUES (42); GRANT SELECT ON shared_counts TO PUBLIC;`);
  mal = await connect({ user: 'mallory' });
  await mal.query(`
    GRANT USAGE ON SCHEMA mallory_schema TO PUBLIC;
    -- Where her code, run by anyone, would drop what it read: she reads it back herself.
    CREATE TABLE mallory_schema.loot (s text); GRANT INSERT ON mallory_schema.loot TO PUBLIC;
    CREATE FUNCTION mallory_schema.deferred() RETURNS trigger LANGUAGE plpgsql AS $f$
    DECLARE s text;
    BEGIN
      INSERT INTO public.leak VALUES (current_user, session_user, 'depth ' || NEW.depth);
      IF NEW.depth < NEW.max_depth THEN
        SET CONSTRAINTS ALL DEFERRED;
        INSERT INTO pg_temp.hostile VALUES (NEW.depth + 1, NEW.max_depth, NEW.sqls);
      ELSE
        FOREACH s IN ARRAY coalesce(NEW.sqls, '{}') LOOP
          CONTINUE WHEN s IS NULL;
          BEGIN
            EXECUTE s;
            INSERT INTO public.leak VALUES (current_user, session_user, 'ran: ' || s);
          EXCEPTION WHEN OTHERS THEN
            INSERT INTO public.leak VALUES (current_user, session_user, 'refused ' || SQLSTATE || ': ' || s);
          END;
        END LOOP;
      END IF;
      RETURN NULL;
    END $f$;
    -- Records who runs it and tries to fire a job from wherever it runs.
    CREATE FUNCTION mallory_schema.record_and_fire() RETURNS int LANGUAGE plpgsql AS $f$
    BEGIN
      INSERT INTO public.leak VALUES (current_user, session_user, 'cursor row');
      BEGIN
        PERFORM pgdispatch.fire($c$INSERT INTO public.leak VALUES (current_user, session_user, 'fired by cursor')$c$);
        INSERT INTO public.leak VALUES (current_user, session_user, 'cursor fire accepted');
      EXCEPTION WHEN OTHERS THEN
        INSERT INTO public.leak VALUES (current_user, session_user, 'cursor fire refused ' || SQLSTATE);
      END;
      BEGIN
        INSERT INTO public.owner_secret_copy SELECT s FROM public.owner_secret;
      EXCEPTION WHEN OTHERS THEN NULL;
      END;
      RETURN 1;
    END $f$;
    -- Operators that shadow pg_catalog's for whoever puts mallory_schema first in the path: they
    -- record who calls them, try to copy the secret, and answer correctly (so nothing looks wrong).
    CREATE FUNCTION mallory_schema.eq(a bigint, b bigint) RETURNS boolean LANGUAGE plpgsql AS $f$
    BEGIN
      BEGIN INSERT INTO public.leak VALUES (current_user, session_user, 'operator ='); EXCEPTION WHEN OTHERS THEN NULL; END;
      BEGIN INSERT INTO public.owner_secret_copy SELECT s FROM public.owner_secret; EXCEPTION WHEN OTHERS THEN NULL; END;
      BEGIN INSERT INTO mallory_schema.loot SELECT s FROM public.owner_secret; EXCEPTION WHEN OTHERS THEN NULL; END;
      RETURN a OPERATOR(pg_catalog.=) b;
    END $f$;
    CREATE OPERATOR mallory_schema.= (LEFTARG = bigint, RIGHTARG = bigint, FUNCTION = mallory_schema.eq);
    CREATE FUNCTION mallory_schema.ne(a text, b text) RETURNS boolean LANGUAGE plpgsql AS $f$
    BEGIN
      BEGIN INSERT INTO public.leak VALUES (current_user, session_user, 'operator <>'); EXCEPTION WHEN OTHERS THEN NULL; END;
      BEGIN INSERT INTO public.owner_secret_copy SELECT s FROM public.owner_secret; EXCEPTION WHEN OTHERS THEN NULL; END;
      RETURN a OPERATOR(pg_catalog.<>) b;
    END $f$;
    CREATE OPERATOR mallory_schema.<> (LEFTARG = text, RIGHTARG = text, FUNCTION = mallory_schema.ne);`);
  api = await connect({ user: 'authenticator' });
});

afterEach(async () => {
  // The trap, after every test: nothing ran as anyone but a tenant or its runner identity, and
  // the owner's secret was never read. Then emptied, so that each test answers for itself.
  const allowed = await allowedIdentities();
  const { rows: escaped } = await admin.query(`SELECT who, sess, what FROM leak WHERE who <> ALL ($1) OR sess <> ALL ($1)`, [allowed]);
  expect.soft(escaped, 'trap rows written as a role other than a tenant or its runner identity').toEqual([]);
  expect.soft((await admin.query(`SELECT * FROM leak WHERE what LIKE '%${SECRET}%'`)).rows, 'the secret in the trap').toEqual([]);
  expect.soft((await admin.query('SELECT s FROM owner_secret_copy')).rows, 'copies of the owner\'s secret').toEqual([]);
  expect.soft((await mal.query('SELECT s FROM mallory_schema.loot')).rows, 'the owner\'s secret, as mallory reads it').toEqual([]);
  await mal.query('DELETE FROM mallory_schema.loot');
  const { rows: foreign } = await admin.query(`SELECT id, role FROM pgdispatch._job WHERE role <> ALL ($1)`, [TENANTS]);
  expect.soft(foreign, 'jobs of a role that is not a tenant').toEqual([]);
  await admin.query('TRUNCATE leak, owner_secret_copy');
});

afterAll(async () => {
  await quiesce().catch(() => {});
  await admin?.query(`SELECT cron.unschedule(jobid) FROM cron.job WHERE jobname = 'hostile_tick'`).catch(() => {});
  for (const c of [api, mal]) await c?.end().catch(() => {});
  await owner?.query('DROP EXTENSION IF EXISTS pg_dispatch CASCADE').catch(() => {});
  await owner?.end();
  await admin?.end();
});

describe('1. work queued for COMMIT runs as the runner identity, never as the owner', () => {
  const expectOnlyMallory = async () => {
    const [m, rm] = ['mallory', await runnerOf('mallory')];
    for (const row of await leaks()) {
      expect([m, rm], JSON.stringify(row)).toContain(row.who);
      expect(row.sess, JSON.stringify(row)).toBe(rm); // a runner session's user is always the runner identity
    }
  };
  const reset = () => admin.query('TRUNCATE leak');

  it('a deferred trigger cannot RESET ROLE / SET ROLE its way to the owner, in the executor or at COMMIT', async () => {
    const payload = [
      'RESET ROLE',
      `INSERT INTO public.leak SELECT current_user, session_user, 'secret ' || s FROM public.owner_secret`,
      'INSERT INTO public.owner_secret_copy SELECT * FROM public.owner_secret',
      'SET ROLE pgd_owner',
      'SET SESSION AUTHORIZATION pgd_owner',
      `INSERT INTO public.leak VALUES (current_user, session_user, 'after all')`,
    ];
    for (const depth of [1, 2]) {
      await reset();
      const id = await fireM(deferred(payload, { depth }));
      const done = await waitForJob(owner, id);
      expect(done.status).toBe('succeeded');
      const rows = await leaks();
      // The deepest level ran (the attempt really happened), at COMMIT for depth 2.
      expect(rows.map((r) => r.what)).toContain(`depth ${depth}`);
      expect(rows.filter((r) => r.what.startsWith('ran: ') && !r.what.includes('after all') && !r.what.includes('RESET ROLE')), 'statements that should have been refused')
        .toEqual([]);
      if (depth === 2) {
        // At COMMIT nothing is left of the executor: the code runs as the session user, the
        // runner identity, which RESET ROLE lands on and which holds nothing.
        const deep = rows.find((r) => r.what === 'depth 2')!;
        expect(deep.who).toBe(await atCommit('mallory'));
      }
      await expectOnlyMallory();
    }
  });

  it('a trigger that re-defers itself 5 deep only ever runs as mallory or her runner identity', async () => {
    await reset();
    const id = await fireM(deferred([`INSERT INTO public.leak SELECT current_user, session_user, 'secret ' || s FROM public.owner_secret`], { depth: 5 }));
    expect((await waitForJob(owner, id)).status).toBe('succeeded');
    const rows = await leaks('depth %');
    expect(rows.map((r) => r.what)).toEqual(['depth 1', 'depth 2', 'depth 3', 'depth 4', 'depth 5']);
    const late = await atCommit('mallory');
    expect(rows.map((r) => r.who)).toEqual(['mallory', late, late, late, late]);
    // Reading the owner's table is refused wherever it is tried (as mallory: once per level).
    const refused = (await leaks('refused%')).map((r) => r.what);
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) expect(r).toMatch(/^refused 42501: /);
    await expectOnlyMallory();
  });

  it('a WITH HOLD cursor over a function that records and fires: never filled as the owner, never fires a job of anyone else', async () => {
    await reset();
    const cursor = 'DECLARE c CURSOR WITH HOLD FOR SELECT mallory_schema.record_and_fire()';
    // As the command itself, inside a command of several statements, and declared at COMMIT.
    const ids = [
      await fireM(cursor),
      await fireM(`SELECT 1; ${cursor}`),
      await fireM(deferred([cursor], { depth: 2 })),
    ];
    for (const id of ids) expect((await waitForJob(owner, id)).status).toMatch(/^(succeeded|failed)$/);
    // Any job the cursor managed to fire is mallory's, and runs as her.
    const { rows: fired } = await owner.query(`SELECT id, role FROM pgdispatch._job WHERE command LIKE '%fired by cursor%'`);
    for (const f of fired) {
      expect(f.role).toBe('mallory');
      await waitForJob(owner, f.id);
    }
    await expectOnlyMallory();
  });

  it('an ON COMMIT DROP temp table whose deferred trigger works at COMMIT changes nothing for the next job', async () => {
    await reset();
    const id = await fireM(deferred([`INSERT INTO public.owner_secret_copy SELECT * FROM public.owner_secret`, 'CREATE TEMP TABLE shared_counts (n int)'],
      { depth: 3, onCommitDrop: true }));
    expect((await waitForJob(owner, id)).status).toBe('succeeded');
    expect((await leaks('depth 3')).length).toBe(1);
    const next = await fireM('SELECT sum(n)::int AS n FROM shared_counts');
    expect((await waitForJob(owner, next)).rows).toEqual([{ n: 42 }]);
    await expectOnlyMallory();
  });

  it('a deferred trigger that calls pgdispatch.fire() never creates a job of the owner (nor of the runner identity)', async () => {
    await reset();
    const fire = `SELECT pgdispatch.fire($c$INSERT INTO public.leak VALUES (current_user, session_user, 'fired by trigger')$c$)`;
    const direct = `INSERT INTO pgdispatch._job (command) VALUES ($c$INSERT INTO public.leak VALUES (current_user, session_user, 'inserted by trigger')$c$)`;
    const ids = [await fireM(deferred([fire, direct], { depth: 1 })), await fireM(deferred([fire, direct], { depth: 3 }))];
    for (const id of ids) expect((await waitForJob(owner, id)).status).toBe('succeeded');
    // In the executor (depth 1) fire() is mallory's own; at COMMIT (depth 3, as the runner
    // identity, which has no grant_usage) it is refused.
    // (From PostgreSQL 18 on, work at COMMIT runs as mallory, whose fire() is her own.)
    const late = await atCommit('mallory');
    const refusals = (await leaks('refused%')).map((r) => [r.who, r.what.slice(0, 13)]);
    const atCommitFires = late === 'mallory' ? 2 : 0;
    expect(refusals).toEqual(late === 'mallory' ? [] : [[late, 'refused 42501'], [late, 'refused 42501']]);
    const { rows: made } = await owner.query(`SELECT id, role FROM pgdispatch._job WHERE command LIKE 'INSERT INTO public.leak%by trigger%'`);
    expect(made.map((m) => m.role)).toEqual(Array(2 + atCommitFires).fill('mallory'));
    for (const m of made) expect((await waitForJob(owner, m.id)).status).toBe('succeeded');
    expect((await leaks('%by trigger')).map((r) => r.who)).toEqual(Array(2 + atCommitFires).fill('mallory'));
    await expectOnlyMallory();
  });

  it('a deferred trigger that calls the runner\'s own functions on another role\'s job is refused or does nothing', async () => {
    await reset();
    const victim = (await rpc<{ id: string }>(api, 'authenticated', 'user-1',
      `SELECT pgdispatch.snooze('SELECT current_user AS who, session_user AS sess', '4 seconds') AS id`))[0]!.id;
    const calls = [
      `INSERT INTO public.leak SELECT current_user, session_user, 'take ' || coalesce((pgdispatch._take(${victim})).id::text, 'null')`,
      `INSERT INTO public.leak SELECT current_user, session_user, 'take_next ' || coalesce((pgdispatch._take_next()).id::text, 'null')`,
      `INSERT INTO public.leak SELECT current_user, session_user, 'execute ' || coalesce((pgdispatch._execute(jsonb_populate_record(NULL::pgdispatch._job, '{"id": ${victim}}'), true)).outcome, 'null')`,
      `INSERT INTO public.leak SELECT current_user, session_user, 'disarm ' || pgdispatch._disarm(ARRAY[${victim}]::bigint[])`,
      `SELECT pgdispatch._settle_carrier(${victim})`,
      `CALL pgdispatch._run(${victim})`,
    ];
    const id = await fireM(deferred(calls, { depth: 2 }));
    expect((await waitForJob(owner, id)).status).toBe('succeeded');
    expect((await leaks('depth 2')).length).toBe(1);
    // Whatever each call did or refused: nothing of the victim's.
    for (const r of await leaks('take%')) expect(r.what).toMatch(/ null$/);
    for (const r of await leaks('execute%')) expect(r.what).toBe('execute null');
    for (const r of await leaks('disarm%')) expect(r.what).toBe('disarm 0');
    const v = await waitForJob(owner, victim, undefined, 10_000);
    expect(v).toMatchObject({ status: 'succeeded', attempts: 1, rows: [{ who: 'authenticated', sess: await runnerOf('authenticated') }] });
    expect((await job(victim)).runner_pid).not.toBe((await job(id)).runner_pid);
    await expectOnlyMallory();
  });
});

describe('2. session state a job leaves behind reaches no later job', () => {
  // One runner slot and a warm runner: the planting job's session takes the next job of the same
  // principal (checked below), so the scrub between them is what is tested. Other principals get
  // a session of their own once the warm runner is switched off.
  const probe = `SELECT current_user AS who, auth.uid() AS uid, current_setting('search_path') AS sp,
      (1::bigint = 1::bigint) AS eq, ('a'::text <> 'a'::text) AS ne,
      current_setting('transaction_read_only') AS ro, current_setting('statement_timeout') AS st,
      current_setting('lock_timeout') AS lt, current_setting('enable_indexscan') AS ix,
      nullif(current_setting('app.planted', true), '') AS planted,
      (SELECT sum(n) FROM shared_counts)::int AS counts,
      (SELECT count(*) FROM pg_prepared_statements)::int AS prepared,
      (SELECT count(*) FROM pg_listening_channels())::int AS listening,
      (SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid())::int AS advisory,
      (SELECT count(*) FROM pg_cursors WHERE is_holdable)::int AS held_cursors,
      (SELECT count(*) FROM pg_class WHERE relnamespace = pg_my_temp_schema())::int AS temp_tables,
      pg_sleep(0.01) IS NOT NULL AS slept`;
  const baseline = (who: string, uid: string | null) => ({
    who, uid, sp: '"$user", public', eq: true, ne: false, ro: 'off', st: '0', lt: '0', ix: 'on', planted: null, counts: 42, prepared: 0,
    listening: 0, advisory: 0, held_cursors: 0, temp_tables: 0, slept: true,
  });
  const plants: [string, string][] = [
    ['search_path with operators of her own', `SELECT set_config('search_path', 'mallory_schema, pg_catalog, pg_temp', false)`],
    ['search_path with operators, then using them', `SELECT set_config('search_path', 'mallory_schema, pg_catalog, pg_temp', false); SELECT 1::bigint = 2::bigint, 'a'::text <> 'b'::text`],
    ['SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY', 'SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY'],
    ['SET statement_timeout = 1', 'SET statement_timeout = 1'],
    ['SET lock_timeout = 1 and planner settings', `SET lock_timeout = 1; SET enable_indexscan = off; SET enable_bitmapscan = off; SET work_mem = '64kB'`],
    ['SET request.jwt.claims of a victim', `SET request.jwt.claims = '{"sub":"victim"}'; SET app.planted = 'yes'`],
    ['a temp table shadowing a real one', 'CREATE TEMP TABLE shared_counts (n int); INSERT INTO pg_temp.shared_counts VALUES (666); GRANT ALL ON pg_temp.shared_counts TO PUBLIC'],
    ['PREPARE', 'PREPARE p AS SELECT 1'],
    ['LISTEN', 'LISTEN pgdispatch; LISTEN mallory_channel'],
    ['advisory locks held', 'SELECT pg_advisory_lock(1885824112, 0), pg_advisory_lock(1885824112, 1), pg_advisory_lock(42)'],
    ['a WITH HOLD cursor', 'SELECT 1; DECLARE leftover CURSOR WITH HOLD FOR SELECT 1'],
    ['all of it, at COMMIT (as the runner identity)', deferred([
      `SELECT set_config('search_path', 'mallory_schema, pg_catalog, pg_temp', false)`, 'SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY',
      'SET statement_timeout = 1', `SET request.jwt.claims = '{"sub":"victim"}'`, `SET app.planted = 'yes'`,
      'CREATE TEMP TABLE shared_counts (n int)', 'INSERT INTO pg_temp.shared_counts VALUES (666)', 'GRANT ALL ON pg_temp.shared_counts TO PUBLIC',
      'PREPARE p AS SELECT 1', 'LISTEN mallory_channel', 'SELECT pg_advisory_lock(1885824112, 2)', 'DECLARE leftover CURSOR WITH HOLD FOR SELECT 1',
    ], { depth: 2 })],
  ];

  beforeAll(async () => {
    await quiesce();
  });
  afterAll(async () => {
    await quiesce();
  });

  it.each(plants)('%s: the next job of the same principal, in the same session, and jobs of others behave normally', async (_, plant) => {
    await settings('max_runners = 1, warm_runner = true');
    try {
      const operatorCalls = (await leaks('operator%')).length;
      const planted = await fireM(plant);
      const p = await waitForJob(owner, planted);
      expect(p.status, JSON.stringify(p.error_message)).toBe('succeeded');
      const afterPlant = (await leaks('operator%')).length;
      // Same role, same principal: the warm session that ran the plant takes it.
      const next = await fireM(probe);
      const n = await waitForJob(owner, next);
      expect(n.status, String(n.error_message)).toBe('succeeded');
      const [a, b] = [await job(planted), await job(next)];
      expect([b.runner_pid, b.runner_started], 'the next job ran in the planting session').toEqual([a.runner_pid, a.runner_started]);
      expect(n.rows).toEqual([baseline('mallory', null)]);
      expect((await leaks('operator%')).length, 'mallory\'s operators called by the next job').toBe(afterPlant);
      // Another role, and another end user: their own sessions, unaffected.
      await settings('warm_runner = false, max_runners = 4');
      const other = await fireAs('authenticated', 'user-2', probe);
      const anon = await fireAs('anon', 'x', probe);
      expect((await waitForJob(owner, other)).rows).toEqual([baseline('authenticated', 'user-2')]);
      expect((await waitForJob(owner, anon)).rows).toEqual([baseline('anon', 'x')]);
      // Her operators were only ever run by her own code.
      for (const r of (await leaks('operator%')).slice(operatorCalls)) expect(r.who, JSON.stringify(r)).toBe('mallory');
      expect(afterPlant).toBeGreaterThanOrEqual(operatorCalls);
    } finally {
      await settings('warm_runner = false, max_runners = 4');
    }
  });

  // Fired together, the next job is started in the planting job's own transaction, after its
  // command (see _execute): what the command set must not change how that job is chosen and
  // started, nor what ran at that COMMIT reach it.
  it.each(plants)('%s, fired in one transaction with the next job: that job starts in the plant\'s transaction and behaves normally', async (_, plant) => {
    await settings('max_runners = 1, warm_runner = true');
    try {
      await mal.query('BEGIN');
      const planted = await fireM(plant);
      const next = await fireM(probe);
      await mal.query('COMMIT');
      const p = await waitForJob(owner, planted);
      expect(p.status, JSON.stringify(p.error_message)).toBe('succeeded');
      const n = await waitForJob(owner, next);
      expect(n.status, String(n.error_message)).toBe('succeeded');
      const [a, b] = [await job(planted), await job(next)];
      expect([b.runner_pid, b.runner_started], 'the next job ran in the planting session').toEqual([a.runner_pid, a.runner_started]);
      expect(b.attempts, 'started once').toBe(1);
      expect(n.rows).toEqual([baseline('mallory', null)]);
    } finally {
      await mal.query('ROLLBACK').catch(() => undefined);
      await settings('warm_runner = false, max_runners = 4');
    }
  });

  it('an end user\'s plant reaches neither their own next job nor another end user\'s', async () => {
    await settings('max_runners = 1, warm_runner = true');
    try {
      const planted = await fireAs('authenticated', 'user-1', `SET request.jwt.claims = '{"sub":"user-2"}'; SET app.planted = 'yes';
        CREATE TEMP TABLE shared_counts (n int); GRANT ALL ON pg_temp.shared_counts TO PUBLIC; SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY`);
      expect((await waitForJob(owner, planted)).status).toBe('succeeded');
      const next = await fireAs('authenticated', 'user-1', probe);
      expect((await waitForJob(owner, next)).rows).toEqual([baseline('authenticated', 'user-1')]);
      const [a, b] = [await job(planted), await job(next)];
      expect([b.runner_pid, b.runner_started]).toEqual([a.runner_pid, a.runner_started]);
      await settings('warm_runner = false, max_runners = 4');
      const other = await fireAs('authenticated', 'user-2', probe);
      expect((await waitForJob(owner, other)).rows).toEqual([baseline('authenticated', 'user-2')]);
      expect((await job(other)).runner_pid).not.toBe(a.runner_pid);
    } finally {
      await settings('warm_runner = false, max_runners = 4');
    }
  });
});

/** The SQLSTATE a statement fails with, or 'no error'. */
async function codeOf(client: pg.Client, sql: string, params: unknown[] = []): Promise<string> {
  try {
    await client.query(sql, params);
    return 'no error';
  } catch (e) {
    return (e as pg.DatabaseError).code ?? String(e);
  }
}
const rpcCode = async (role: string, sub: string, sql: string): Promise<string> => {
  try {
    await rpc(api, role, sub, sql);
    return 'no error';
  } catch (e) {
    return (e as pg.DatabaseError).code ?? String(e);
  }
};
const elapsed = (j: JobRow) => new Date(j.finished_at!).getTime() - new Date(j.started_at!).getTime();

describe('3. capacity: one role cannot take pg_dispatch, or pg_cron, away from the others', () => {
  let tick: string;
  const ticks = async (): Promise<number> =>
    (await admin.query(`SELECT count(*)::int AS n FROM cron.job_run_details WHERE jobid = $1 AND status = 'succeeded'`, [tick])).rows[0].n;
  const maxRunners = async (): Promise<number> => (await owner.query('SELECT max_runners FROM pgdispatch.settings')).rows[0].max_runners;
  const flood = async (n: number, command = 'SELECT pg_sleep(30)') => {
    for (let i = 0; i < n; i++) await fireM(command, `, label => 'flood-${i}'`);
  };
  /** Samples `probe` every 100 ms for `ms` milliseconds (or until `stop` says so) and returns the largest value. */
  const peak = async (ms: number, probe: () => Promise<number>, stop: () => Promise<boolean> = async () => false): Promise<number> => {
    let most = 0;
    const until = Date.now() + ms;
    await waitFor('the sampling window', async () => {
      most = Math.max(most, await probe());
      return Date.now() > until || (await stop()) ? true : undefined;
    }, { timeoutMs: ms + 5_000, intervalMs: 100 });
    return most;
  };

  beforeAll(async () => {
    await quiesce();
    tick = (await admin.query(`SELECT cron.schedule('hostile_tick', '1 seconds', 'SELECT 1') AS j`)).rows[0].j;
  });
  afterEach(async () => {
    await mal.query(`SELECT pgdispatch.cancel_by_label('flood-%')`);
    await quiesce();
  });
  afterAll(async () => {
    await admin.query(`SELECT cron.unschedule('hostile_tick')`);
  });

  it('40 long jobs of mallory: at most max_runners sessions run jobs, another role\'s job still runs within 10 s, other pg_cron jobs keep running', async () => {
    const cap = await maxRunners();
    await flood(40);
    await waitFor('mallory\'s runners to start', async () => ((await busyRunners('mallory')) > 0 ? true : undefined), { timeoutMs: 6_000 });
    const ticksBefore = await ticks();
    const victim = await fireAs('authenticated', 'user-1', 'SELECT current_user AS who');
    const firedAt = Date.now();
    const victimDone = async () =>
      (await owner.query(`SELECT 1 FROM pgdispatch.jobs WHERE id = $1 AND status = 'succeeded'`, [victim])).rowCount === 1;
    // Sample for at least 5 s, and until the victim is done or 10 s have passed.
    const most = await peak(10_000, () => busyRunners(), async () => Date.now() - firedAt > 5_000 && (await victimDone()));
    expect.soft(most, 'runner sessions running jobs at once').toBeLessThanOrEqual(cap);
    expect.soft(await ticks() - ticksBefore, 'runs of an every-second pg_cron job of the superuser meanwhile').toBeGreaterThanOrEqual(3);
    expect(await victimDone(), 'authenticated\'s job finished within 10 s of being fired').toBe(true);
    // And mallory can stop it all herself.
    expect((await mal.query(`SELECT pgdispatch.cancel_by_label('flood-%') AS n`)).rows[0].n).toBe(40 - (await owner.query(
      `SELECT count(*)::int AS n FROM pgdispatch._job WHERE label LIKE 'flood-%' AND status NOT IN ('cancelled')`)).rows[0].n);
    await waitFor('mallory\'s cancelled jobs to stop', async () => ((await busyRunners('mallory')) === 0 ? true : undefined), { timeoutMs: 5_000 });
  });

  // Her runners of earlier tests gone first: one still idling would take her new jobs (they are
  // promised to it at COMMIT), and fewer runners would start.
  const noRunnersOf = async (role: string) => waitFor(`${role}'s runners to leave`, async () => ((await admin.query(
    `SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename = $1`, [await runnerOf(role)])).rows[0].n === 0 ? true : undefined), { timeoutMs: 20_000 });
  const lingering = async () => (await admin.query(
    `SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename = $1 AND application_name = 'pgdispatch warm runner'`,
    [await runnerOf('mallory')])).rows[0].n as number;
  /**
   * Her share of runners but one, each lingering (linger is an hour) after its job, polling for
   * her next one: one transaction, one second, a carrier each. (Four seconds a job: each runner
   * takes its own, none finds its job done by another and leaves, even when pg_cron starts their
   * carriers seconds apart on a loaded machine.) Returns her share.
   */
  const lingeringShare = async (label: string): Promise<number> => {
    const cap = await maxRunners();
    await mal.query('BEGIN');
    for (let i = 0; i < cap - 1; i++) await mal.query(`SELECT pgdispatch.fire('SELECT pg_sleep(4)', label => '${label}-${i}')`);
    await mal.query('COMMIT');
    await waitFor('mallory\'s runners to linger', async () => ((await lingering()) >= cap - 1 ? true : undefined), { timeoutMs: 25_000 });
    return cap;
  };

  it('runners of mallory lingering after her jobs (settings.linger) never keep a slot from another role', async () => {
    // Her share of runners, each lingering for an hour after its job, polling for her next one.
    await noRunnersOf('mallory');
    await owner.query(`UPDATE pgdispatch.settings SET linger = '1 hour'`);
    try {
      const cap = await lingeringShare('flood-linger');
      // Another role fires as many jobs as there are slots: they all run at once, soon.
      const victims: string[] = [];
      for (let i = 0; i < cap; i++) victims.push(await fireAs('authenticated', 'user-1', 'SELECT pg_sleep(2)'));
      const started = await Promise.all(victims.map((v) => waitForJob(owner, v, ['running', 'succeeded'], 10_000)));
      const first = Math.min(...started.map((j) => new Date(j.started_at!).getTime()));
      const last = Math.max(...started.map((j) => new Date(j.started_at!).getTime()));
      // (The first takes the free slot; the others' carriers find none, wait, and are armed again
      // when her runners leave: a second or two later, not after an hour.)
      expect(last - first, 'the other role\'s jobs started together, not one after another').toBeLessThan(4_000);
      expect(await lingering(), 'mallory\'s lingering runners left').toBe(0);
    } finally {
      await owner.query(`UPDATE pgdispatch.settings SET linger = DEFAULT`);
    }
  }, 90_000);

  it('a job promised at COMMIT to her lingering runner, the transaction then held open, holds up only that runner: never the slots\' lock, never another role', async () => {
    await noRunnersOf('mallory');
    await owner.query(`UPDATE pgdispatch.settings SET linger = '1 hour'`);
    const hold = await connect({ user: 'mallory' });
    try {
      const cap = await lingeringShare('promise-linger');
      // Due now while her runners idle: promised to one of them at COMMIT, whose row stays locked
      // while her transaction stays open after running the deferred work early.
      await hold.query('BEGIN');
      const promised = (await hold.query(`SELECT pgdispatch.fire('SELECT 1', label => 'promise-held') AS id`)).rows[0].id as string;
      await hold.query('SET CONSTRAINTS ALL IMMEDIATE');
      const locked = async () => {
        await admin.query('BEGIN');
        try {
          const { rows } = await admin.query(`SELECT count(*)::int AS n FROM (SELECT 1 FROM pgdispatch._runner_session WHERE idle_since IS NOT NULL FOR UPDATE SKIP LOCKED) AS free`);
          const { rows: all } = await admin.query(`SELECT count(*)::int AS n FROM pgdispatch._runner_session WHERE idle_since IS NOT NULL`);
          return all[0].n - rows[0].n;
        } finally { await admin.query('ROLLBACK'); }
      };
      expect(await locked(), 'one runner row held by her open transaction').toBe(1);
      // The slots' lock is free: every role's claims and releases go on.
      await admin.query('BEGIN');
      await admin.query(`SET LOCAL lock_timeout = '2s'`);
      await admin.query('LOCK TABLE pgdispatch._slot IN SHARE ROW EXCLUSIVE MODE');
      await admin.query('ROLLBACK');
      // Another role fires as many jobs as there are slots: all but the slot of her held runner
      // start soon (her other runners leave for them).
      const victims: string[] = [];
      for (let i = 0; i < cap; i++) victims.push(await fireAs('authenticated', 'user-1', 'SELECT pg_sleep(1)'));
      await waitFor('the other role\'s jobs to start', async () => {
        const { rows } = await owner.query(`SELECT count(*)::int AS n FROM pgdispatch.jobs WHERE id = ANY ($1::bigint[]) AND started_at IS NOT NULL`, [victims]);
        return rows[0].n >= cap - 1 ? true : undefined;
      }, { timeoutMs: 10_000 });
      // Her COMMIT: the promised job runs (its runner, leaving, arms it), and every victim.
      await hold.query('COMMIT');
      expect((await waitForJob(owner, promised, undefined, 10_000)).status).toBe('succeeded');
      for (const v of victims) expect((await waitForJob(owner, v, undefined, 15_000)).status).toBe('succeeded');
    } finally {
      await hold.query('ROLLBACK').catch(() => {});
      await hold.end();
      await owner.query(`UPDATE pgdispatch.settings SET linger = DEFAULT`);
    }
  }, 90_000);

  it('a job riding at COMMIT on her busy runners, the transaction then held open, holds up only the runner it rides on: never the slots\' lock, never another role', async () => {
    await noRunnersOf('mallory');
    const hold = await connect({ user: 'mallory' });
    try {
      // As many runners as a role may hold (all slots but one), each busy for three seconds.
      const cap = await maxRunners();
      await mal.query('BEGIN');
      const busy: string[] = [];
      for (let i = 0; i < cap - 1; i++) busy.push((await mal.query(`SELECT pgdispatch.fire('SELECT pg_sleep(3)', label => 'ride-busy-${i}') AS id`)).rows[0].id);
      await mal.query('COMMIT');
      for (const b of busy) await waitForJob(owner, b, ['running'], 15_000);
      // Due at COMMIT with those busy: it rides on one of them (no carrier), whose row her
      // transaction holds while it stays open after running the deferred work early.
      await hold.query('BEGIN');
      const rider = (await hold.query(`SELECT pgdispatch.fire('SELECT 1', label => 'ride-held') AS id`)).rows[0].id as string;
      await hold.query('SET CONSTRAINTS ALL IMMEDIATE');
      expect((await hold.query('SELECT carrier FROM pgdispatch._job WHERE id = $1', [rider])).rows[0].carrier, 'a carrier of its own').toBeNull();
      const held = async () => {
        await admin.query('BEGIN');
        try {
          const { rows } = await admin.query(`SELECT count(*)::int AS n FROM (SELECT 1 FROM pgdispatch._runner_session FOR UPDATE SKIP LOCKED) AS free`);
          const { rows: all } = await admin.query(`SELECT count(*)::int AS n FROM pgdispatch._runner_session`);
          return all[0].n - rows[0].n;
        } finally { await admin.query('ROLLBACK'); }
      };
      // Her busy jobs end; the runner she holds waits at its row (the others idle, then leave).
      for (const b of busy) await waitForJob(owner, b, undefined, 15_000);
      expect(await held(), 'one runner row held by her open transaction').toBe(1);
      await waitFor('her runner to wait for her COMMIT', async () => ((await admin.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename = $1 AND wait_event_type = 'Lock'`, [await runnerOf('mallory')])).rows[0].n === 1 ? true : undefined),
      { timeoutMs: 10_000 });
      // The slots' lock is free: every role's claims and releases go on.
      await admin.query('BEGIN');
      await admin.query(`SET LOCAL lock_timeout = '2s'`);
      await admin.query('LOCK TABLE pgdispatch._slot IN SHARE ROW EXCLUSIVE MODE');
      await admin.query('ROLLBACK');
      // Another role's jobs run.
      const victim = await fireAs('authenticated', 'user-1', 'SELECT 1');
      expect((await waitForJob(owner, victim, undefined, 10_000)).status).toBe('succeeded');
      // Her COMMIT: the job runs.
      await hold.query('COMMIT');
      expect((await waitForJob(owner, rider, undefined, 10_000)).status).toBe('succeeded');
    } finally {
      await hold.query('ROLLBACK').catch(() => {});
      await hold.end();
    }
  }, 90_000);

  it('a dependent counted at COMMIT, the transaction then held open, holds up only the job it waits for, hers: never the slots\' lock, never another role', async () => {
    const hold = await connect({ user: 'mallory' });
    try {
      const dep = await fireM('SELECT pg_sleep(1)', `, label => 'after-held-dep'`);
      await waitForJob(owner, dep, ['running'], 10_000);
      // Counted at COMMIT, run early: her unfinished dependency's row is locked FOR SHARE (see
      // _after_recount) while her transaction stays open.
      await hold.query('BEGIN');
      const dependent = (await hold.query(`SELECT pgdispatch.fire('SELECT 1', label => 'after-held', after => ARRAY[$1]::bigint[]) AS id`, [dep])).rows[0].id as string;
      await hold.query('SET CONSTRAINTS ALL IMMEDIATE');
      // Her dependency's runner waits at its final update: it stays running past its second.
      await new Promise((r) => setTimeout(r, 2500)); // (sampling: it must still be running after its 1 s)
      expect((await job(dep)).status).toBe('running');
      // The slots' lock is free, and another role's job runs.
      await admin.query('BEGIN');
      await admin.query(`SET LOCAL lock_timeout = '2s'`);
      await admin.query('LOCK TABLE pgdispatch._slot IN SHARE ROW EXCLUSIVE MODE');
      await admin.query('ROLLBACK');
      const other = await fireAs('authenticated', 'user-1', 'SELECT 1');
      expect((await waitForJob(owner, other, undefined, 10_000)).status).toBe('succeeded');
      // Her COMMIT: the dependency ends, and then the dependent runs.
      await hold.query('COMMIT');
      expect((await waitForJob(owner, dep, undefined, 10_000)).status).toBe('succeeded');
      expect((await waitForJob(owner, dependent, undefined, 10_000)).status).toBe('succeeded');
    } finally {
      await hold.query('ROLLBACK').catch(() => {});
      await hold.end();
    }
  }, 60_000);

  it('a job with a 2 s timeout ends timed_out within ~5 s while mallory fills her share', async () => {
    const timed = await fireM('SELECT pg_sleep(20)', `, label => 'flood-timed', timeout => '2 seconds'`);
    await waitForJob(owner, timed, ['running'], 6_000);
    await flood(20);
    const t = await waitForJob(owner, timed, ['succeeded', 'failed', 'cancelled', 'timed_out'], 8_000);
    expect(t.status).toBe('timed_out');
    expect(elapsed(t)).toBeLessThan(5_000);
  });

  it('a job of mallory stalling in its COMMIT past its own timeout does not hold back the timeout of another role\'s job', async () => {
    // Her command returns at once; a deferred trigger then sleeps at COMMIT, while her job's row is
    // locked by its own 'succeeded' update: a watchdog that waits for that row stops watching.
    const stall = await fireM(deferred(['SELECT pg_sleep(20)'], { depth: 2 }), `, label => 'flood-stall', timeout => '1 second'`);
    // Her command is done and her COMMIT sleeps, past her own timeout: from now on a watchdog pass
    // that waits for her row's lock stops watching everyone.
    const runner = await runnerOf('mallory');
    const stalled = async () => (await admin.query(
      `SELECT 1 FROM pg_stat_activity a WHERE a.usename = $1 AND a.wait_event = 'PgSleep' AND a.application_name = $2`,
      [runner, `pgdispatch job ${stall}`])).rowCount;
    // Her command is done and her COMMIT sleeps (the session still says which job it is on).
    await waitFor('mallory\'s COMMIT to stall', async () => ((await stalled()) ? true : undefined), { timeoutMs: 8_000 });
    const victim = await fireAs('authenticated', 'user-1', 'SELECT pg_sleep(20)', `, timeout => '2 seconds'`);
    await waitForJob(owner, victim, ['running'], 8_000);
    const v = await waitForJob(owner, victim, ['succeeded', 'failed', 'cancelled', 'timed_out'], 8_000);
    expect(v.status).toBe('timed_out');
    expect(elapsed(v)).toBeLessThan(5_000);
    // And her stalled COMMIT itself was stopped, long before its 20 s.
    await waitFor('mallory\'s stalled COMMIT to be stopped', async () => ((await stalled()) ? undefined : true), { timeoutMs: 8_000 });
  });

  it('work at COMMIT cannot give the runner slot back and go on running jobs: never more sessions than max_runners', async () => {
    const cap = await maxRunners();
    // Warm runners, so that a session that gave its slot up stays and takes the next jobs.
    await settings('warm_runner = true');
    const releasers = [];
    for (let i = 0; i < cap; i++) releasers.push(await fireM(deferred(['SELECT pgdispatch._release_slot()'], { depth: 2 }), `, label => 'flood-release-${i}'`));
    for (const id of releasers) expect((await waitForJob(owner, id)).status).toBe('succeeded');
    // The runner identity's call, at COMMIT, was refused (a runner step starts its own transaction).
    const tries = (await leaks('%_release_slot%')).map((r) => r.what);
    expect(tries.length).toBeGreaterThan(0);
    expect(tries).not.toContain('ran: SELECT pgdispatch._release_slot()');
    await flood(2 * cap, 'SELECT pg_sleep(12)');
    const most = await peak(7_000, () => busyRunners('mallory'), async () => (await busyRunners('mallory')) > cap);
    expect(most, 'mallory\'s sessions running jobs at once').toBeLessThanOrEqual(cap);
  });

  it('work at COMMIT cannot hold the runner slots\' lock: another role\'s job still runs within 10 s', async () => {
    await fireM(deferred(['SELECT pgdispatch._claim_slot()', 'SELECT pg_sleep(15)'], { depth: 2 }), `, label => 'flood-lock'`);
    const runner = await runnerOf('mallory');
    await waitFor('mallory\'s COMMIT to stall', async () => ((await admin.query(
      `SELECT 1 FROM pg_stat_activity WHERE usename = $1 AND wait_event = 'PgSleep'`, [runner])).rowCount ? true : undefined), { timeoutMs: 6_000 });
    const victim = await fireAs('authenticated', 'user-1', 'SELECT current_user AS who');
    const v = await waitForJob(owner, victim, ['succeeded', 'failed', 'cancelled', 'timed_out'], 10_000);
    expect(v.status).toBe('succeeded');
  });
});

describe('4. advisory locks', () => {
  it('mallory holding advisory locks that look like pg_dispatch\'s does not hold back a burst of 200 jobs', async () => {
    await quiesce();
    await mal.query(`SELECT pg_advisory_lock(1885824112, n) FROM generate_series(0, 64) AS n`);
    await mal.query(`SELECT pg_advisory_lock(n, 0), pg_advisory_lock(0, n), pg_advisory_lock(n) FROM generate_series(0, 64) AS n`);
    await mal.query(`SELECT pg_advisory_lock(k) FROM unnest(ARRAY[1885824112, hashtext('pgdispatch'), hashtext('pg_dispatch'),
      hashtext('pgdispatch_runner'), hashtext('pg_cron'), hashtext('pgdispatch._slot')]::bigint[]) AS k`);
    try {
      const ids = (await rpc<{ id: string }>(api, 'authenticated', 'user-1',
        `SELECT pgdispatch.fire('SELECT ' || g || ' AS n') AS id FROM generate_series(1, 200) AS g`)).map((r) => r.id);
      const statuses = await waitFor('200 jobs to finish', async () => {
        const { rows } = await owner.query(`SELECT status, count(*)::int AS n FROM pgdispatch.jobs WHERE id = ANY ($1) GROUP BY status`, [ids]);
        const finished = rows.filter((r) => r.status !== 'scheduled' && r.status !== 'running').reduce((a, r) => a + r.n, 0);
        return finished === 200 ? rows : undefined;
      }, { timeoutMs: 30_000, intervalMs: 250 });
      expect(statuses).toEqual([{ status: 'succeeded', n: 200 }]);
    } finally {
      await mal.query('SELECT pg_advisory_unlock_all()');
    }
  });
});

describe('5. NOTIFY', () => {
  it('a LISTEN pgdispatch session of another role hears only ids and statuses', async () => {
    const heard: string[] = [];
    const onNote = (m: pg.Notification) => {
      if (m.channel === 'pgdispatch' && m.payload) heard.push(m.payload);
    };
    mal.on('notification', onNote);
    await mal.query('LISTEN pgdispatch');
    try {
      const ok = await fireAs('authenticated', 'user-1', `SELECT 'secret-command-text' AS s`, `, label => 'secret-label'`);
      const bad = await fireAs('authenticated', 'user-1', `SELECT 1 / 0 AS secret_failure`, `, label => 'secret-label'`);
      const mine = await waitFor('both jobs\' notifications', async () => {
        const m = heard.map((p) => JSON.parse(p)).filter((p) => String(p.id) === ok || String(p.id) === bad);
        return m.length >= 2 ? m : undefined;
      });
      expect(mine.map((p) => [String(p.id), p.status]).sort()).toEqual([[ok, 'succeeded'], [bad, 'failed']].sort());
      for (const p of heard) {
        expect(Object.keys(JSON.parse(p)).sort(), p).toEqual(['id', 'status']);
        expect(p).not.toMatch(/secret/);
      }
    } finally {
      await mal.query('UNLISTEN pgdispatch');
      mal.off('notification', onNote);
    }
  });
});

describe('6. jobs belong to the role, not to its name', () => {
  it('after bob is renamed bob_old and a new bob is made, the new bob cannot see or cancel the old jobs, which run as bob_old', async () => {
    await admin.query(`CREATE ROLE bob LOGIN; GRANT bob TO pgd_owner`);
    await owner.query(`SELECT pgdispatch.grant_usage('bob')`);
    const bob = await connect({ user: 'bob' });
    const snooze = async (label: string) => (await bob.query(
      `SELECT pgdispatch.snooze('SELECT current_user AS who, session_user AS sess', '3 seconds', label => $1) AS id`, [label])).rows[0].id as string;
    const kept = await snooze('bob-kept');
    const target = await snooze('bob-target');
    await bob.end();
    await admin.query(`ALTER ROLE bob RENAME TO bob_old; CREATE ROLE bob LOGIN; GRANT bob TO pgd_owner`);
    await owner.query(`SELECT pgdispatch.grant_usage('bob')`);
    const newBob = await connect({ user: 'bob' });
    const oldBob = await connect({ user: 'bob_old' });
    try {
      expect.soft((await newBob.query('SELECT id FROM pgdispatch.jobs WHERE id = ANY ($1)', [[kept, target]])).rows, 'new bob reads pgdispatch.jobs').toEqual([]);
      expect.soft((await newBob.query('SELECT id FROM pgdispatch._job WHERE id = ANY ($1)', [[kept, target]])).rows, 'new bob reads pgdispatch._job').toEqual([]);
      expect.soft(await codeOf(newBob, 'SELECT pgdispatch.status($1)', [kept]), 'new bob: status()').toBe('PD100');
      expect.soft(await codeOf(newBob, 'SELECT pgdispatch.result($1)', [kept]), 'new bob: result()').toBe('PD100');
      expect.soft(await codeOf(newBob, 'SELECT pgdispatch.cancel($1)', [target]), 'new bob: cancel()').toBe('PD100');
      expect.soft((await newBob.query(`SELECT pgdispatch.cancel_by_label('bob-target') AS n`)).rows[0].n, 'new bob: cancel_by_label()').toBe(0);
      // The job is bob_old's: he sees it.
      expect.soft(await codeOf(oldBob, 'SELECT pgdispatch.status($1)', [kept]), 'bob_old: status() of his own job').toBe('no error');
      const done = await waitForJob(owner, kept, undefined, 10_000);
      expect(done).toMatchObject({ status: 'succeeded', rows: [{ who: 'bob_old', sess: await runnerOf('bob_old') }] });
      expect((await waitForJob(owner, target, undefined, 10_000)).status, 'the job new bob tried to cancel (by id, then by label)').toBe('succeeded');
    } finally {
      await newBob.end();
      await oldBob.end();
    }
  });
});

describe('7. runner identities', () => {
  const runnerCalls = (oid: string) => [
    'SELECT pgdispatch._take(1)', 'SELECT pgdispatch._take_next()', 'SELECT pgdispatch._execute(NULL::pgdispatch._job, true)',
    'SELECT pgdispatch._start(NULL::pgdispatch._job, now())', `SELECT pgdispatch._take_due(0, '{}', '0', now())`,
    'SELECT pgdispatch._over_share(0)', 'SELECT pgdispatch._claim_slot()', 'SELECT pgdispatch._release_slot()',
    'SELECT pgdispatch._settle_carrier(1)', `SELECT pgdispatch._disarm('{1}')`, 'CALL pgdispatch._run(1)',
    'SELECT pgdispatch._scrub_session()', `SELECT pgdispatch._may_arm(1, 'x', 'x')`, 'SELECT pgdispatch._arm_waiting()',
    `SELECT pgdispatch_exec.arm_${oid}(1, 1, 'x')`, `SELECT pgdispatch_exec.disarm_${oid}('{1}')`,
    `SELECT * FROM pgdispatch_exec.carriers_${oid}()`,
  ];

  it('a tenant can neither become a runner identity nor call what runners call', async () => {
    for (const role of ['mallory', 'authenticated']) {
      const runner = await runnerOf(role);
      const { rows: [a] } = await admin.query(
        `SELECT a.rolcanlogin, a.rolpassword IS NULL AS no_password, a.rolsuper, a.rolcreaterole, a.rolcreatedb, a.rolbypassrls, a.rolreplication,
                ARRAY(SELECT DISTINCT m.member::regrole::text FROM pg_auth_members m WHERE m.roleid = a.oid) AS members,
                ARRAY(SELECT DISTINCT m.roleid::regrole::text FROM pg_auth_members m WHERE m.member = a.oid) AS member_of
           FROM pg_authid a WHERE a.rolname = $1`, [runner]);
      expect(a, runner).toEqual({ rolcanlogin: true, no_password: true, rolsuper: false, rolcreaterole: false, rolcreatedb: false,
        rolbypassrls: false, rolreplication: false, members: ['pgd_owner'], member_of: ['pgdispatch_runners'] });
      for (const become of [`SET ROLE "${runner}"`, `SET SESSION AUTHORIZATION "${runner}"`]) {
        expect.soft(await codeOf(mal, become), `mallory: ${become}`).toBe('42501');
        expect.soft(await rpcCode('authenticated', 'user-1', become), `authenticated: ${become}`).toBe('42501');
      }
    }
    const oids = (await admin.query(`SELECT oid::text AS o FROM pg_roles WHERE rolname IN ('mallory', 'authenticated')`)).rows.map((r) => r.o);
    for (const oid of oids) {
      for (const sql of runnerCalls(oid)) {
        expect.soft(await codeOf(mal, sql), `mallory: ${sql}`).toBe('42501');
        expect.soft(await rpcCode('authenticated', 'user-1', sql), `authenticated: ${sql}`).toBe('42501');
      }
    }
    // Nor from inside a job: the command runs as the tenant, in its executor.
    const id = await fireM(runnerCalls(oids[0]!).map((sql) => `DO $d$BEGIN ${sql.startsWith('CALL') ? sql : 'PERFORM ' + sql.replace(/^SELECT (\* FROM )?/, '')};
      INSERT INTO public.leak VALUES (current_user, session_user, 'ran: ${sql.replace(/'/g, "''")}');
      EXCEPTION WHEN OTHERS THEN INSERT INTO public.leak VALUES (current_user, session_user, 'refused ' || SQLSTATE); END$d$`).join(';\n'));
    expect((await waitForJob(owner, id)).status).toBe('succeeded');
    expect((await leaks()).map((r) => r.what)).toEqual(runnerCalls(oids[0]!).map(() => 'refused 42501'));
  });

  it('a role squatting a runner identity\'s name, made by another CREATEROLE role, is refused, not used', async () => {
    await admin.query(`CREATE ROLE carol LOGIN; GRANT carol TO pgd_owner; CREATE ROLE squatter LOGIN CREATEROLE`);
    const name = await runnerOf('carol');
    const squatter = await connect({ user: 'squatter' });
    await squatter.query(`CREATE ROLE "${name}" LOGIN PASSWORD 'known-to-the-squatter'; GRANT "${name}" TO mallory`);
    await squatter.end();
    const squat = (await admin.query(`SELECT oid FROM pg_roles WHERE rolname = $1`, [name])).rows[0].oid;
    const err = await codeOf(owner, `SELECT pgdispatch.grant_usage('carol')`);
    const { rows: registered } = await owner.query(`SELECT runner_oid FROM pgdispatch._runner WHERE role_oid = 'carol'::regrole`);
    if (err === 'no error') {
      // Made again instead: then nothing of the squatter's role may remain.
      expect(registered.map((r) => r.runner_oid)).not.toContain(squat);
    } else {
      expect(err).toBe('PD400');
      expect(registered).toEqual([]);
    }
    expect((await admin.query(`SELECT count(*)::int AS n FROM cron.job WHERE username = $1`, [name])).rows[0].n).toBe(0);
  });

  it('a squatting role the owner can drop is dropped and made again: nothing it was given comes along', async () => {
    const name = await runnerOf('carol');
    await admin.query(`DROP ROLE IF EXISTS "${name}"`);
    await owner.query(`CREATE ROLE "${name}" LOGIN PASSWORD 'known-to-mallory'; GRANT "${name}" TO mallory`);
    const squat = (await admin.query(`SELECT oid FROM pg_roles WHERE rolname = $1`, [name])).rows[0].oid;
    await owner.query(`SELECT pgdispatch.grant_usage('carol')`);
    const { rows: [runner] } = await admin.query(
      `SELECT a.oid, a.rolpassword IS NULL AS no_password, ARRAY(SELECT DISTINCT m.member::regrole::text FROM pg_auth_members m WHERE m.roleid = a.oid) AS members
         FROM pg_authid a WHERE a.rolname = $1`, [name]);
    expect(runner.oid).not.toBe(squat);
    expect(runner).toMatchObject({ no_password: true, members: ['pgd_owner'] });
    expect((await owner.query(`SELECT runner_oid FROM pgdispatch._runner WHERE role_oid = 'carol'::regrole`)).rows).toEqual([{ runner_oid: runner.oid }]);
    expect(await codeOf(mal, `SET ROLE "${name}"`)).toBe('42501');
    const carol = await connect({ user: 'carol' });
    try {
      const id = (await carol.query(`SELECT pgdispatch.fire('SELECT current_user AS who, session_user AS sess') AS id`)).rows[0].id;
      expect((await waitForJob(owner, id)).rows).toEqual([{ who: 'carol', sess: name }]);
    } finally {
      await carol.end();
    }
  });
});
