// Cost inside the caller's transaction: what fire() adds to the transaction that calls it,
// against a bare single-row INSERT into a one-index table and against a bare cron.schedule(),
// the least any dispatcher built on pg_cron must do. pgbench (one client, no think time) gives the
// average latency of each kind of transaction; the three run interleaved in every repetition.
import type { Context } from '../context.js';
import type pg from 'pg';
import { connect, freshExtension, removeCronJobs, waitIdle } from '../db.js';
import { fmt, median, ratio } from '../stats.js';
import type { ScenarioResult } from '../types.js';

const VARIANTS = {
  insert: `BEGIN;\nINSERT INTO pgdispatch_bench.tx (payload) VALUES ('x');\nCOMMIT;\n`,
  // Self-unscheduling, as a hand-rolled dispatcher's job would be, so that nothing repeats; the
  // name comes from a sequence because every pg_cron job of a dispatcher needs its own.
  schedule: `BEGIN;\nSELECT cron.schedule(s.n, '1 seconds', format('SELECT cron.unschedule(%L)', s.n))\n  FROM (SELECT 'bench_tx_' || nextval('pgdispatch_bench.tx_seq') AS n) AS s;\nCOMMIT;\n`,
  fire: `BEGIN;\nSELECT pgdispatch.fire('SELECT 1');\nCOMMIT;\n`,
} as const;
type Variant = keyof typeof VARIANTS;
const ORDER: readonly Variant[] = ['insert', 'schedule', 'fire'];

/**
 * Brings the server back to idle before the next variant is timed, so that none is measured on a
 * machine busy with another's jobs. pg_dispatch's jobs are let run (they finish in seconds). The
 * cron.schedule variant's jobs are removed instead: of a thousand 1-second pg_cron jobs scheduled
 * in a thousand transactions, pg_cron 1.6 ran about 230 and failed the rest over and over ("job
 * startup timeout", "job canceled"); 771 were still there a minute later. Only their scheduling is
 * measured here.
 */
async function settle(client: pg.Client, variant: Variant): Promise<void> {
  if (variant === 'schedule') await removeCronJobs(client, 'bench\\_tx\\_%');
  await waitIdle(client);
}

export async function transactionCost(ctx: Context): Promise<ScenarioResult> {
  const began = Date.now();
  const transactions = ctx.options.quick ? 300 : 1000;
  const client = await connect(ctx.url);
  const latency: Record<Variant, number[]> = { insert: [], schedule: [], fire: [] };
  const tps: Record<Variant, number[]> = { insert: [], schedule: [], fire: [] };
  try {
    await freshExtension(client);
    await client.query('CREATE TABLE pgdispatch_bench.tx (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, payload text)');
    await client.query('CREATE SEQUENCE pgdispatch_bench.tx_seq');
    // A short warm-up of each kind, so that the first measured run does not pay for cold caches.
    for (const v of ORDER) {
      ctx.pgbench.run(`tx-${v}`, VARIANTS[v], ['-c', '1', '-t', '50']);
      await settle(client, v);
    }
    for (let rep = 0; rep < ctx.options.reps; rep++) {
      for (const v of ORDER) {
        const r = ctx.pgbench.run(`tx-${v}`, VARIANTS[v], ['-c', '1', '-t', String(transactions)]);
        latency[v].push(r.latencyMs);
        tps[v].push(r.tps);
        ctx.log(`transaction cost rep ${rep + 1}: ${v} ${fmt(r.latencyMs)} ms/txn`);
        await settle(client, v);
      }
    }
  } finally {
    await client.end();
  }
  const m = (v: Variant): number => median(latency[v]);
  const vsInsert = ratio(m('fire'), m('insert'));
  const vsSchedule = ratio(m('fire'), m('schedule'));
  return {
    id: 'transaction-cost',
    title: "Cost inside the caller's transaction",
    method: [
      `pgbench, 1 client, ${transactions} transactions per variant per repetition, variants interleaved (INSERT, cron.schedule, fire) in each of ${ctx.options.reps} repetitions; median of the per-run average latency.`,
      'Each transaction is BEGIN; <one statement>; COMMIT. INSERT: one row into a table with only its primary key. cron.schedule: a uniquely named self-unscheduling 1-second job (what a hand-rolled dispatcher does). fire: pgdispatch.fire(\'SELECT 1\').',
      'Jobs fired or scheduled by one run execute in the background during that run, as they would in production. Before the next variant starts, the bench waits until pg_dispatch\'s jobs are done, and removes the cron.schedule variant\'s pg_cron jobs that have not run yet (pg_cron 1.6 fails most of 1,000 such jobs scheduled in quick succession with "job startup timeout" and retries them for minutes).',
    ],
    rows: [
      { metric: 'INSERT transaction', value: m('insert'), unit: 'ms' },
      { metric: 'cron.schedule transaction', value: m('schedule'), unit: 'ms' },
      { metric: 'fire() transaction', value: m('fire'), unit: 'ms' },
      { metric: 'fire() / INSERT', value: vsInsert, unit: 'x' },
      { metric: 'fire() / cron.schedule', value: vsSchedule, unit: 'x' },
    ],
    panels: [{
      title: "Cost inside the caller's transaction (latency per transaction)",
      unit: 'ms',
      scale: 'linear',
      bars: [
        { group: 'per transaction', label: 'INSERT one row', value: m('insert'), series: 3 },
        { group: 'per transaction', label: 'cron.schedule()', value: m('schedule'), series: 1 },
        { group: 'per transaction', label: 'pgdispatch.fire()', value: m('fire'), series: 0,
          note: `×${fmt(vsInsert)} INSERT, ×${fmt(vsSchedule)} cron.schedule` },
      ],
      caption: `fire() costs ×${fmt(vsInsert)} a one-row INSERT and ×${fmt(vsSchedule)} a bare cron.schedule() (medians of ${ctx.options.reps} interleaved runs).`,
    }],
    raw: { transactions, latencyMs: latency, tps },
    seconds: (Date.now() - began) / 1000,
  };
}
