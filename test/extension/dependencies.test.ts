// Dependencies (#15): after => ARRAY[id, ...] runs a job once all of those succeeded, and cancels
// it (PD006, naming the job and how it ended) otherwise, down a whole chain without recursing.
// Attacked as a hostile tenant would: another role's job id, another end user's, one that never was.
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

beforeAll(async () => {
  ({ admin, owner, alice, bob, api } = await tenants(`
    UPDATE pgdispatch.settings SET linger = '1 second', max_pending_jobs = 100000;
    DROP TABLE IF EXISTS public.steps CASCADE;
    CREATE TABLE public.steps (job bigint, at timestamptz DEFAULT clock_timestamp());
    GRANT ALL ON public.steps TO tenant_a, tenant_b, authenticated`));
});
afterAll(async () => endTenants({ admin, owner, alice, bob, api }, 'DROP TABLE IF EXISTS public.steps CASCADE'));

const step = `INSERT INTO public.steps (job) VALUES (current_setting('pgdispatch.job_id')::bigint)`;

describe('dependencies', () => {
  it('runs after all its dependencies succeeded, parked and without a carrier until then', async () => {
    const a = await id(alice, `SELECT pgdispatch.snooze($1, '1 second') AS id`, [`SELECT pg_sleep(0.5); ${step}`]);
    const b = await id(alice, `SELECT pgdispatch.fire($1) AS id`, [`SELECT pg_sleep(1); ${step}`]);
    const c = await id(alice, `SELECT pgdispatch.fire($1, after => ARRAY[$2, $3]::bigint[]) AS id`, [step, a, b]);
    const parked = await one(alice, `SELECT status, run_at, after, after_left FROM pgdispatch.jobs WHERE id = $1`, [c]);
    expect(parked).toMatchObject({ status: 'scheduled', run_at: Infinity, after: [a, b].sort(), after_left: 2 });
    expect((await one(owner, `SELECT carrier FROM pgdispatch._job WHERE id = $1`, [c])).carrier).toBeNull();
    expect((await waitForJob(alice, c)).status).toBe('succeeded');
    const at = (await alice.query(`SELECT job, at FROM public.steps WHERE job IN ($1, $2, $3) ORDER BY at`, [a, b, c])).rows.map((r) => r.job);
    expect(at[2]).toBe(c);
  }, 30_000);

  it('a dependency that fails cancels the dependent, saying which job and how it ended; an already failed one at fire time too', async () => {
    const a = await id(alice, `SELECT pgdispatch.fire('SELECT 1/0') AS id`);
    const c = await id(alice, `SELECT pgdispatch.fire($1, after => ARRAY[$2]::bigint[]) AS id`, [step, a]);
    const done = await waitForJob(alice, c);
    expect(done).toMatchObject({ status: 'cancelled', error_sqlstate: 'PD006' });
    expect(done.error_message).toContain(`job ${a}`);
    expect(done.error_message).toContain('ended failed');
    const late = await id(alice, `SELECT pgdispatch.fire($1, after => ARRAY[$2]::bigint[]) AS id`, [step, a]);
    expect(await one(alice, `SELECT status, error_sqlstate FROM pgdispatch.jobs WHERE id = $1`, [late])).toEqual({ status: 'cancelled', error_sqlstate: 'PD006' });
    // Cancelled and timed out dependencies too.
    const t = await id(alice, `SELECT pgdispatch.fire('SELECT pg_sleep(5)', timeout => '200 ms') AS id`);
    const s = await id(alice, `SELECT pgdispatch.snooze('SELECT 1', '1 hour') AS id`);
    const ct = await id(alice, `SELECT pgdispatch.fire($1, after => ARRAY[$2]::bigint[]) AS id`, [step, t]);
    const cs = await id(alice, `SELECT pgdispatch.fire($1, after => ARRAY[$2]::bigint[]) AS id`, [step, s]);
    await alice.query(`SELECT pgdispatch.cancel($1)`, [s]);
    // (timed_out; under a loaded machine the watchdog may have to end the runner's session: failed, PD001)
    const tEnd = (await waitForJob(alice, t)).status;
    expect(['timed_out', 'failed']).toContain(tEnd);
    expect((await waitForJob(alice, ct)).error_message).toContain(`ended ${tEnd}`);
    expect((await waitForJob(alice, cs)).error_message).toContain('ended cancelled');
    expect((await alice.query(`SELECT 1 FROM public.steps WHERE job IN ($1, $2, $3, $4)`, [c, late, ct, cs])).rows).toEqual([]);
  }, 30_000);

  it('a chain of 1,000 whose head fails is cancelled down to its end, without recursing, in well under a few seconds', async () => {
    // The head fails when it runs, in its runner's transaction: the whole chain is cancelled there.
    const head = await id(alice, `SELECT pgdispatch.snooze('SELECT 1/0', '3 seconds') AS id`);
    const ids = (await one<{ ids: string[] }>(alice, `
      WITH RECURSIVE chain AS (SELECT 1 AS n, $1::bigint AS id
        UNION ALL SELECT n + 1, pgdispatch.fire('SELECT 1', after => ARRAY[id]) FROM chain WHERE n <= 1000)
      SELECT array_agg(id ORDER BY n) AS ids FROM chain WHERE n > 1`, [head])).ids;
    expect(ids).toHaveLength(1000);
    const failed = await waitForJob(alice, head);
    expect(failed.status).toBe('failed');
    const last = await waitForJob(alice, ids[999]!);
    expect(last.status).toBe('cancelled');
    expect(last.error_message).toContain(`job ${ids[998]}`);
    expect(last.error_message).toContain('ended cancelled');
    expect((await one(alice, `SELECT error_message FROM pgdispatch.jobs WHERE id = $1`, [ids[0]])).error_message).toContain(`job ${head}, which it runs after, ended failed`);
    expect(Number((await one<{ n: string }>(alice, `SELECT count(*) AS n FROM pgdispatch.jobs WHERE id = ANY ($1::bigint[]) AND status = 'cancelled' AND error_sqlstate = 'PD006'`, [ids])).n)).toBe(1000);
    // From the head's failure to the chain's last job cancelled (one transaction: the runner's).
    const ms = last.finished_at!.getTime() - failed.finished_at!.getTime();
    console.log(`chain of 1,000 cancelled in ${ms.toFixed(0)} ms`);
    expect(ms).toBeLessThan(3000);
  }, 60_000);

  it('a chain of 100 that succeeds runs in order, in one runner session; a fan-in of 1,000 into one job releases it once', async () => {
    const head = await id(alice, `SELECT pgdispatch.fire($1) AS id`, [step]);
    const chain = (await one<{ ids: string[] }>(alice, `
      WITH RECURSIVE chain AS (SELECT 1 AS n, $1::bigint AS id
        UNION ALL SELECT n + 1, pgdispatch.fire($2, after => ARRAY[id]) FROM chain WHERE n < 100)
      SELECT array_agg(id ORDER BY n) AS ids FROM chain`, [head, step])).ids;
    // Fan-in: 1,000 jobs, then one after all of them.
    const many = (await one<{ ids: string[] }>(alice, `SELECT pgdispatch.fire_many(array_fill($1::text, ARRAY[1000])) AS ids`, [step])).ids;
    const t = process.hrtime.bigint();
    const sink = await id(alice, `SELECT pgdispatch.fire($1, after => $2::bigint[]) AS id`, [step, many]);
    const fireMs = Number(process.hrtime.bigint() - t) / 1e6;
    expect((await waitForJob(alice, sink, undefined, 60_000)).status).toBe('succeeded');
    const lastMany = await one<{ at: Date }>(alice, `SELECT max(at) AS at FROM public.steps WHERE job = ANY ($1::bigint[])`, [many]);
    const sinkAt = await one<{ at: Date }>(alice, `SELECT at FROM public.steps WHERE job = $1`, [sink]);
    expect(sinkAt.at.getTime()).toBeGreaterThanOrEqual(lastMany.at.getTime());
    expect((await waitForJob(alice, chain[99]!, undefined, 60_000)).status).toBe('succeeded');
    const order = (await alice.query(`SELECT job FROM public.steps WHERE job = ANY ($1::bigint[]) ORDER BY at`, [chain])).rows.map((r) => r.job);
    expect(order).toEqual(chain);
    const sessions = Number((await one<{ n: string }>(owner, `SELECT count(DISTINCT runner_pid) AS n FROM pgdispatch._job WHERE id = ANY ($1::bigint[])`, [chain])).n);
    console.log(`chain of 100 ran in ${sessions} runner sessions`);
    expect(sessions).toBeLessThan(20);
    console.log(`fan-in of 1,000 fired in ${fireMs.toFixed(0)} ms`);
    expect(fireMs).toBeLessThan(2000);
  }, 90_000);

  it('names only jobs the firer sees: another role\'s job, another end user\'s, one that never was: PD105 with a hint', async () => {
    const bobs = await id(bob, `SELECT pgdispatch.snooze('SELECT 1', '1 hour') AS id`);
    const e = await failure(alice, `SELECT pgdispatch.fire('SELECT 1', after => ARRAY[$1]::bigint[])`, [bobs]);
    expect(e.code).toBe('PD105');
    expect(e.message).toContain(`no job ${bobs}`);
    expect(e.hint).toMatch(/jobs of yours/);
    expect((await failure(alice, `SELECT pgdispatch.fire('SELECT 1', after => ARRAY[9223372036854775807])`)).code).toBe('PD105');
    // A direct INSERT naming it is refused the same way.
    expect((await failure(alice, `INSERT INTO pgdispatch._job (command, after) VALUES ('SELECT 1', ARRAY[$1]::bigint[])`, [bobs])).code).toBe('PD105');
    // End users of one role: user 2 cannot wait on user 1's job (and so cannot learn it exists).
    const u1 = (await rpc<{ id: string }>('user-1', `SELECT pgdispatch.snooze('SELECT 1', '1 hour') AS id`))[0]!.id;
    const e2 = await rpcFailure(api, 'authenticated', JSON.stringify({ sub: 'user-2', role: 'authenticated' }), `SELECT pgdispatch.fire('SELECT 1', after => ARRAY[$1]::bigint[])`, [u1]);
    expect(e2.code).toBe('PD105');
    // Bob's cancelling his own job touches nothing of Alice's.
    await bob.query(`SELECT pgdispatch.cancel($1)`, [bobs]);
    await alice.query(`SELECT pgdispatch.cancel($1)`, [u1]).catch(() => {});
    expect((await one(owner, `SELECT status FROM pgdispatch._job WHERE id = $1`, [u1])).status).toBe('scheduled');
    expect((await failure(alice, `SELECT pgdispatch.fire('SELECT 1', key => 'k', after => ARRAY[1])`)).code).toBe('PD200');
  });

  it('a dependency that ends while its dependent\'s transaction is still open: released or cancelled at that COMMIT, not by the maintenance minute later', async () => {
    const ok = await id(alice, `SELECT pgdispatch.fire('SELECT pg_sleep(0.3)') AS id`);
    const bad = await id(alice, `SELECT pgdispatch.fire('SELECT pg_sleep(0.3), 1/0') AS id`);
    await alice.query('BEGIN');
    const waits = await id(alice, `SELECT pgdispatch.fire($1, after => ARRAY[$2]::bigint[]) AS id`, [step, ok]);
    const doomed = await id(alice, `SELECT pgdispatch.fire($1, after => ARRAY[$2]::bigint[]) AS id`, [step, bad]);
    expect((await one(alice, `SELECT after_left FROM pgdispatch.jobs WHERE id = $1`, [waits])).after_left).toBe(1);
    // Both end while this transaction is open: their finishing triggers cannot see its jobs.
    await waitForJob(owner, ok);
    await waitForJob(owner, bad);
    await alice.query('COMMIT');
    const committed = Date.now();
    const released = await waitForJob(alice, waits, undefined, 10_000);
    expect(released.status).toBe('succeeded');
    expect(released.started_at!.getTime() - committed).toBeLessThan(3000);
    const cancelled = await waitForJob(alice, doomed, undefined, 5_000);
    expect(cancelled).toMatchObject({ status: 'cancelled', error_sqlstate: 'PD006' });
    expect(cancelled.error_message).toContain(`job ${bad}, which it runs after, ended failed`);
    expect((await one<{ n: string }>(owner, `SELECT count(*) AS n FROM pgdispatch._job_after WHERE job_id IN ($1, $2)`, [waits, doomed])).n).toBe('0');
  }, 30_000);

  it('a dependency that ends while its dependent\'s REPEATABLE READ transaction is open: released by the maintenance job\'s recount', async () => {
    const ok = await id(alice, `SELECT pgdispatch.fire('SELECT pg_sleep(0.3)') AS id`);
    await alice.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    const waits = await id(alice, `SELECT pgdispatch.fire($1, after => ARRAY[$2]::bigint[]) AS id`, [step, ok]);
    await waitForJob(owner, ok);
    await alice.query('COMMIT');  // (not refused: locking a row changed since the snapshot would be)
    expect((await one(alice, `SELECT status, after_left FROM pgdispatch.jobs WHERE id = $1`, [waits]))).toMatchObject({ status: 'scheduled', after_left: 1 });
    // The maintenance job's pass (once a minute, for jobs parked over 10 s), called here at once.
    await owner.query(`UPDATE pgdispatch._job SET created_at = created_at - interval '1 minute' WHERE id = $1`, [waits]);
    const maintenance = await connect();  // (it pins search_path for its session)
    await maintenance.query('CALL pgdispatch._maintain()');
    await maintenance.end();
    expect((await waitForJob(alice, waits, undefined, 10_000)).status).toBe('succeeded');
  }, 30_000);

  it('queue and after together: a dependent of a paused queue waits for the queue once released', async () => {
    await alice.query(`SELECT pgdispatch.pause_queue('later')`);
    // One transaction: a cannot finish before b is committed (that race is the next test's).
    await alice.query('BEGIN');
    const a = await id(alice, `SELECT pgdispatch.fire('SELECT 1') AS id`);
    const b = await id(alice, `SELECT pgdispatch.fire($1, queue => 'later', after => ARRAY[$2]::bigint[]) AS id`, [step, a]);
    await alice.query('COMMIT');
    await waitForJob(alice, a);
    await waitFor('b released', async () => ((await one(alice, `SELECT after_left FROM pgdispatch.jobs WHERE id = $1`, [b])).after_left === 0 ? true : undefined));
    await new Promise((r) => setTimeout(r, 1500));
    expect((await one(alice, `SELECT status FROM pgdispatch.jobs WHERE id = $1`, [b])).status).toBe('scheduled');
    await alice.query(`SELECT pgdispatch.resume_queue('later')`);
    expect((await waitForJob(alice, b)).status).toBe('succeeded');
  }, 30_000);
});
