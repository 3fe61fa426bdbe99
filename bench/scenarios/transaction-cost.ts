// Cost inside the caller's transaction: what fire() and a far-future fire_at() add to the
// transaction that calls them, against what the least comparable thing costs: a bare
// cron.schedule() (what any dispatcher built on pg_cron must do per job) and a one-row INSERT into
// a table with the same columns, defaults, constraints and indexes as pgdispatch._job (what any
// queue table must do). pgbench (one client, no think time) gives the average latency of each
// kind of transaction; all run interleaved in every repetition, with both durability settings.
//
// Then a profile of where fire()'s time goes: the same pgbench runs with track_functions = 'all',
// reading pg_stat_user_functions (calls, total and self time of every PL/pgSQL, SQL and C function
// pg_dispatch and pg_cron run, triggers included), plus pieces timed by difference (rolled back
// against committed: the deferred carrier trigger at COMMIT; fire_at far future against fire: the
// carrier).
import type pg from 'pg';
import type { Context } from '../context.js';
import {
  DURABILITY_LABEL, DURABILITY_METHOD, type Durability, connect, freshExtension, removeCronJobs, setDurability, waitIdle,
} from '../db.js';
import { fmt, median, ratio } from '../stats.js';
import type { Bar, Row, ScenarioResult } from '../types.js';

/** Calls per transaction of the bulk variants. */
const BULK = 100;

const VARIANTS = {
  empty: `BEGIN;\nSELECT 1;\nCOMMIT;\n`,
  insert: `BEGIN;\nINSERT INTO pgdispatch_bench.tx (payload) VALUES ('x');\nCOMMIT;\n`,
  insert_like_job: `BEGIN;\nINSERT INTO pgdispatch_bench.job_like (command, run_at, role_oid) VALUES ('SELECT 1', now() + interval '1 day', 10);\nCOMMIT;\n`,
  // Self-unscheduling, as a hand-rolled dispatcher's job would be, so that nothing repeats; the
  // name comes from a sequence because every pg_cron job of a dispatcher needs its own.
  schedule: `BEGIN;\nSELECT cron.schedule(s.n, '1 seconds', format('SELECT cron.unschedule(%L)', s.n))\n  FROM (SELECT 'bench_tx_' || nextval('pgdispatch_bench.tx_seq') AS n) AS s;\nCOMMIT;\n`,
  fire_at_far: `BEGIN;\nSELECT pgdispatch.fire_at('SELECT 1', now() + interval '1 day');\nCOMMIT;\n`,
  fire: `BEGIN;\nSELECT pgdispatch.fire('SELECT 1');\nCOMMIT;\n`,
  // The same under steady traffic: a runner of the firing role lingers idle when the run starts
  // (see steadyRunner), so each job is promised to it at COMMIT and gets no carrier.
  fire_steady: `BEGIN;\nSELECT pgdispatch.fire('SELECT 1');\nCOMMIT;\n`,
  // Rolled back, so that no job runs in the background while the next transactions are timed (on
  // 2 cores the runners' work lands in the committed variants' latency); SET CONSTRAINTS ALL
  // IMMEDIATE runs fire()'s deferred carrier trigger before the ROLLBACK, so all of its work is in.
  schedule_rolled_back: `BEGIN;\nSELECT cron.schedule(s.n, '1 seconds', format('SELECT cron.unschedule(%L)', s.n))\n  FROM (SELECT 'bench_tx_' || nextval('pgdispatch_bench.tx_seq') AS n) AS s;\nROLLBACK;\n`,
  fire_rolled_back: `BEGIN;\nSELECT pgdispatch.fire('SELECT 1');\nSET CONSTRAINTS ALL IMMEDIATE;\nROLLBACK;\n`,
  // A hundred in one statement, as a row trigger over a bulk UPDATE fires them: per call, the
  // cost users feel there. Rolled back, for the same reason (and 100 pg_cron jobs a transaction
  // committed would swamp pg_cron).
  schedule_bulk_rolled_back: `BEGIN;\nSELECT count(cron.schedule('bench_tx_' || nextval('pgdispatch_bench.tx_seq'), '1 seconds', 'SELECT 1'))\n  FROM generate_series(1, ${BULK});\nROLLBACK;\n`,
  fire_bulk_rolled_back: `BEGIN;\nSELECT count(pgdispatch.fire('SELECT 1')) FROM generate_series(1, ${BULK});\nSET CONSTRAINTS ALL IMMEDIATE;\nROLLBACK;\n`,
} as const;
type Variant = keyof typeof VARIANTS;
const ORDER: readonly Variant[] = ['empty', 'insert', 'insert_like_job', 'schedule', 'fire_at_far', 'fire', 'fire_steady', 'schedule_rolled_back', 'fire_rolled_back',
  'schedule_bulk_rolled_back', 'fire_bulk_rolled_back'];
const LABEL: Record<Variant, string> = {
  empty: 'empty transaction (SELECT 1)',
  insert: 'INSERT, one-index table',
  insert_like_job: 'INSERT, table like _job',
  schedule: 'cron.schedule()',
  fire_at_far: 'fire_at(+1 day)',
  fire: 'fire()',
  fire_steady: 'fire(), a runner lingering',
  schedule_rolled_back: 'cron.schedule(), rolled back',
  fire_rolled_back: 'fire() + carrier, rolled back',
  schedule_bulk_rolled_back: `${BULK} × cron.schedule(), rolled back`,
  fire_bulk_rolled_back: `${BULK} × fire() + carriers, rolled back`,
};
const SERIES: Record<Variant, number> = {
  empty: 3, insert: 3, insert_like_job: 1, schedule: 2, fire_at_far: 0, fire: 0, fire_steady: 0, schedule_rolled_back: 2, fire_rolled_back: 0,
  schedule_bulk_rolled_back: 2, fire_bulk_rolled_back: 0,
};
/** Profiled with track_functions = 'all'. */
const PROFILED: readonly Variant[] = ['fire_rolled_back', 'fire_at_far', 'schedule_rolled_back'];

/**
 * Brings the server back to idle before the next variant is timed. pg_dispatch's jobs are let run
 * (they finish in seconds); the far-future jobs are deleted (as the superuser the bench is: they
 * have no carrier yet); the cron.schedule variant's jobs are removed: of a thousand 1-second
 * pg_cron jobs scheduled in a thousand transactions, pg_cron 1.6 runs about 230 and fails the
 * rest over and over ("job startup timeout"). Only their scheduling is measured here.
 */
async function settle(client: pg.Client, variant: Variant): Promise<void> {
  if (variant.startsWith('schedule')) await removeCronJobs(client, 'bench\\_tx\\_%');
  if (variant === 'fire_at_far') {
    await client.query(`DELETE FROM pgdispatch._job WHERE status = 'scheduled' AND carrier IS NULL AND run_at > now() + interval '1 hour'`);
  }
  if (variant === 'insert_like_job') await client.query('TRUNCATE pgdispatch_bench.job_like');
  await waitIdle(client);
}

/** Leaves a runner of the bench's role idle and lingering (settings.linger), as steady traffic does. */
async function steadyRunner(client: pg.Client): Promise<void> {
  const id = (await client.query<{ id: string }>(`SELECT pgdispatch.fire('SELECT 1') AS id`)).rows[0]!.id;
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { rows: [r] } = await client.query<{ done: boolean; idle: number }>(`
      SELECT (SELECT status = 'succeeded' FROM pgdispatch._job WHERE id = $1) AS done,
             (SELECT count(*)::int FROM pgdispatch._runner_session AS s
               WHERE s.idle_since IS NOT NULL
                 AND EXISTS (SELECT 1 FROM pg_stat_activity AS a WHERE a.pid = s.pid AND a.backend_start = s.backend_start)) AS idle`, [id]);
    if (r!.done && r!.idle > 0) return;
    if (Date.now() > deadline) throw new Error('no runner lingered within 30 s of a job');
    await new Promise((res) => setTimeout(res, 50));
  }
}

interface FunctionCost {
  readonly fn: string;
  readonly calls: number;
  /** Per profiled transaction, in ms. */
  readonly totalMs: number;
  readonly selfMs: number;
}

/** Runs `variant` with track_functions = 'all' and returns per-transaction function times. */
async function profile(ctx: Context, client: pg.Client, variant: Variant, transactions: number): Promise<FunctionCost[]> {
  await client.query(`ALTER SYSTEM SET track_functions = 'all'`);
  await client.query('SELECT pg_reload_conf()');
  try {
    await client.query('SELECT pg_stat_reset()');
    ctx.pgbench.run(`tx-${variant}`, VARIANTS[variant], ['-c', '1', '-t', String(transactions)]);
    // pgbench's session flushed its counters when it ended; read them fresh.
    await client.query('SELECT pg_stat_clear_snapshot()');
    const { rows } = await client.query<{ fn: string; calls: number; total: number; self: number }>(
      `SELECT schemaname || '.' || funcname AS fn, sum(calls) AS calls, sum(total_time) AS total, sum(self_time) AS self
         FROM pg_stat_user_functions
        WHERE schemaname IN ('pgdispatch', 'pgdispatch_exec', 'cron')
        GROUP BY 1 ORDER BY sum(total_time) DESC`);
    return rows.map((r) => ({
      fn: r.fn.replace(/^pgdispatch_exec\.arm_\d+$/, 'pgdispatch_exec.arm_<role> (wrapper)'),
      calls: r.calls / transactions, totalMs: r.total / transactions, selfMs: r.self / transactions,
    }));
  } finally {
    await client.query('ALTER SYSTEM RESET track_functions');
    await client.query('SELECT pg_reload_conf()');
    await settle(client, variant);
  }
}

export async function transactionCost(ctx: Context): Promise<ScenarioResult> {
  const began = Date.now();
  const transactions = ctx.options.quick ? 200 : 500;
  const client = await connect(ctx.url);
  const latency: { durability: Durability; variant: Variant; ms: number }[] = [];
  const profiles: Partial<Record<Variant, FunctionCost[]>> = {};
  try {
    await freshExtension(client);
    await client.query('CREATE TABLE pgdispatch_bench.tx (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, payload text)');
    await client.query('CREATE TABLE pgdispatch_bench.job_like (LIKE pgdispatch._job INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING CONSTRAINTS INCLUDING INDEXES)');
    await client.query('CREATE SEQUENCE pgdispatch_bench.tx_seq');
    // The service jobs (maintenance, @reboot) come with the first job: make them now, so that no
    // measured fire() pays for them.
    await client.query(`SELECT pgdispatch.fire('SELECT 1')`);
    await waitIdle(client);
    // A short warm-up of each kind, so that the first measured run does not pay for cold caches.
    // (Not the committed fire and cron.schedule: their rolled-back twins warm the same code, and
    // their jobs take long to settle.)
    for (const v of ORDER.filter((x) => x !== 'fire' && x !== 'fire_steady' && x !== 'schedule')) {
      ctx.pgbench.run(`tx-${v}`, VARIANTS[v], ['-c', '1', '-t', '50']);
      await settle(client, v);
    }
    for (let rep = 0; rep < ctx.options.reps; rep++) {
      for (const d of ctx.durabilities) {
        await setDurability(client, ctx.url, d);
        for (const v of ORDER) {
          if (v === 'fire_steady') await steadyRunner(client);
          const r = ctx.pgbench.run(`tx-${v}`, VARIANTS[v], ['-c', '1', '-t', String(transactions)]);
          latency.push({ durability: d, variant: v, ms: r.latencyMs });
          ctx.log(`transaction cost rep ${rep + 1} ${d}: ${v} ${fmt(r.latencyMs)} ms/txn`);
          await settle(client, v);
        }
      }
    }
    // The profile, with the last durability setting (fast when both run: fewer disk stalls).
    for (const v of PROFILED) {
      profiles[v] = await profile(ctx, client, v, transactions);
      ctx.log(`transaction cost profile ${v}: ${(profiles[v] ?? []).slice(0, 4).map((f) => `${f.fn} ${fmt(f.totalMs)} ms`).join(', ')}`);
    }
  } finally {
    await client.end();
  }
  const m = (d: Durability, v: Variant): number => median(latency.filter((l) => l.durability === d && l.variant === v).map((l) => l.ms));
  // Added over an empty transaction: what the statement and its commit-time work cost.
  const added = (d: Durability, v: Variant): number => m(d, v) - m(d, 'empty');
  const rows: Row[] = [];
  const bars: Bar[] = [];
  for (const d of ctx.durabilities) {
    const tag = `[${DURABILITY_LABEL[d]}]`;
    for (const v of ORDER) rows.push({ metric: `${tag} ${LABEL[v]} transaction`, value: m(d, v), unit: 'ms' });
    rows.push(
      { metric: `${tag} fire() / cron.schedule(), whole transaction`, value: ratio(m(d, 'fire'), m(d, 'schedule')), unit: 'x' },
      { metric: `${tag} fire() / cron.schedule(), added over empty`, value: ratio(added(d, 'fire'), added(d, 'schedule')), unit: 'x' },
      { metric: `${tag} fire() with a runner lingering / cron.schedule(), whole transaction`, value: ratio(m(d, 'fire_steady'), m(d, 'schedule')), unit: 'x' },
      { metric: `${tag} fire() with a runner lingering / cron.schedule(), added over empty`, value: ratio(added(d, 'fire_steady'), added(d, 'schedule')), unit: 'x' },
      { metric: `${tag} fire_at(+1 day) / INSERT like _job, whole transaction`, value: ratio(m(d, 'fire_at_far'), m(d, 'insert_like_job')), unit: 'x' },
      { metric: `${tag} fire_at(+1 day) / INSERT like _job, added over empty`, value: ratio(added(d, 'fire_at_far'), added(d, 'insert_like_job')), unit: 'x' },
      { metric: `${tag} carrier at COMMIT: fire() - fire_at(+1 day)`, value: m(d, 'fire') - m(d, 'fire_at_far'), unit: 'ms' },
      { metric: `${tag} fire() / cron.schedule(), both rolled back (no background jobs), added over empty`, value: ratio(added(d, 'fire_rolled_back'), added(d, 'schedule_rolled_back')), unit: 'x' },
      { metric: `${tag} ${BULK} in one statement: fire() / cron.schedule() per call, both rolled back, added over empty`, value: ratio(added(d, 'fire_bulk_rolled_back'), added(d, 'schedule_bulk_rolled_back')), unit: 'x' },
      { metric: `${tag} ${BULK} in one statement: fire() per call, added over empty`, value: added(d, 'fire_bulk_rolled_back') / BULK, unit: 'ms' },
    );
    for (const v of ORDER) {
      const note = v === 'fire' || v === 'fire_steady' ? `×${fmt(ratio(m(d, v), m(d, 'schedule')))} cron.schedule (added over empty ×${fmt(ratio(added(d, v), added(d, 'schedule')))})`
        : v === 'fire_rolled_back' ? `×${fmt(ratio(m(d, v), m(d, 'schedule_rolled_back')))} cron.schedule rolled back (added over empty ×${fmt(ratio(added(d, v), added(d, 'schedule_rolled_back')))})`
        : v === 'fire_bulk_rolled_back' ? `×${fmt(ratio(m(d, v), m(d, 'schedule_bulk_rolled_back')))} ${BULK} cron.schedule (added over empty ×${fmt(ratio(added(d, v), added(d, 'schedule_bulk_rolled_back')))})`
        : v === 'fire_at_far' ? `×${fmt(ratio(m(d, 'fire_at_far'), m(d, 'insert_like_job')))} INSERT like _job (added over empty ×${fmt(ratio(added(d, 'fire_at_far'), added(d, 'insert_like_job')))})`
          : undefined;
      bars.push({ group: DURABILITY_LABEL[d], label: LABEL[v], value: m(d, v), series: SERIES[v], ...(note ? { note } : {}) });
    }
  }
  const profileRows: Row[] = [];
  const profileLines: string[] = [];
  for (const v of PROFILED) {
    const fns = profiles[v] ?? [];
    profileLines.push(`Profile of ${LABEL[v]} (per transaction, track_functions = 'all', ${DURABILITY_LABEL[ctx.durabilities[ctx.durabilities.length - 1] as Durability]}; total includes callees, self does not): ` +
      fns.filter((f) => f.totalMs >= 0.001).map((f) => `${f.fn} ×${fmt(f.calls)} total ${fmt(f.totalMs)} ms self ${fmt(f.selfMs)} ms`).join('; '));
    for (const f of fns.slice(0, 8)) profileRows.push({ metric: `profile ${v}: ${f.fn} total (self ${fmt(f.selfMs)} ms, ${fmt(f.calls)} calls)`, value: f.totalMs, unit: 'ms' });
  }
  const last = ctx.durabilities[0] as Durability;
  return {
    id: 'transaction-cost',
    title: "Cost inside the caller's transaction",
    method: [
      `pgbench, 1 client, ${transactions} transactions per variant per repetition, the variants interleaved (${ORDER.join(', ')}) for each durability setting in each of ${ctx.options.reps} repetition(s); median of the per-run average latency. Before the timed runs, one fire() makes pg_dispatch's service jobs and every variant but the committed fire() and cron.schedule() (their rolled-back twins run the same code) runs 50 transactions to warm caches.`,
      `Each transaction is BEGIN; <one statement>; COMMIT (ROLLBACK for "fire(), rolled back"). empty: SELECT 1. INSERT, one-index table: one row into (id identity primary key, payload text). INSERT, table like _job: one row (command, run_at = now() + 1 day, role_oid) into CREATE TABLE ... (LIKE pgdispatch._job INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING CONSTRAINTS INCLUDING INDEXES): the same columns, defaults, checks and indexes, no triggers. cron.schedule: a uniquely named self-unscheduling 1-second job. fire_at(+1 day): far future, so no carrier is scheduled (the maintenance arms it a minute ahead). fire: pgdispatch.fire('SELECT 1'), whose carrier is scheduled by the deferred trigger at COMMIT, with no runner when the run starts (the first carrier's runner starts a second or two in and then takes the jobs as they commit). fire(), a runner lingering: the same, started once a job has run and its runner lingers idle (steady traffic): each job is promised to that runner at COMMIT and gets no carrier. Rolled back: cron.schedule(...); ROLLBACK and fire(...); SET CONSTRAINTS ALL IMMEDIATE (runs the deferred carrier trigger then); ROLLBACK: the same work with no WAL flush and no job left to run in the background, whose runners and pg_cron sessions otherwise share the machine's cores with the timed client. ${BULK} in one statement, rolled back: SELECT count(cron.schedule(<unique name>, '1 seconds', 'SELECT 1')) FROM generate_series(1, ${BULK}); ROLLBACK and SELECT count(pgdispatch.fire('SELECT 1')) FROM generate_series(1, ${BULK}); SET CONSTRAINTS ALL IMMEDIATE; ROLLBACK: what a row trigger over a ${BULK}-row UPDATE costs (pg_dispatch's jobs of one second in one transaction share up to max_runners carriers); compared per call.`,
      'Ratios are given on the whole transaction and on what each adds over the empty transaction (latency minus the empty transaction\'s: the round trips and BEGIN/COMMIT are common to all). The issue\'s figures (fire() ~3x cron.schedule) were of the added cost.',
      'Jobs fired by one run execute in the background during that run, as they would in production. Before the next variant starts, the bench waits until pg_dispatch\'s jobs are done and its runners have left, deletes the far-future jobs, and removes the cron.schedule variant\'s pg_cron jobs that have not run yet (pg_cron 1.6 fails most of 1,000 such jobs scheduled in quick succession with "job startup timeout").',
      DURABILITY_METHOD,
      ...profileLines,
    ],
    rows: [...rows, ...profileRows],
    panels: [{
      title: "Cost inside the caller's transaction (latency per transaction)",
      unit: 'ms',
      scale: 'linear',
      bars,
      legend: [
        { series: 0, label: 'pg_dispatch' },
        { series: 2, label: 'cron.schedule() (to compare fire() with)' },
        { series: 1, label: 'INSERT like _job (to compare fire_at() with)' },
        { series: 3, label: 'references' },
      ],
      caption: `${DURABILITY_LABEL[last]}, added over an empty transaction: fire() ×${fmt(ratio(added(last, 'fire'), added(last, 'schedule')))} cron.schedule(), ×${fmt(ratio(added(last, 'fire_steady'), added(last, 'schedule')))} with a runner lingering (both rolled back ×${fmt(ratio(added(last, 'fire_rolled_back'), added(last, 'schedule_rolled_back')))}; ${BULK} in one statement ×${fmt(ratio(added(last, 'fire_bulk_rolled_back'), added(last, 'schedule_bulk_rolled_back')))} per call; goal ≤ 1.5), fire_at(+1 day) ×${fmt(ratio(added(last, 'fire_at_far'), added(last, 'insert_like_job')))} an INSERT like _job (goal ≤ 3).`,
    }],
    raw: { transactions, latencyMs: latency, profile: profiles },
    seconds: (Date.now() - began) / 1000,
  };
}
