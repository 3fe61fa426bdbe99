// Waiting cost: what 100 jobs snoozed for 5 minutes hold while they wait. pg_dispatch keeps a
// waiting job as a row only; the pg_dispatch 0.1 approach (reproduced here in raw SQL) slept
// inside a running pg_cron job: cron.schedule(name, '1 seconds', 'SELECT cron.unschedule(name);
// SELECT pg_sleep(300); <command>'), which holds a backend and a pg_cron run slot per job.
//
// Sampled every 250 ms: backends (client backends other than the bench's own) and pg_cron run
// slots in use (sessions pg_cron started, named pg_cron, or renamed by a pg_dispatch runner).
// Without --full the window is 60 s (the maintenance job runs once a minute, so the window sees
// it once); with --full it is the whole 5 minutes.
import type pg from 'pg';
import type { Context } from '../context.js';
import { BENCH_APP, CRON_TASK_SQL, connect, freshExtension, removeCronJobs, sleep, waitFor, waitIdle } from '../db.js';
import { fmt, median } from '../stats.js';
import type { ScenarioResult } from '../types.js';

type Variant = 'pgdispatch' | 'v0.1';
const JOBS = 100;
const DELAY_S = 300;
const COMMAND = 'INSERT INTO pgdispatch_bench.woke DEFAULT VALUES';

interface Window {
  readonly variant: Variant;
  readonly maxBackends: number;
  readonly meanBackends: number;
  readonly maxSlots: number;
  readonly meanSlots: number;
  readonly samples: number;
}

async function measure(client: pg.Client, variant: Variant, windowMs: number): Promise<Window> {
  if (variant === 'pgdispatch') {
    await client.query(`SELECT count(pgdispatch.snooze('${COMMAND}', make_interval(secs => ${DELAY_S}))) FROM generate_series(1, ${JOBS})`);
  } else {
    await client.query(`SELECT count(cron.schedule('bench_v01_' || g, '1 seconds',
        format('SELECT cron.unschedule(%L); SELECT pg_sleep(${DELAY_S}); ${COMMAND}', 'bench_v01_' || g)))
        FROM generate_series(1, ${JOBS}) AS g`);
  }
  const backends: number[] = [];
  const slots: number[] = [];
  const end = Date.now() + windowMs;
  while (Date.now() < end) {
    const { rows: [r] } = await client.query<{ backends: number; slots: number }>(
      `SELECT count(*) FILTER (WHERE backend_type = 'client backend' AND application_name IS DISTINCT FROM $1) AS backends,
              count(*) FILTER (WHERE ${CRON_TASK_SQL}) AS slots
         FROM pg_stat_activity`, [BENCH_APP]);
    backends.push(r?.backends ?? 0);
    slots.push(r?.slots ?? 0);
    await sleep(250); // a sampling interval, not a wait for an outcome
  }
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  return { variant, maxBackends: Math.max(...backends), meanBackends: mean(backends),
           maxSlots: Math.max(...slots), meanSlots: mean(slots), samples: backends.length };
}

async function cleanUp(client: pg.Client): Promise<void> {
  await client.query(`SELECT pgdispatch.cancel(id) FROM pgdispatch._job WHERE status IN ('scheduled', 'running')`);
  await removeCronJobs(client, 'bench\\_v01\\_%');
  await waitIdle(client);
}

export async function waitingCost(ctx: Context): Promise<ScenarioResult> {
  const began = Date.now();
  const windowMs = ctx.options.full ? DELAY_S * 1000 : ctx.options.quick ? 15_000 : 60_000;
  const windows: Window[] = [];
  let maxRunning = Number.NaN;
  const client = await connect(ctx.url);
  try {
    await freshExtension(client);
    await client.query('CREATE TABLE pgdispatch_bench.woke (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY)');
    maxRunning = Number((await client.query<{ v: string }>(`SELECT current_setting('cron.max_running_jobs') AS v`)).rows[0]?.v);
    // One window per variant: the counts are discrete and barely noisy, and a window is long.
    const reps = 1;
    for (let rep = 0; rep < reps; rep++) {
      for (const variant of ['pgdispatch', 'v0.1'] as const) {
        // The first sample must not see the previous window's sessions still ending.
        await waitFor('no pg_cron task', async () => {
          const { rows } = await client.query<{ n: number }>(`SELECT count(*) AS n FROM pg_stat_activity WHERE ${CRON_TASK_SQL}`);
          return rows[0]?.n === 0 ? true : undefined;
        });
        const w = await measure(client, variant, windowMs);
        windows.push(w);
        ctx.log(`waiting cost rep ${rep + 1}: ${variant} max ${w.maxBackends} backends, ${w.maxSlots} pg_cron slots`);
        await cleanUp(client);
      }
    }
  } finally {
    await client.end();
  }
  const m = (v: Variant, k: keyof Omit<Window, 'variant'>): number => median(windows.filter((w) => w.variant === v).map((w) => w[k]));
  const windowS = windowMs / 1000;
  return {
    id: 'waiting-cost',
    title: `Waiting cost (${JOBS} jobs snoozed ${DELAY_S / 60} min)`,
    method: [
      `${JOBS} jobs snoozed ${DELAY_S} s in one transaction; pg_stat_activity sampled every 250 ms over a ${windowS} s window per variant${ctx.options.full ? ' (the whole wait)' : ' (not the whole 5 minutes; run with --full for that)'}.`,
      `pg_dispatch 0.1 approach, in raw SQL: cron.schedule('bench_v01_<i>', '1 seconds', 'SELECT cron.unschedule(...); SELECT pg_sleep(${DELAY_S}); <command>'). pg_cron runs at most cron.max_running_jobs = ${maxRunning} of them at once; the others wait for a slot, so their command runs late.`,
      'Backends: client backends other than the bench\'s own. pg_cron slots: sessions named pg_cron or renamed by a pg_dispatch runner (maintenance included).',
    ],
    rows: [
      { metric: 'pg_dispatch max backends', value: m('pgdispatch', 'maxBackends'), unit: '' },
      { metric: 'pg_dispatch mean backends', value: m('pgdispatch', 'meanBackends'), unit: '' },
      { metric: 'pg_dispatch max pg_cron slots', value: m('pgdispatch', 'maxSlots'), unit: '' },
      { metric: '0.1 approach max backends', value: m('v0.1', 'maxBackends'), unit: '' },
      { metric: '0.1 approach mean backends', value: m('v0.1', 'meanBackends'), unit: '' },
      { metric: '0.1 approach max pg_cron slots', value: m('v0.1', 'maxSlots'), unit: '' },
      { metric: 'cron.max_running_jobs', value: maxRunning, unit: '' },
    ],
    panels: [{
      title: `Waiting cost: ${JOBS} jobs snoozed ${DELAY_S / 60} minutes (${windowS} s window)`,
      unit: 'sessions',
      scale: 'linear',
      bars: [
        { group: 'mean backends held', label: 'pg_dispatch', value: m('pgdispatch', 'meanBackends'), series: 0 },
        { group: 'mean backends held', label: 'sleep in a pg_cron job (0.1)', value: m('v0.1', 'meanBackends'), series: 1 },
        { group: 'max pg_cron run slots', label: 'pg_dispatch', value: m('pgdispatch', 'maxSlots'), series: 0 },
        { group: 'max pg_cron run slots', label: 'sleep in a pg_cron job (0.1)', value: m('v0.1', 'maxSlots'), series: 1,
          note: `of ${maxRunning}: ${JOBS - Math.min(JOBS, maxRunning)} jobs queued behind them` },
      ],
      caption: `While ${JOBS} jobs wait, pg_dispatch holds ${fmt(m('pgdispatch', 'meanBackends'))} backends on average (max ${fmt(m('pgdispatch', 'maxBackends'))}, the once-a-minute maintenance); sleeping in pg_cron jobs holds ${fmt(m('v0.1', 'meanBackends'))} and ${fmt(m('v0.1', 'maxSlots'))} of ${maxRunning} run slots.`,
    }],
    raw: { windowSeconds: windowS, windows },
    seconds: (Date.now() - began) / 1000,
  };
}
