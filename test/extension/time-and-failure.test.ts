// Time and failure: waiting costs nothing and survives restarts, time limits, retries with
// backoff, crashes in the middle of a job, retention, bursts, idle cost, the warm runner.
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connect, freshExtension, waitFor, waitForJob } from '../setup/db.js';
import { localServer, repoRoot } from '../setup/server.js';

let db: pg.Client;
const local = inject('localName');

beforeAll(async () => {
  db = await connect();
  await freshExtension(db);
  await db.query('DROP TABLE IF EXISTS marks; CREATE TABLE marks (job text, at timestamptz DEFAULT clock_timestamp())');
  await db.query('DROP SEQUENCE IF EXISTS tries; CREATE SEQUENCE tries');
  await db.query(`UPDATE pgdispatch.settings SET retry_base_delay = '1 second'`);
});
afterAll(async () => db?.end());

const one = async <T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T> =>
  (await db.query(sql, params)).rows[0] as T;

/** Reconnects after a server restart. */
async function reconnect(): Promise<void> {
  await db.end().catch(() => {});
  db = await waitFor('the server to accept connections', async () => connect().catch(() => undefined), { timeoutMs: 30_000 });
}

describe('waiting', () => {
  it('fire_at runs the command at its time, not before, within 2 seconds after', async () => {
    const { id } = await one<{ id: string }>(
      `SELECT pgdispatch.fire_at($$INSERT INTO marks VALUES ('at')$$, clock_timestamp() + interval '3 seconds') AS id`);
    const job = await waitForJob(db, id);
    const { run_at } = await one<{ run_at: Date }>('SELECT run_at FROM pgdispatch.jobs WHERE id = $1', [id]);
    const late = job.started_at!.getTime() - run_at.getTime();
    expect(late).toBeGreaterThanOrEqual(0);
    expect(late).toBeLessThan(2000);
  });

  it.runIf(local)('a hard restart during the wait neither loses the job nor moves its time', async () => {
    const { id } = await one<{ id: string }>(`SELECT pgdispatch.snooze($$INSERT INTO marks VALUES ('restart')$$, '8 seconds') AS id`);
    const { run_at } = await one<{ run_at: Date }>('SELECT run_at FROM pgdispatch.jobs WHERE id = $1', [id]);
    await new Promise((r) => setTimeout(r, 2000)); // the carrier's countdown has begun
    await localServer(local, 'stop-immediate');
    await localServer(local, 'restart');
    await reconnect();
    const job = await waitForJob(db, id, undefined, 20_000);
    expect(job.status).toBe('succeeded');
    const late = job.started_at!.getTime() - run_at.getTime();
    expect(late).toBeGreaterThanOrEqual(0);
    expect(late).toBeLessThan(2000);
  });

  it('100 jobs waiting 5 minutes hold no session and no pg_cron job', async () => {
    await db.query(`SELECT pgdispatch.snooze('SELECT 1', '5 minutes', label => 'waiting/' || g) FROM generate_series(1, 100) g`);
    const { carriers } = await one<{ carriers: number }>(`
      SELECT count(*)::int AS carriers FROM cron.job c JOIN pgdispatch._job j ON c.jobid = j.carrier WHERE j.label LIKE 'waiting/%'`);
    expect(carriers).toBe(0);
    let most = 0;
    const until = Date.now() + 3000;
    while (Date.now() < until) {
      const { n } = await one<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name LIKE 'pgdispatch%'`);
      most = Math.max(most, n);
      await new Promise((r) => setTimeout(r, 100)); // sampling, not waiting for an outcome
    }
    expect(most).toBeLessThanOrEqual(1); // at most the minute's maintenance run
    expect((await one<{ n: number }>(`SELECT pgdispatch.cancel_by_label('waiting/%') AS n`)).n).toBe(100);
  });
});

describe('timeouts', () => {
  it('stops a job that runs past its timeout and records timed_out, rolling its effects back', async () => {
    const { id } = await one<{ id: string }>(
      `SELECT pgdispatch.fire($$INSERT INTO marks VALUES ('overrun'); SELECT pg_sleep(30)$$, timeout => '2 seconds') AS id`);
    const job = await waitForJob(db, id, undefined, 15_000);
    expect(job.status).toBe('timed_out');
    expect(job.error_sqlstate).toBe('57014');
    const ran = job.finished_at!.getTime() - job.started_at!.getTime();
    expect(ran).toBeGreaterThanOrEqual(2000);
    expect(ran).toBeLessThan(4500);
    expect((await one<{ n: number }>(`SELECT count(*)::int AS n FROM marks WHERE job = 'overrun'`)).n).toBe(0);
    await waitFor('the runner session to end', async () =>
      (await one<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1`, [`pgdispatch job ${id}`])).n === 0 || undefined);
  });

  it.each([
    ['its timeout', `timeout => '1 second'`],
    ['cancel()', null],
  ])('a command that renames its session and catches the cancel cannot outrun %s: its session is ended', async (_, option) => {
    const stubborn = `DO $$BEGIN PERFORM set_config('application_name', 'innocent', false);
      LOOP BEGIN PERFORM pg_sleep(0.2); EXCEPTION WHEN query_canceled THEN RAISE NOTICE 'caught'; END; END LOOP; END$$`;
    const { id } = await one<{ id: string }>(`SELECT pgdispatch.fire($1${option ? `, ${option}` : ''}) AS id`, [stubborn]);
    const running = await waitForJob(db, id, ['running']);
    const { pid } = await one<{ pid: number }>(`SELECT runner_pid AS pid FROM pgdispatch._job WHERE id = $1`, [id]);
    if (!option) expect((await one<{ c: boolean }>(`SELECT pgdispatch.cancel($1) AS c`, [id])).c).toBe(true);
    expect((await waitForJob(db, id, undefined, 10_000)).status).toBe(option ? 'timed_out' : 'cancelled');
    await waitFor('the stubborn session to end', async () =>
      (await one<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = $1`, [pid])).n === 0 || undefined,
    { timeoutMs: 10_000 });
    expect(running.status).toBe('running');
  });

  it('applies the admin default timeout to jobs fired without one', async () => {
    await db.query(`UPDATE pgdispatch.settings SET default_timeout = '1 second'`);
    const { id } = await one<{ id: string }>(`SELECT pgdispatch.fire('SELECT pg_sleep(20)') AS id`);
    await db.query(`UPDATE pgdispatch.settings SET default_timeout = NULL`);
    expect((await waitForJob(db, id, undefined, 15_000)).status).toBe('timed_out');
  });
});

describe('retries', () => {
  it('retries with exponential backoff and records every attempt, then fails', async () => {
    const { id } = await one<{ id: string }>(`SELECT pgdispatch.fire('SELECT 1/0', max_attempts => 3) AS id`);
    const job = await waitForJob(db, id, ['failed'], 20_000);
    expect(job.attempts).toBe(3);
    const log = job.attempt_log as Array<{ attempt: number; started_at: string; failed_at: string; sqlstate: string }>;
    expect(log.map((a) => a.attempt)).toEqual([1, 2, 3]);
    expect(log.every((a) => a.sqlstate === '22012')).toBe(true);
    const gap1 = Date.parse(log[1]!.started_at) - Date.parse(log[0]!.failed_at);
    const gap2 = Date.parse(log[2]!.started_at) - Date.parse(log[1]!.failed_at);
    expect(gap1).toBeGreaterThanOrEqual(1000);
    expect(gap2).toBeGreaterThanOrEqual(2000);
    expect(gap2).toBeLessThan(2000 + 2500);
  });

  it('succeeds on a later attempt and keeps the earlier error in the log', async () => {
    await db.query(`ALTER SEQUENCE tries RESTART`);
    const { id } = await one<{ id: string }>(
      `SELECT pgdispatch.fire($$SELECT 1 / (nextval('tries') - 1) AS ok$$, max_attempts => 2) AS id`);
    const job = await waitForJob(db, id, ['succeeded', 'failed'], 20_000);
    expect(job.status).toBe('succeeded');
    expect(job.attempts).toBe(2);
    expect((job.attempt_log as unknown[]).length).toBe(1);
    expect(job.error_sqlstate).toBeNull();
  });
});

/**
 * Ends the session running a job, once that session is in the job's command: a job is 'running'
 * from its start's COMMIT, a moment before its session names it (application_name) and runs it.
 */
async function terminateJobSession(id: string): Promise<void> {
  await waitFor(`the session of job ${id} to run its command`, async () => (await one<{ n: number }>(
    `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE application_name = $1 AND wait_event = 'PgSleep'`,
    [`pgdispatch job ${id}`])).n === 1 || undefined, { timeoutMs: 10_000 });
}

describe('crash safety', () => {
  it('a job whose backend is terminated is recorded as interrupted, not left running', async () => {
    const { id } = await one<{ id: string }>(`SELECT pgdispatch.fire('SELECT pg_sleep(60)') AS id`);
    await waitForJob(db, id, ['running']);
    await terminateJobSession(id);
    // (found by its carrier's next run: a job promised to a lingering runner gets one every 10 s)
    const job = await waitForJob(db, id, undefined, 30_000);
    expect(job.status).toBe('failed');
    expect(job.error_sqlstate).toBe('PD001');
    expect(job.error_message).toContain('interrupted');
  });

  it('an interrupted job with attempts left is retried', async () => {
    await db.query(`ALTER SEQUENCE tries RESTART`);
    const { id } = await one<{ id: string }>(
      `SELECT pgdispatch.fire($$SELECT pg_sleep(CASE WHEN nextval('tries') < 2 THEN 60 ELSE 0 END)$$, max_attempts => 2) AS id`);
    await waitForJob(db, id, ['running']);
    await terminateJobSession(id);
    // (a generous deadline: on a loaded machine pg_cron's next run of the carrier can be late)
    const job = await waitForJob(db, id, undefined, 45_000);
    expect(job).toMatchObject({ status: 'succeeded', attempts: 2 });
    expect((job.attempt_log as Array<{ sqlstate: string }>)[0]!.sqlstate).toBe('PD001');
  });

  it('a job whose session died is found interrupted by its carrier even when no slot is free for that run', async () => {
    await db.query(`UPDATE pgdispatch.settings SET max_runners = 1`);
    try {
      const { id } = await one<{ id: string }>(`SELECT pgdispatch.fire('SELECT pg_sleep(60)') AS id`);
      await waitForJob(db, id, ['running']);
      // Its role's only slot now held by another live session of that role (this one, standing in
      // for a runner), and the job's session ends: its carrier's next run finds no free slot.
      await db.query(`UPDATE pgdispatch._slot SET pid = pg_backend_pid(),
                        backend_start = (SELECT backend_start FROM pg_stat_activity WHERE pid = pg_backend_pid()),
                        role_oid = (SELECT role_oid FROM pgdispatch._job WHERE id = $1) WHERE n = 1`, [id]);
      await terminateJobSession(id);
      // (its own carrier runs every second; a job promised to a lingering runner has one every 10 s)
      const job = await waitForJob(db, id, undefined, 25_000);
      expect(job).toMatchObject({ status: 'failed', error_sqlstate: 'PD001' });
    } finally {
      await db.query(`UPDATE pgdispatch._slot SET pid = NULL, backend_start = NULL, role_oid = NULL WHERE pid = pg_backend_pid()`);
      await db.query(`UPDATE pgdispatch.settings SET max_runners = 4`);
    }
  });

  it.runIf(local)('after a hard stop in the middle of a job, the job is retried or failed, never left running', async () => {
    const { id: once } = await one<{ id: string }>(`SELECT pgdispatch.fire('SELECT pg_sleep(60)') AS id`);
    // Not a sequence: its advance before the crash was never flushed, so it would repeat.
    const { id: twice } = await one<{ id: string }>(
      `SELECT pgdispatch.fire($$SELECT pg_sleep(CASE WHEN current_setting('pgdispatch.attempt')::int < 2 THEN 60 ELSE 0 END)$$, max_attempts => 2) AS id`);
    await waitForJob(db, once, ['running']);
    await waitForJob(db, twice, ['running']);
    await localServer(local, 'stop-immediate');
    await localServer(local, 'restart');
    await reconnect();
    expect(await waitForJob(db, once, undefined, 20_000)).toMatchObject({ status: 'failed', error_sqlstate: 'PD001' });
    expect(await waitForJob(db, twice, undefined, 20_000)).toMatchObject({ status: 'succeeded', attempts: 2 });
  });
});

describe('retention', () => {
  it('purge() deletes finished jobs older than the age given and returns how many', async () => {
    const { id } = await one<{ id: string }>(`SELECT pgdispatch.fire('SELECT 1') AS id`);
    await waitForJob(db, id);
    const { n: finished } = await one<{ n: number }>(`SELECT count(*)::int AS n FROM pgdispatch.jobs WHERE finished_at IS NOT NULL`);
    const { snoozed } = await one<{ snoozed: string }>(`SELECT pgdispatch.snooze('SELECT 1', '1 hour') AS snoozed`);
    expect(Number((await one<{ n: string }>(`SELECT pgdispatch.purge('1 hour') AS n`)).n)).toBe(0);
    expect(Number((await one<{ n: string }>(`SELECT pgdispatch.purge('0') AS n`)).n)).toBe(finished);
    expect((await one<{ n: number }>(`SELECT count(*)::int AS n FROM pgdispatch.jobs`)).n).toBe(1);
    await db.query('SELECT pgdispatch.cancel($1)', [snoozed]);
  });

  it('the maintenance job purges by settings.retention', async () => {
    const { id } = await one<{ id: string }>(`SELECT pgdispatch.fire('SELECT 1') AS id`);
    await waitForJob(db, id);
    await db.query(`UPDATE pgdispatch.settings SET retention = '0'`);
    // The maintenance procedure pins search_path for its (pg_cron) session: give it its own.
    const maintenance = await connect();
    await maintenance.query('CALL pgdispatch._maintain()');
    await maintenance.end();
    await db.query(`UPDATE pgdispatch.settings SET retention = '7 days'`);
    expect((await db.query('SELECT 1 FROM pgdispatch.jobs WHERE id = $1', [id])).rows).toHaveLength(0);
  });
});

describe('bursts', () => {
  interface Burst { seconds: number; span: number; distinct: number; once: boolean; sessions: number }
  async function burst(n: number): Promise<Burst> {
    await db.query('TRUNCATE marks');
    await db.query('BEGIN');
    await db.query(`SELECT pgdispatch.fire(format('INSERT INTO marks VALUES (%L)', g)) FROM generate_series(1, $1) g`, [n]);
    const t0 = Date.now();
    await db.query('COMMIT');
    await waitFor(`a burst of ${n} to finish`, async () =>
      (await one<{ n: number }>(`SELECT count(*)::int AS n FROM pgdispatch._job WHERE status IN ('scheduled', 'running')`)).n === 0 || undefined,
    { timeoutMs: 120_000, intervalMs: 100 });
    const seconds = (Date.now() - t0) / 1000;
    const { distinct } = await one<{ distinct: number }>('SELECT count(DISTINCT job)::int AS distinct FROM marks');
    // The drain: from its first job's start to its last job's end (pg_cron's start latency, a
    // second or two, is not the draining's and would flatter the large burst's ratio).
    const { once, span, sessions } = await one<{ once: boolean; span: number; sessions: number }>(`
      SELECT bool_and(status = 'succeeded' AND attempts = 1) AND count(*) = $1 AS once,
             extract(epoch FROM max(finished_at) - min(started_at))::float8 AS span,
             -- How many sessions ran the burst: a few draining runners, not a pg_cron session per job.
             count(DISTINCT (runner_pid, runner_started))::int AS sessions
        FROM pgdispatch._job WHERE command LIKE 'INSERT INTO marks VALUES (''%'')'`, [n]);
    await db.query(`DELETE FROM pgdispatch._job`);
    return { seconds, span, distinct, once, sessions };
  }

  // What proves the draining is how many sessions ran the burst, not a rate: rates on a shared
  // machine (CI runs two legs on two cores) were measured from 230 to 1,900 jobs/s. The growth and
  // the rate are timings: when one fails, both bursts run again and each takes its best of two (a
  // leg's load slows one measure, not every one; quadratic draining fails every time).
  it('runs 10,000 jobs fired in one transaction, each exactly once, in a few sessions, growing at most 20x from 1,000 (linear is 10x)', async () => {
    await db.query(`DO $$BEGIN RAISE LOG 'pgdispatch-test burst-marker'; END$$`);
    const runs: Array<{ small: Burst; large: Burst }> = [];
    const best = { small: Infinity, large: Infinity };
    const fast = (): boolean => 10_000 / best.large >= 100 && best.large / best.small <= 20;
    for (let round = 1; round <= 2 && (round === 1 || !fast()); round++) {
      const small = await burst(1000);
      const large = await burst(10_000);
      runs.push({ small, large });
      console.log(`burst round ${round}: 1,000 drained in ${small.span.toFixed(2)} s (${small.seconds.toFixed(2)} s from commit), ` +
        `10,000 in ${large.span.toFixed(2)} s (${large.seconds.toFixed(2)} s from commit, ${(10_000 / large.span).toFixed(0)} jobs/s), ` +
        `ratio ${(large.span / small.span).toFixed(2)}; sessions that ran them: ${small.sessions} and ${large.sessions}`);
      best.small = Math.min(best.small, small.span);
      best.large = Math.min(best.large, large.span);
    }
    for (const { small, large } of runs) {
      expect(small).toMatchObject({ distinct: 1000, once: true });
      expect(large).toMatchObject({ distinct: 10_000, once: true });
      expect(large.sessions).toBeLessThanOrEqual(50);
    }
    expect(10_000 / best.large).toBeGreaterThanOrEqual(100);
    expect(best.large / best.small).toBeLessThanOrEqual(20);  // quadratic would be 100x
    if (local) {
      const root = execFileSync(join(repoRoot, 'scripts', 'local-pg.sh'), ['root'], { encoding: 'utf8' }).trim();
      const log = readFileSync(join(root, 'var/lib/pgdispatch', local, 'server.log'), 'utf8');
      const marker = log.lastIndexOf('pgdispatch-test burst-marker');
      expect(marker).toBeGreaterThan(0);
      const since = log.slice(marker);
      expect(since.split('\n').filter((l) => /\b(ERROR|FATAL|PANIC):/.test(l))).toEqual([]);
    }
  }, 300_000);
});

describe('the warm runner', () => {
  it('starts jobs within 100 ms of commit while on, and goes away when turned off', async () => {
    await db.query('UPDATE pgdispatch.settings SET warm_runner = true');
    // A runner stays warm for the principal whose job it ran: the first job starts one.
    await waitForJob(db, (await one<{ id: string }>(`SELECT pgdispatch.fire('SELECT 1') AS id`)).id);
    // (Runners of earlier tests may still linger, also as 'pgdispatch warm runner'.)
    await waitFor('the warm runner to start', async () =>
      (await one<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'pgdispatch warm runner'`)).n >= 1 || undefined);
    const latencies: number[] = [];
    for (let i = 0; i < 20; i++) {
      const { id, committed } = await one<{ id: string; committed: Date }>(
        `SELECT pgdispatch.fire('INSERT INTO marks VALUES (''warm'')') AS id, clock_timestamp() AS committed`);
      const job = await waitForJob(db, id);
      latencies.push(job.started_at!.getTime() - committed.getTime());
    }
    latencies.sort((a, b) => a - b);
    console.log(`warm runner start latency p50 ${latencies[10]} ms, max ${latencies[19]} ms`);
    expect(latencies[10]).toBeLessThan(100);
    // Off, and no lingering either: every runner leaves.
    await db.query(`UPDATE pgdispatch.settings SET warm_runner = false, linger = '0'`);
    await waitFor('the warm runner to stop', async () =>
      (await one<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'pgdispatch warm runner'`)).n === 0 || undefined);
  });
});

describe('idle and uninstall', () => {
  // One minute proves both that waiting costs nothing and that idle costs one session a minute.
  it('a job snoozed past a minute holds no session while it waits (pg_dispatch opens at most one a minute, its maintenance run), starts within 2 seconds of its time, and leaves no trail in cron.job_run_details', async () => {
    await waitFor('no job pending', async () =>
      (await one<{ n: number }>(`SELECT count(*)::int AS n FROM pgdispatch._job WHERE status IN ('scheduled', 'running')`)).n === 0 || undefined);
    await waitFor('no runner left', async () =>
      (await one<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename LIKE 'pgdispatch\\_runner\\_%'`)).n === 0 || undefined);
    const { id } = await one<{ id: string }>(`SELECT pgdispatch.snooze($$INSERT INTO marks VALUES ('long')$$, '65 seconds') AS id`);
    const { run_at } = await one<{ run_at: Date }>('SELECT run_at FROM pgdispatch.jobs WHERE id = $1', [id]);
    interface Sample { left: number; now: number; carriers: number; ours: string[] | null; sessions: number }
    const sample = (): Promise<Sample> => one<Sample>(`
      SELECT extract(epoch FROM $1::timestamptz - clock_timestamp())::float8 AS left,
             extract(epoch FROM clock_timestamp())::float8 AS now,
             (SELECT count(*)::int FROM cron.job WHERE jobname = 'pgdispatch_job_' || $2) AS carriers,
             -- pg_dispatch's sessions but the maintenance run: runners, carriers, jobs.
             (SELECT array_agg(usename || ' ' || application_name) FROM pg_stat_activity
               WHERE usename LIKE 'pgdispatch\\_runner\\_%'
                  OR (application_name LIKE 'pgdispatch%' AND application_name <> 'pgdispatch maintenance')) AS ours,
             (SELECT sessions::float8 FROM pg_stat_database WHERE datname = current_database()) AS sessions`, [run_at, id]);
    const first = await sample();
    expect(first.carriers).toBe(0);
    // Sampling while it waits, until 2 seconds before its time (its carrier opens a session at
    // most a second early, see _arm): the last sample before that ends the idle window.
    let last = first;
    const seen: string[] = [];
    for (let s = first; s.left >= 2; s = await sample()) {
      last = s;
      // The maintenance run arms its carrier (a pg_cron job, no session) within the minute before.
      if (s.left > 61) expect(s.carriers).toBe(0);
      seen.push(...(s.ours ?? []));
      await new Promise((r) => setTimeout(r, 250)); // sampling over the wait, not waiting for an outcome
    }
    expect(seen).toEqual([]);
    if (local) {
      // Sessions opened in the window (our own connection was open before), pg_cron's included:
      // one per pg_cron minute, the maintenance run. A run of a minute that began up to 10 s
      // before the window (pg_cron's start is late under load) may count in it.
      const minutes = Math.floor(last.now / 60) - Math.floor((first.now - 10) / 60);
      const opened = last.sessions - first.sessions;
      console.log(`idle ${(last.now - first.now).toFixed(1)} s: ${opened} session(s) opened, ${minutes} pg_cron minute(s)`);
      expect(last.now - first.now).toBeGreaterThan(60);
      expect(opened).toBeLessThanOrEqual(minutes);
    }
    const job = await waitForJob(db, id, undefined, 30_000);
    expect(job.status).toBe('succeeded');
    const late = job.started_at!.getTime() - run_at.getTime();
    expect(late).toBeGreaterThanOrEqual(0);
    expect(late).toBeLessThan(2000);
    if (local) {
      await waitFor('its runner to leave', async () =>
        (await one<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename LIKE 'pgdispatch\\_runner\\_%'`)).n === 0 || undefined);
      expect((await db.query(`SELECT 1 FROM cron.job_run_details WHERE command LIKE 'DO $pgdispatch$%' AND status NOT IN ('starting', 'running')`)).rows).toEqual([]);
    }
  }, 120_000);

  it('DROP EXTENSION leaves no service job; a carrier left over runs nothing, and the next install removes it', async () => {
    await db.query(`SELECT pgdispatch.snooze('SELECT 1', '30 seconds')`);
    await db.query('DROP EXTENSION pg_dispatch');
    // The maintenance job's next run removes them: made to come in a second rather than at the
    // next minute (its command is what is tested; pg_cron runs it as ever, as its user).
    await db.query(`SELECT cron.alter_job(jobid, schedule => '1 seconds') FROM cron.job WHERE jobname = 'pgdispatch_maintenance'`);
    await waitFor('pg_dispatch\'s service jobs to be gone', async () =>
      (await one<{ n: number }>(`SELECT count(*)::int AS n FROM cron.job WHERE jobname LIKE 'pgdispatch\\_%' AND jobname NOT LIKE 'pgdispatch\\_job\\_%'`)).n === 0 || undefined,
    { timeoutMs: 30_000, intervalMs: 200 });
    // The carrier belongs to the role's runner identity, which may not touch schema cron.
    expect((await one<{ n: number }>(`SELECT count(*)::int AS n FROM cron.job WHERE jobname LIKE 'pgdispatch\\_job\\_%'`)).n).toBe(1);
    await db.query('CREATE EXTENSION pg_dispatch');
    await db.query(`UPDATE pgdispatch.settings SET linger = '1 second'`); // as freshExtension does
    const { id } = await one<{ id: string }>(`SELECT pgdispatch.fire('SELECT 2') AS id`);
    await waitForJob(db, id);
    await waitFor('the left-over carrier to be gone', async () =>
      (await one<{ n: number }>(`SELECT count(*)::int AS n FROM cron.job WHERE jobname LIKE 'pgdispatch\\_job\\_%'`)).n === 0 || undefined,
    { timeoutMs: 15_000 });
  });
});
