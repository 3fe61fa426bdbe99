// Burst drain: N jobs committed in one transaction, run by pg_dispatch, and the same commands run
// by a least-work crash-safe drain on the same server in the same run (what the server allows a
// queue to do), by raw self-unscheduling pg_cron jobs (what a hand-rolled dispatcher does: one
// pg_cron job, so one new connection, per job), and the connection-per-transaction ceiling
// (pgbench -C). With both durability settings (fsync and synchronous_commit on, and off).
//
// Every job inserts its number and clock_timestamp() into one table. Two times per burst:
// - drain: first job started to last job finished (jobs/s over that is the drain rate), from the
//   queue's own started_at / finished_at columns, which pg_dispatch and the least-work drain both
//   keep the same way (claim committed first; finished_at in the job's transaction);
// - total: the firing transaction's commit to the last job's INSERT (server clock): what a user
//   waits, pg_cron's 1-2 s to the first start included. Growth t(10k)/t(1k) is on this one.
import type pg from 'pg';
import type { Context } from '../context.js';
import {
  DURABILITY_LABEL, DURABILITY_METHOD, type Durability, connect, freshExtension, removeCronJobs, setDurability, sleep, waitIdle,
} from '../db.js';
import { fmt, median, ratio } from '../stats.js';
import type { Bar, Row, ScenarioResult } from '../types.js';

type Variant = 'pgdispatch' | 'leastwork' | 'raw';

interface BurstRun {
  readonly n: number;
  readonly variant: Variant;
  readonly durability: Durability;
  /** Commit to the last job's insert, or to the cap when it did not finish. */
  readonly seconds: number;
  /** First job started to last job finished (NaN for raw pg_cron, which keeps no such times). */
  readonly drainSeconds: number;
  readonly done: number;
  readonly finished: boolean;
  /** How long the firing transaction itself took. */
  readonly fireSeconds: number;
}

const SESSIONS = 4; // the least-work drain's sessions: pg_dispatch's default max_runners
const INSERT = `INSERT INTO pgdispatch_bench.target (id) VALUES (%s)`;

const FIRE_SQL: Record<Variant, string> = {
  pgdispatch: `SELECT count(pgdispatch.fire(format('${INSERT}', g))) FROM generate_series(1, $1::int) AS g`,
  leastwork: `INSERT INTO pgdispatch_bench.lw_job (command) SELECT format('${INSERT}', g) FROM generate_series(1, $1::int) AS g`,
  raw: `SELECT count(cron.schedule('bench_raw_' || g, '1 seconds',
          format('SELECT cron.unschedule(%L); ${INSERT}', 'bench_raw_' || g, g)))
          FROM generate_series(1, $1::int) AS g`,
};

/**
 * The least-work drain: a plain jobs table and a procedure that each of 4 sessions CALLs. Per job:
 * claim the next due row (FOR UPDATE SKIP LOCKED) and commit the claim; then run the command, record
 * the status and NOTIFY in one transaction, the command in a subtransaction (BEGIN ... EXCEPTION)
 * so that a failing command still records 'failed'. Crash-safe like pg_dispatch: a claimed job is
 * visible as running before its command starts. No roles, slots, quotas, result capture, timeouts
 * or carriers: the least a crash-safe drain of these commands must do.
 */
const LEAST_WORK_SETUP = `
CREATE TABLE pgdispatch_bench.lw_job (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  command text NOT NULL,
  run_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  status text NOT NULL DEFAULT 'scheduled',
  started_at timestamptz,
  finished_at timestamptz,
  error text
);
CREATE INDEX lw_job_due ON pgdispatch_bench.lw_job (run_at, id) WHERE status = 'scheduled';
CREATE PROCEDURE pgdispatch_bench.lw_drain() LANGUAGE plpgsql AS $$
DECLARE
  job_id bigint;
  job_command text;
BEGIN
  LOOP
    UPDATE pgdispatch_bench.lw_job AS j SET status = 'running', started_at = clock_timestamp()
     WHERE j.id = (SELECT d.id FROM pgdispatch_bench.lw_job AS d
                    WHERE d.status = 'scheduled' AND d.run_at <= clock_timestamp()
                    ORDER BY d.run_at, d.id LIMIT 1 FOR UPDATE SKIP LOCKED)
    RETURNING j.id, j.command INTO job_id, job_command;
    EXIT WHEN NOT FOUND;
    COMMIT;
    BEGIN
      EXECUTE job_command;
      UPDATE pgdispatch_bench.lw_job SET status = 'succeeded', finished_at = clock_timestamp() WHERE id = job_id;
    EXCEPTION WHEN OTHERS THEN
      UPDATE pgdispatch_bench.lw_job SET status = 'failed', finished_at = clock_timestamp(), error = SQLERRM WHERE id = job_id;
    END;
    PERFORM pg_notify('pgdispatch_bench', job_id::text);
    COMMIT;
  END LOOP;
  COMMIT;
END
$$;`;

async function burst(client: pg.Client, url: string, variant: Variant, durability: Durability, n: number, capMs: number): Promise<BurstRun> {
  await client.query('TRUNCATE pgdispatch_bench.target');
  await client.query('TRUNCATE pgdispatch_bench.lw_job RESTART IDENTITY');
  const { rows: [before] } = await client.query<{ id: number }>('SELECT coalesce(max(id), 0) AS id FROM pgdispatch._job');
  // The least-work drain's sessions are connected before the burst, as pg_cron's would be warm.
  const drainers = variant === 'leastwork' ? await Promise.all(Array.from({ length: SESSIONS }, () => connect(url))) : [];
  try {
    const t0 = Date.now();
    await client.query('BEGIN');
    await client.query(FIRE_SQL[variant], [n]);
    const { rows: [c] } = await client.query<{ committing: Date }>('SELECT clock_timestamp() AS committing');
    await client.query('COMMIT');
    const fireSeconds = (Date.now() - t0) / 1000;
    const committing = c?.committing;
    const deadline = Date.now() + capMs;
    if (variant === 'leastwork') await Promise.all(drainers.map((d) => d.query('CALL pgdispatch_bench.lw_drain()')));
    let done = 0;
    for (;;) {
      const { rows: [r] } = await client.query<{ n: number }>('SELECT count(*) AS n FROM pgdispatch_bench.target');
      done = r?.n ?? 0;
      if (done >= n || Date.now() > deadline) break;
      await sleep(100); // a sampling interval; the times themselves come from the rows
    }
    const finished = done >= n;
    const { rows: [t] } = await client.query<{ s: number }>(
      'SELECT extract(epoch FROM max(at) - $1::timestamptz) AS s FROM pgdispatch_bench.target', [committing]);
    let drainSeconds = Number.NaN;
    if (variant !== 'raw' && finished) {
      const queue = variant === 'pgdispatch'
        ? ['pgdispatch._job', `id > ${before?.id ?? 0}`]
        : ['pgdispatch_bench.lw_job', 'true'];
      // pg_dispatch records finished_at in the job's transaction, which commits after the job's
      // INSERT: wait until every job of the burst has its outcome.
      for (;;) {
        const { rows: [q] } = await client.query<{ open: number; s: number }>(
          `SELECT count(*) FILTER (WHERE finished_at IS NULL) AS open,
                  extract(epoch FROM max(finished_at) - min(started_at)) AS s
             FROM ${queue[0]} WHERE ${queue[1]}`);
        if (q?.open === 0 || Date.now() > deadline) {
          drainSeconds = q?.open === 0 ? q.s : Number.NaN;
          break;
        }
        await sleep(50);
      }
    }
    return { n, variant, durability, seconds: finished ? (t?.s ?? Number.NaN) : capMs / 1000, drainSeconds, done, finished, fireSeconds };
  } finally {
    await Promise.all(drainers.map((d) => d.end()));
  }
}

/**
 * Removes what a raw burst left (a capped one leaves thousands of pg_cron jobs) and waits until
 * the server is idle. After a pg_dispatch burst it only waits: terminating its runners while they
 * remove the carriers of finished jobs would leave those to fire 59 s later.
 */
async function cleanUp(client: pg.Client, variant: Variant): Promise<void> {
  if (variant === 'raw') await removeCronJobs(client, 'bench\\_raw\\_%');
  await waitIdle(client, 180_000);
}

const ORDER: readonly Variant[] = ['pgdispatch', 'leastwork', 'raw'];

interface FunctionCost {
  readonly fn: string;
  readonly callsPerJob: number;
  /** Per job, in µs. */
  readonly totalUs: number;
  readonly selfUs: number;
}

/**
 * One more pg_dispatch burst with track_functions = 'all' (ALTER SYSTEM + reload, so pg_cron's
 * sessions track too): where the runners' time goes, per job. Runners flush their counters when
 * they leave, which waitIdle makes them do.
 */
async function profileDrain(ctx: Context, client: pg.Client, d: Durability, n: number): Promise<{ run: BurstRun; fns: FunctionCost[] }> {
  await client.query(`ALTER SYSTEM SET track_functions = 'all'`);
  await client.query('SELECT pg_reload_conf()');
  try {
    await client.query('SELECT pg_stat_reset()');
    const run = await burst(client, ctx.url, 'pgdispatch', d, n, 120_000);
    await cleanUp(client, 'pgdispatch');
    await client.query('SELECT pg_stat_clear_snapshot()');
    const { rows } = await client.query<{ fn: string; calls: number; total: number; self: number }>(
      `SELECT schemaname || '.' || funcname AS fn, sum(calls) AS calls, sum(total_time) AS total, sum(self_time) AS self
         FROM pg_stat_user_functions
        WHERE schemaname IN ('pgdispatch', 'pgdispatch_exec', 'cron')
        GROUP BY 1 ORDER BY sum(self_time) DESC`);
    const fns = rows.map((r) => ({
      fn: r.fn.replace(/^pgdispatch_exec\.(\w+?)_\d+$/, 'pgdispatch_exec.$1_<role>'),
      callsPerJob: r.calls / n, totalUs: (r.total * 1000) / n, selfUs: (r.self * 1000) / n,
    }));
    return { run, fns };
  } finally {
    await client.query('ALTER SYSTEM RESET track_functions');
    await client.query('SELECT pg_reload_conf()');
  }
}
const NAME: Record<Variant, string> = { pgdispatch: 'pg_dispatch', leastwork: 'least-work drain', raw: 'raw pg_cron jobs' };

export async function burstThroughput(ctx: Context): Promise<ScenarioResult> {
  const began = Date.now();
  const sizes = [1000, 10000];
  const small = sizes[0] as number;
  const big = sizes[sizes.length - 1] as number;
  const capMs = ctx.options.quick ? 60_000 : 120_000;
  const ceilingSeconds = ctx.options.quick ? 3 : 8;
  const durable = ctx.durabilities[0] as Durability;
  // Raw pg_cron: once per durability setting is enough to show the gap (it is 3x to 30x), so it
  // runs with the first (durable) setting only; at N = 10,000 (which runs into the cap) only in
  // the first repetition of a full run.
  const rawRuns = (n: number, rep: number, d: Durability): boolean =>
    d === durable && (n === small || (!ctx.options.quick && rep === 0));
  const runs: BurstRun[] = [];
  const ceiling: { durability: Durability; tps: number }[] = [];
  let profile: { run: BurstRun; fns: FunctionCost[] } | undefined;
  const client = await connect(ctx.url);
  try {
    await freshExtension(client);
    await client.query('CREATE TABLE pgdispatch_bench.target (id bigint PRIMARY KEY, at timestamptz NOT NULL DEFAULT clock_timestamp())');
    await client.query('CREATE TABLE pgdispatch_bench.ceiling (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, payload text)');
    await client.query(LEAST_WORK_SETUP);
    for (let rep = 0; rep < ctx.options.reps; rep++) {
      for (const d of ctx.durabilities) {
        await setDurability(client, ctx.url, d);
        for (const n of sizes) {
          for (const variant of ORDER) {
            if (variant === 'raw' && !rawRuns(n, rep, d)) continue;
            const r = await burst(client, ctx.url, variant, d, n, capMs);
            runs.push(r);
            ctx.log(`burst rep ${rep + 1} ${d}: ${variant} N=${n}: ${r.finished ? '' : `did not finish (${r.done} done) within `}${fmt(r.seconds)} s, drain ${fmt(r.drainSeconds)} s`);
            await cleanUp(client, variant);
          }
        }
        const c = ctx.pgbench.run('ceiling', `INSERT INTO pgdispatch_bench.ceiling (payload) VALUES ('x');\n`,
          ['-C', '-c', '4', '-j', '2', '-T', String(ceilingSeconds)]);
        ceiling.push({ durability: d, tps: c.tps });
        ctx.log(`burst rep ${rep + 1} ${d}: pgbench -C ceiling ${fmt(c.tps)} tps`);
      }
    }
    // Where the runners' time goes, with the last durability setting (the CPU-bound one when
    // both run): the lead's profile, not a timed figure.
    const pd = ctx.durabilities[ctx.durabilities.length - 1] as Durability;
    profile = await profileDrain(ctx, client, pd, ctx.options.quick ? small : big);
    ctx.log(`burst profile: ${profile.fns.slice(0, 5).map((f) => `${f.fn} self ${fmt(f.selfUs)} µs/job`).join(', ')}`);
  } finally {
    await client.end();
  }
  const pick = (v: Variant, n: number, d: Durability): BurstRun[] => runs.filter((r) => r.variant === v && r.n === n && r.durability === d);
  const secs = (v: Variant, n: number, d: Durability): number => median(pick(v, n, d).map((r) => r.seconds));
  const capped = (v: Variant, n: number, d: Durability): boolean => pick(v, n, d).some((r) => !r.finished);
  // Drain rate: jobs/s from the first start to the last finish; raw pg_cron: commit to last done.
  const drainRate = (v: Variant, n: number, d: Durability): number =>
    median(pick(v, n, d).map((r) => (v === 'raw' ? r.done / r.seconds : r.n / r.drainSeconds)));
  const totalRate = (v: Variant, n: number, d: Durability): number => median(pick(v, n, d).map((r) => r.done / r.seconds));
  const ceilingTps = (d: Durability): number => median(ceiling.filter((c) => c.durability === d).map((c) => c.tps));
  const growth = (v: Variant, d: Durability): number => ratio(secs(v, big, d), secs(v, small, d));
  const vsLeast = (n: number, d: Durability): number => ratio(drainRate('pgdispatch', n, d), drainRate('leastwork', n, d));
  const rows: Row[] = [];
  const bars: Bar[] = [];
  for (const d of ctx.durabilities) {
    const tag = `[${DURABILITY_LABEL[d]}]`;
    for (const n of sizes) {
      rows.push(
        { metric: `${tag} N=${n} pg_dispatch drain rate`, value: drainRate('pgdispatch', n, d), unit: 'jobs/s' },
        { metric: `${tag} N=${n} least-work drain rate`, value: drainRate('leastwork', n, d), unit: 'jobs/s' },
        { metric: `${tag} N=${n} pg_dispatch / least-work drain`, value: vsLeast(n, d), unit: 'x' },
        { metric: `${tag} N=${n} pg_dispatch commit to last done`, value: secs('pgdispatch', n, d), unit: 's', lowerBound: capped('pgdispatch', n, d) },
        { metric: `${tag} N=${n} least-work commit to last done`, value: secs('leastwork', n, d), unit: 's' },
      );
      if (pick('raw', n, d).length > 0) {
        rows.push(
          { metric: `${tag} N=${n} raw pg_cron commit to last done`, value: secs('raw', n, d), unit: 's', lowerBound: capped('raw', n, d) },
          { metric: `${tag} N=${n} pg_dispatch / raw pg_cron (commit to last done)`, value: ratio(totalRate('pgdispatch', n, d), totalRate('raw', n, d)), unit: 'x', lowerBound: capped('raw', n, d) },
        );
      }
      const group = `N = ${n.toLocaleString('en-US')}, ${DURABILITY_LABEL[d]}`;
      bars.push(
        { group, label: 'pg_dispatch', value: drainRate('pgdispatch', n, d), series: 0,
          note: `×${fmt(vsLeast(n, d))} least-work; ${fmt(secs('pgdispatch', n, d))} s commit to last done` },
        { group, label: `least-work drain (${SESSIONS} sessions)`, value: drainRate('leastwork', n, d), series: 1,
          note: `${fmt(secs('leastwork', n, d))} s commit to last done` },
      );
      if (pick('raw', n, d).length > 0) {
        const dnf = capped('raw', n, d);
        bars.push({ group, label: 'raw pg_cron jobs', value: drainRate('raw', n, d), series: 2, lowerBound: dnf,
          note: dnf
            ? `did not finish in ${capMs / 1000} s (${median(pick('raw', n, d).map((r) => r.done))} of ${n} done)${n >= 5000 ? ': pg_cron misses its reload of 5,000+ new cron.job rows' : ''}`
            : `${fmt(secs('raw', n, d))} s commit to last done` });
      }
      if (n === big) bars.push({ group, label: 'pgbench -C (a connection per txn)', value: ceilingTps(d), series: 3 });
    }
    rows.push(
      { metric: `${tag} pgbench -C ceiling`, value: ceilingTps(d), unit: 'tps' },
      { metric: `${tag} pg_dispatch growth t(${big})/t(${small})`, value: growth('pgdispatch', d), unit: 'x' },
      { metric: `${tag} least-work growth t(${big})/t(${small})`, value: growth('leastwork', d), unit: 'x' },
    );
  }
  const caption = ctx.durabilities.map((d) =>
    `${DURABILITY_LABEL[d]}: drain ×${fmt(vsLeast(big, d))} least-work at ${big.toLocaleString('en-US')} (goal ≥ 0.6), growth t(${big / 1000}k)/t(${small / 1000}k) ×${fmt(growth('pgdispatch', d))} (goal ≤ 3)`).join('; ');
  return {
    id: 'burst',
    title: 'Burst drain',
    method: [
      `N = ${sizes.join(' / ')} jobs fired in one transaction, each inserting one row. ${ctx.options.reps} repetition(s); in each, for each durability setting, the variants run one after another on the same server (pg_dispatch, least-work drain, raw pg_cron); medians.`,
      `Drain rate: N / (last job's finished_at - first job's started_at), from pgdispatch._job for pg_dispatch and from the least-work table for it. Commit to last done: the firing transaction's clock_timestamp() right before COMMIT to the last job's INSERT (server clock); growth t(${big})/t(${small}) is on this time.`,
      `Least-work drain: a plain jobs table (primary key + partial index on (run_at, id) WHERE status = 'scheduled'), filled in one transaction, drained by ${SESSIONS} client connections (connected before the burst) each running CALL pgdispatch_bench.lw_drain(): a PL/pgSQL loop that claims the next due row (UPDATE ... WHERE id = (SELECT ... FOR UPDATE SKIP LOCKED)) and COMMITs, then runs EXECUTE command, the status UPDATE and pg_notify in one transaction with the command in a BEGIN ... EXCEPTION block, and COMMITs. Not started through pg_cron: its rate excludes pg_cron's 1-2 s to the first start, as the drain rate of pg_dispatch does.`,
      `Raw pg_cron: N jobs cron.schedule('bench_raw_<i>', '1 seconds', 'SELECT cron.unschedule(''bench_raw_<i>''); INSERT ...') in one transaction, with the first durability setting only, N = ${small} in every repetition${ctx.options.quick ? '' : `, N = ${big} in the first`}; its rate is N / (commit to last done). Capped at ${capMs / 1000} s (a capped run counts as ${capMs / 1000} s: an upper bound on its rate). With 5,000 or more cron.job rows written in one transaction, pg_cron 1.6 misses its reload and runs few of them: that, not per-job cost, is what a capped run at that size shows.`,
      `Ceiling: pgbench -C -c 4 -j 2 -T ${ceilingSeconds} running a one-row INSERT, a new connection per transaction (what pg_cron does per job).`,
      DURABILITY_METHOD,
      ...(profile ? [`Profile of the runners (not timed): one more pg_dispatch burst of ${profile.run.n} (${DURABILITY_LABEL[profile.run.durability]}, drain ${fmt(profile.run.n / profile.run.drainSeconds)} jobs/s with tracking on) with track_functions = 'all'; per job, by self time (total includes callees): ` +
        profile.fns.filter((f) => f.totalUs >= 0.5).map((f) => `${f.fn} ×${fmt(f.callsPerJob)} self ${fmt(f.selfUs)} µs total ${fmt(f.totalUs)} µs`).join('; ')] : []),
    ],
    rows,
    panels: [{
      title: 'Burst drain (jobs per second, first job started to last job finished)',
      unit: 'jobs/s',
      scale: 'linear',
      bars,
      caption,
    }],
    raw: { capSeconds: capMs / 1000, runs, ceilingTps: ceiling, profile },
    seconds: (Date.now() - began) / 1000,
  };
}
