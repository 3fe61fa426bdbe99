// Burst throughput: N jobs committed in one transaction, time from that commit until the last
// one has run. pg_dispatch against the same burst as raw self-unscheduling pg_cron jobs (what a
// hand-rolled dispatcher does: one pg_cron job, so one new connection, per job), and against the
// connection-per-transaction ceiling of this server (pgbench -C running the same INSERT).
//
// Every job inserts its number and clock_timestamp() into one table; the burst is over when N
// rows are there, and its time is the last row's timestamp minus the commit's, both server clock.
import type pg from 'pg';
import type { Context } from '../context.js';
import { connect, freshExtension, removeCronJobs, sleep, waitIdle } from '../db.js';
import { fmt, median, ratio } from '../stats.js';
import type { Bar, Row, ScenarioResult } from '../types.js';

type Variant = 'pgdispatch' | 'raw';

interface BurstRun {
  readonly n: number;
  readonly variant: Variant;
  /** Time from commit to the last job's insert, or to the cap when it did not finish. */
  readonly seconds: number;
  readonly done: number;
  readonly finished: boolean;
  /** How long the firing transaction itself took. */
  readonly fireSeconds: number;
}

/** Larger raw bursts run in the first repetition only. */
const RAW_EVERY_REP_UP_TO = 1000;

const INSERT = `INSERT INTO pgdispatch_bench.target (id) VALUES (%s)`;

const FIRE_SQL: Record<Variant, string> = {
  pgdispatch: `SELECT count(pgdispatch.fire(format('${INSERT}', g))) FROM generate_series(1, $1::int) AS g`,
  raw: `SELECT count(cron.schedule('bench_raw_' || g, '1 seconds',
          format('SELECT cron.unschedule(%L); ${INSERT}', 'bench_raw_' || g, g)))
          FROM generate_series(1, $1::int) AS g`,
};

async function burst(client: pg.Client, variant: Variant, n: number, capMs: number): Promise<BurstRun> {
  await client.query('TRUNCATE pgdispatch_bench.target');
  const t0 = Date.now();
  await client.query('BEGIN');
  await client.query(FIRE_SQL[variant], [n]);
  const { rows: [c] } = await client.query<{ committing: Date }>('SELECT clock_timestamp() AS committing');
  await client.query('COMMIT');
  const fireSeconds = (Date.now() - t0) / 1000;
  const committing = c?.committing;
  const deadline = Date.now() + capMs;
  let done = 0;
  for (;;) {
    const { rows: [r] } = await client.query<{ n: number }>('SELECT count(*) AS n FROM pgdispatch_bench.target');
    done = r?.n ?? 0;
    if (done >= n || Date.now() > deadline) break;
    await sleep(100); // a sampling interval; the time itself comes from the rows' timestamps
  }
  const finished = done >= n;
  const { rows: [t] } = await client.query<{ s: number }>(
    'SELECT extract(epoch FROM max(at) - $1::timestamptz) AS s FROM pgdispatch_bench.target', [committing]);
  return { n, variant, seconds: finished ? (t?.s ?? Number.NaN) : capMs / 1000, done, finished, fireSeconds };
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

export async function burstThroughput(ctx: Context): Promise<ScenarioResult> {
  const began = Date.now();
  const sizes = ctx.options.quick ? [1000, 5000] : [1000, 5000, 10000];
  const capMs = ctx.options.quick ? 60_000 : 120_000;
  const ceilingSeconds = ctx.options.quick ? 5 : 10;
  const runs: BurstRun[] = [];
  const ceiling: number[] = [];
  const client = await connect(ctx.url);
  try {
    await freshExtension(client);
    await client.query('CREATE TABLE pgdispatch_bench.target (id bigint PRIMARY KEY, at timestamptz NOT NULL DEFAULT clock_timestamp())');
    await client.query('CREATE TABLE pgdispatch_bench.ceiling (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, payload text)');
    for (let rep = 0; rep < ctx.options.reps; rep++) {
      for (const n of sizes) {
        for (const variant of ['pgdispatch', 'raw'] as const) {
          // A raw burst of 5,000 or more takes 30 s to the cap; once per run keeps the default run
          // near 15 minutes. pg_dispatch's bursts, a few seconds each, run in every repetition.
          if (variant === 'raw' && n > RAW_EVERY_REP_UP_TO && rep > 0) continue;
          const r = await burst(client, variant, n, capMs);
          runs.push(r);
          ctx.log(`burst rep ${rep + 1}: ${variant} N=${n}: ${r.finished ? '' : `did not finish (${r.done} done) within `}${fmt(r.seconds)} s`);
          await cleanUp(client, variant);
        }
      }
      const c = ctx.pgbench.run('ceiling', `INSERT INTO pgdispatch_bench.ceiling (payload) VALUES ('x');\n`,
        ['-C', '-c', '4', '-j', '2', '-T', String(ceilingSeconds)]);
      ceiling.push(c.tps);
      ctx.log(`burst rep ${rep + 1}: pgbench -C ceiling ${fmt(c.tps)} tps`);
    }
  } finally {
    await client.end();
  }
  const pick = (v: Variant, n: number): BurstRun[] => runs.filter((r) => r.variant === v && r.n === n);
  const secs = (v: Variant, n: number): number => median(pick(v, n).map((r) => r.seconds));
  // A raw burst that hit its cap in any repetition makes its median a lower bound.
  const capped = (v: Variant, n: number): boolean => pick(v, n).some((r) => !r.finished);
  const rate = (v: Variant, n: number): number => median(pick(v, n).map((r) => r.done / r.seconds));
  const ceilingTps = median(ceiling);
  const small = sizes[0] as number;
  const big = sizes[sizes.length - 1] as number;
  const growth = (v: Variant): number => ratio(secs(v, big), secs(v, small));
  const rows: Row[] = [];
  const bars: Bar[] = [];
  for (const n of sizes) {
    const dnf = capped('raw', n);
    rows.push(
      { metric: `N=${n} pg_dispatch time`, value: secs('pgdispatch', n), unit: 's', lowerBound: capped('pgdispatch', n) },
      { metric: `N=${n} pg_dispatch rate`, value: rate('pgdispatch', n), unit: 'jobs/s' },
      { metric: `N=${n} raw pg_cron time`, value: secs('raw', n), unit: 's', lowerBound: dnf },
      { metric: `N=${n} raw pg_cron rate${dnf ? ' (upper bound)' : ''}`, value: rate('raw', n), unit: 'jobs/s' },
      { metric: `N=${n} pg_dispatch rate / raw pg_cron rate`, value: ratio(rate('pgdispatch', n), rate('raw', n)), unit: 'x', lowerBound: dnf },
      { metric: `N=${n} pg_dispatch rate / pgbench -C`, value: ratio(rate('pgdispatch', n), ceilingTps), unit: 'x' },
    );
    const group = `N = ${n.toLocaleString('en-US')}`;
    bars.push(
      { group, label: 'pg_dispatch', value: rate('pgdispatch', n), series: 0,
        note: `${fmt(secs('pgdispatch', n))} s; ×${fmt(ratio(rate('pgdispatch', n), rate('raw', n)))} raw${dnf ? ' (at least)' : ''}` },
      { group, label: 'raw pg_cron jobs', value: rate('raw', n), series: 1, lowerBound: dnf,
        note: dnf ? `did not finish in ${capMs / 1000} s (${median(pick('raw', n).map((r) => r.done))} of ${n} done)` : `${fmt(secs('raw', n))} s` },
      { group, label: 'pgbench -C ceiling', value: ceilingTps, series: 3 },
    );
  }
  rows.push(
    { metric: `pgbench -C ceiling`, value: ceilingTps, unit: 'tps' },
    { metric: `pg_dispatch growth t(${big})/t(${small})`, value: growth('pgdispatch'), unit: 'x' },
    { metric: `raw pg_cron growth t(${big})/t(${small})`, value: growth('raw'), unit: 'x', lowerBound: capped('raw', big) },
  );
  return {
    id: 'burst',
    title: 'Burst throughput',
    method: [
      `N = ${sizes.join(' / ')} jobs fired in one transaction; time from its commit to the last job's INSERT (server clock). ${ctx.options.reps} repetitions, pg_dispatch and raw interleaved; medians. The raw baseline at N > ${RAW_EVERY_REP_UP_TO} runs in the first repetition only (each takes 30 s or more).`,
      `Raw pg_cron: N jobs cron.schedule('bench_raw_<i>', '1 seconds', 'SELECT cron.unschedule(''bench_raw_<i>''); INSERT ...') in one transaction. Its wait is capped at ${capMs / 1000} s; a capped run counts as ${capMs / 1000} s (a lower bound on its time, an upper bound on its rate).`,
      `Ceiling: pgbench -C -c 4 -j 2 -T ${ceilingSeconds} running the same kind of one-row INSERT, a new connection per transaction (what pg_cron does per job).`,
    ],
    rows,
    panels: [{
      title: 'Burst throughput (jobs per second, commit to last job done)',
      unit: 'jobs/s',
      scale: 'linear',
      bars,
      caption: `Growth t(${big.toLocaleString('en-US')})/t(${small.toLocaleString('en-US')}): pg_dispatch ×${fmt(growth('pgdispatch'))}, raw pg_cron ×${fmt(growth('raw'))}${capped('raw', big) ? ' (at least; capped)' : ''}. pgbench -C ceiling ${fmt(ceilingTps)} tps.`,
    }],
    raw: { capSeconds: capMs / 1000, runs, ceilingTps: ceiling },
    seconds: (Date.now() - began) / 1000,
  };
}
