// Queues (#15): a queue is its role's and end user's own; concurrency (1: in series, in order) and
// pause are honoured by the runners without holding anything while jobs wait. Attacked as a
// hostile tenant would: another role's queue of the same name, another end user's.
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, failure, waitFor, waitForJob } from '../setup/db.js';
import { rpcFailure } from '../setup/supabase.js';
import { endTenants, endUser, id, one, tenants } from '../setup/tenants.js';

let admin: pg.Client;
let owner: pg.Client;
let alice: pg.Client; // tenant_a
let bob: pg.Client; // tenant_b
let api: pg.Client; // authenticator, as PostgREST

const rpc = endUser(() => api);
const runnerSessions = async (role: string): Promise<number> => Number((await one<{ n: string }>(admin,
  `SELECT count(*) AS n FROM pg_stat_activity WHERE usename = 'pgdispatch_runner_' || (SELECT oid FROM pg_roles WHERE rolname = $1)
     AND application_name LIKE 'pgdispatch%runner'`, [role])).n);

beforeAll(async () => {
  ({ admin, owner, alice, bob, api } = await tenants(`
    UPDATE pgdispatch.settings SET linger = '1 second';
    DROP TABLE IF EXISTS public.spans CASCADE;
    CREATE TABLE public.spans (q text, job bigint, started timestamptz, ended timestamptz);
    GRANT ALL ON public.spans TO tenant_a, tenant_b, authenticated`));
});
afterAll(async () => endTenants({ admin, owner, alice, bob, api }, 'DROP TABLE IF EXISTS public.spans CASCADE'));

/** A job that records its own start and end (clock time) in public.spans. */
const span = (q: string, seconds: number) =>
  `INSERT INTO public.spans SELECT '${q}', current_setting('pgdispatch.job_id')::bigint, clock_timestamp(), NULL; `
  + `SELECT pg_sleep(${seconds}); UPDATE public.spans SET ended = clock_timestamp() WHERE job = current_setting('pgdispatch.job_id')::bigint`;

describe('queues', () => {
  it('a serial queue never overlaps, under several firing sessions, and runs in fire order', async () => {
    // Paused while three sessions fire, so that all are committed when they start: then the order is theirs.
    await alice.query(`SELECT pgdispatch.set_queue('serial', concurrency => 1, paused => true)`);
    const firers = await Promise.all([1, 2, 3].map(() => connect({ user: 'tenant_a' })));
    try {
      const ids = (await Promise.all(firers.map(async (c) => {
        const out: string[] = [];
        for (let i = 0; i < 4; i++) out.push((await one<{ id: string }>(c, `SELECT pgdispatch.fire($1, queue => 'serial') AS id`, [span('serial', 0.2)])).id);
        return out;
      }))).flat();
      await alice.query(`SELECT pgdispatch.resume_queue('serial')`);
      for (const id of ids) expect((await waitForJob(alice, id, undefined, 30_000)).status).toBe('succeeded');
      const spans = (await alice.query(`SELECT job, started, ended FROM public.spans WHERE q = 'serial' ORDER BY started`)).rows;
      expect(spans).toHaveLength(12);
      for (let i = 1; i < spans.length; i++) expect(spans[i].started.getTime()).toBeGreaterThanOrEqual(spans[i - 1].ended.getTime());
      // In fire order (their time, then id).
      const fired = (await alice.query(`SELECT id FROM pgdispatch.jobs WHERE queue = 'serial' ORDER BY run_at, id`)).rows.map((r) => r.id);
      expect(spans.map((s) => s.job)).toEqual(fired);
    } finally {
      for (const c of firers) await c.end();
    }
  }, 60_000);

  it('concurrency N: at most N at once, and N do run together', async () => {
    await alice.query(`SELECT pgdispatch.set_queue('three', concurrency => 3)`);
    const { rows } = await alice.query(`SELECT pgdispatch.fire($1, queue => 'three') AS id FROM generate_series(1, 9)`, [span('three', 0.5)]);
    for (const r of rows) expect((await waitForJob(alice, r.id, undefined, 30_000)).status).toBe('succeeded');
    const spans = (await alice.query(`SELECT started, ended FROM public.spans WHERE q = 'three'`)).rows;
    let peak = 0;
    for (const s of spans) {
      const at = s.started.getTime();
      peak = Math.max(peak, spans.filter((o) => o.started.getTime() <= at && o.ended.getTime() > at).length);
    }
    expect(peak).toBe(3);
  }, 60_000);

  it('a paused queue holds no session while its jobs are due; resume starts them', async () => {
    await alice.query(`SELECT pgdispatch.pause_queue('held')`);
    const { rows } = await alice.query(`SELECT pgdispatch.fire('SELECT 1', queue => 'held') AS id FROM generate_series(1, 20)`);
    // Jobs of another queue of the same role keep running meanwhile.
    const other = (await one<{ id: string }>(alice, `SELECT pgdispatch.fire('SELECT 2', queue => 'other') AS id`)).id;
    expect((await waitForJob(alice, other)).status).toBe('succeeded');
    // Sampled for 3 s: no runner session of the role once its other job is done, none holding the paused ones.
    await waitFor('runners to leave', async () => ((await runnerSessions('tenant_a')) === 0 ? true : undefined), { timeoutMs: 10_000 });
    const t = Date.now();
    let seen = 0;
    while (Date.now() - t < 3000) {
      seen = Math.max(seen, await runnerSessions('tenant_a'));
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(seen).toBe(0);
    const q = await one(alice, `SELECT name, paused, waiting, running FROM pgdispatch.queues WHERE name = 'held'`);
    expect(q).toMatchObject({ name: 'held', paused: true, waiting: '20', running: '0' });
    expect(Number((await one<{ n: string }>(alice, `SELECT count(*) AS n FROM pgdispatch._job WHERE queue = 'held' AND carrier IS NOT NULL`)).n)).toBe(0);
    expect((await one(alice, `SELECT pgdispatch.resume_queue('held') AS r`)).r).toBe(true);
    for (const r of rows) expect((await waitForJob(alice, r.id)).status).toBe('succeeded');
  }, 60_000);

  it('another role\'s or end user\'s queue of the same name is another queue: a hostile tenant can neither pause, fill nor serialize it', async () => {
    // Bob pauses and serializes "shared"; Alice's queue of that name is untouched.
    await bob.query(`SELECT pgdispatch.set_queue('shared', concurrency => 1, paused => true)`);
    const b = (await one<{ id: string }>(bob, `SELECT pgdispatch.fire('SELECT 1', queue => 'shared') AS id`)).id;
    const { rows } = await alice.query(`SELECT pgdispatch.fire($1, queue => 'shared') AS id FROM generate_series(1, 3)`, [span('shared', 1)]);
    for (const r of rows) expect((await waitForJob(alice, r.id)).status).toBe('succeeded');
    // Hers all ran while his waits in his paused queue of the same name.
    expect((await one(bob, `SELECT status FROM pgdispatch.jobs WHERE id = $1`, [b])).status).toBe('scheduled');
    // Bob names Alice's role: refused (PD401); he sees only his own queues.
    const e = await failure(bob, `SELECT pgdispatch.pause_queue('shared', role => 'tenant_a')`);
    expect(e.code).toBe('PD401');
    expect(e.hint).toMatch(/your own queue/);
    const direct = await failure(bob, `INSERT INTO pgdispatch._queue (role_oid, name, paused) VALUES ('tenant_a'::regrole, 'shared', true)`);
    expect(direct.code).toBe('42501');
    expect((await bob.query(`SELECT role FROM pgdispatch.queues`)).rows.every((r) => r.role === 'tenant_b')).toBe(true);
    expect((await bob.query(`SELECT role_oid FROM pgdispatch._queue WHERE role_oid = 'tenant_a'::regrole`)).rows).toEqual([]);
    // End users of one role: user 1's paused queue does not hold user 2's jobs.
    await rpc('user-1', `SELECT pgdispatch.pause_queue('mail')`);
    const u2 = (await rpc<{ id: string }>('user-2', `SELECT pgdispatch.fire('SELECT 1', queue => 'mail') AS id`))[0]!.id;
    expect((await waitForJob(owner, u2)).status).toBe('succeeded');
    const e2 = await rpcFailure(api, 'authenticated', JSON.stringify({ sub: 'user-2', role: 'authenticated' }), `SELECT pgdispatch.resume_queue('mail', sub => 'user-1')`);
    expect(e2.code).toBe('PD401');
    expect((await rpc('user-2', `SELECT name FROM pgdispatch.queues WHERE name = 'mail'`)).length).toBe(0); // user 2's queue is listed only with jobs
    expect((await rpc('user-1', `SELECT name, paused FROM pgdispatch.queues WHERE name = 'mail'`))).toEqual([{ name: 'mail', paused: true }]);
    // An admin may pause another role's queue.
    await owner.query(`SELECT pgdispatch.resume_queue('shared', role => 'tenant_b')`);
    expect((await waitForJob(bob, b)).status).toBe('succeeded');
  }, 60_000);

  it('refuses bad names and concurrency with PD206', async () => {
    expect((await failure(alice, `SELECT pgdispatch.fire('SELECT 1', queue => '')`)).code).toBe('PD206');
    expect((await failure(alice, `SELECT pgdispatch.fire('SELECT 1', queue => repeat('q', 65))`)).code).toBe('PD206');
    expect((await failure(alice, `SELECT pgdispatch.set_queue('x', concurrency => 0)`)).code).toBe('PD206');
  });

  it('a long serial queue holds no slot idle: another role\'s jobs and the same role\'s other jobs start at once', async () => {
    {
      await alice.query(`SELECT pgdispatch.set_queue('long', concurrency => 1)`);
      const { rows } = await alice.query(`SELECT pgdispatch.fire('SELECT pg_sleep(0.5)', queue => 'long') AS id FROM generate_series(1, 8)`);
      await waitFor('the first to run', async () => ((await one<{ n: string }>(alice, `SELECT count(*) AS n FROM pgdispatch.jobs WHERE queue = 'long' AND status = 'running'`)).n === '1' ? true : undefined));
      const t = Date.now();
      const other = (await one<{ id: string }>(alice, `SELECT pgdispatch.fire('SELECT 1') AS id`)).id;
      const theirs = (await one<{ id: string }>(bob, `SELECT pgdispatch.fire('SELECT 1') AS id`)).id;
      expect((await waitForJob(alice, other)).status).toBe('succeeded');
      expect((await waitForJob(bob, theirs)).status).toBe('succeeded');
      console.log(`other jobs (same role, another role) done ${Date.now() - t} ms after their fire, beside a serial queue of 4 s`);
      // Both started while the queue still had most of its 4 s to go.
      const lastStart = await one<{ at: Date }>(alice, `SELECT max(started_at) AS at FROM pgdispatch.jobs WHERE queue = 'long'`);
      const queueEnd = (await Promise.all(rows.map((r) => waitForJob(alice, r.id, undefined, 20_000))))
        .map((j) => j.finished_at!.getTime()).sort((a, b) => b - a)[0]!;
      expect((await one<{ s: Date }>(bob, `SELECT started_at AS s FROM pgdispatch.jobs WHERE id = $1`, [theirs])).s.getTime()).toBeLessThan(queueEnd - 1500);
      expect((await one<{ s: Date }>(alice, `SELECT started_at AS s FROM pgdispatch.jobs WHERE id = $1`, [other])).s.getTime()).toBeLessThan(queueEnd - 1500);
      expect(lastStart.at.getTime()).toBeLessThan(queueEnd);
    }
  }, 60_000);
});
