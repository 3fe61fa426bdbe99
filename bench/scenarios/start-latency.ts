// Start latency: from the commit of the firing transaction to the first statement of the
// command, for single jobs, at idle (pg_cron's floor) and with the warm runner on.
//
// Both ends are read from the server's clock, so no client/server skew enters: the firing
// transaction selects clock_timestamp() as its last statement, right before COMMIT (in the same
// round trip), and the command's first statement inserts clock_timestamp() into a table.
//
// Jobs are fired one at a time: the next is fired only once the previous one has finished and
// no runner session is left, then after a random pause of 0-250 ms so that commits fall at random
// points of pg_cron's one-second tick. Firing them overlapped would measure something else: a
// runner drains every due job, so a job fired while another's runner is up starts early.
import type pg from 'pg';
import type { Context } from '../context.js';
import { CRON_TASK_SQL, connect, freshExtension, sleep, waitFor } from '../db.js';
import { fmt, median, quantile, ratio } from '../stats.js';
import type { ScenarioResult } from '../types.js';

type Mode = 'idle' | 'warm';

const COMMAND = `INSERT INTO pgdispatch_bench.latency VALUES (current_setting(''pgdispatch.job_id'')::bigint, clock_timestamp())`;

async function sample(client: pg.Client): Promise<number> {
  const results = (await client.query(
    `BEGIN; SELECT pgdispatch.fire('${COMMAND}') AS id, clock_timestamp() AS committing; COMMIT;`,
  )) as unknown as pg.QueryResult[];
  const fired = results[1]?.rows[0] as { id: number; committing: Date } | undefined;
  if (!fired) throw new Error('fire() returned nothing');
  const ms = await waitFor(`job ${fired.id} to start`, async () => {
    const { rows } = await client.query<{ ms: number }>(
      `SELECT extract(epoch FROM first_statement - $2::timestamptz) * 1000 AS ms FROM pgdispatch_bench.latency WHERE job_id = $1`,
      [fired.id, fired.committing]);
    return rows[0]?.ms;
  }, { timeoutMs: 30_000, intervalMs: 5 });
  // The next job must find no runner up (the warm runner is the point of the warm mode).
  await waitFor('runner sessions to end', async () => {
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*) AS n FROM pg_stat_activity WHERE ${CRON_TASK_SQL} AND application_name <> 'pgdispatch warm runner'`);
    return rows[0]?.n === 0 ? true : undefined;
  }, { timeoutMs: 30_000, intervalMs: 10 });
  await sleep(Math.random() * 250);
  return ms;
}

async function setWarm(client: pg.Client, on: boolean): Promise<void> {
  await client.query('UPDATE pgdispatch.settings SET warm_runner = $1', [on]);
  await waitFor(`the warm runner to be ${on ? 'up' : 'gone'}`, async () => {
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'pgdispatch warm runner'`);
    return (rows[0]?.n ?? 0) > 0 === on ? true : undefined;
  }, { timeoutMs: 15_000 });
}

export async function startLatency(ctx: Context): Promise<ScenarioResult> {
  const began = Date.now();
  const total = ctx.options.quick ? 30 : 200;
  const reps = ctx.options.reps;
  const samples: Record<Mode, number[][]> = { idle: [], warm: [] };
  const client = await connect(ctx.url);
  try {
    await freshExtension(client);
    await client.query('CREATE TABLE pgdispatch_bench.latency (job_id bigint PRIMARY KEY, first_statement timestamptz NOT NULL)');
    for (let rep = 0; rep < reps; rep++) {
      // The samples are split over the repetitions, idle and warm alternating, so that a slow
      // phase of the machine hits both modes.
      const n = Math.round((total * (rep + 1)) / reps) - Math.round((total * rep) / reps);
      for (const mode of ['idle', 'warm'] as const) {
        if (mode === 'warm') await setWarm(client, true);
        const got: number[] = [];
        for (let i = 0; i < n; i++) got.push(await sample(client));
        if (mode === 'warm') await setWarm(client, false);
        samples[mode].push(got);
        ctx.log(`start latency rep ${rep + 1}: ${mode} p50 ${fmt(median(got))} ms over ${got.length} jobs`);
      }
    }
  } finally {
    await client.end();
  }
  const all = (m: Mode): number[] => samples[m].flat();
  const p = (m: Mode, q: number): number => quantile(all(m), q);
  const speedup = ratio(p('idle', 0.5), p('warm', 0.5));
  const rows = (['idle', 'warm'] as const).flatMap((m) => [
    { metric: `${m} p50`, value: p(m, 0.5), unit: 'ms' },
    { metric: `${m} p95`, value: p(m, 0.95), unit: 'ms' },
    { metric: `${m} p99`, value: p(m, 0.99), unit: 'ms' },
  ]);
  const label = { idle: 'idle (pg_cron tick)', warm: 'warm runner on' };
  return {
    id: 'start-latency',
    title: 'Start latency (commit to first statement)',
    method: [
      `${total} single jobs per mode, split over ${reps} repetitions alternating idle / warm; percentiles over all samples of a mode.`,
      'Commit time: clock_timestamp() selected as the last statement of the firing transaction, in the same round trip as its COMMIT. Start: clock_timestamp() inserted by the first statement of the command. Both from the server clock.',
      'One job at a time: each is fired once the previous has finished and no runner session is left, after a random 0-250 ms pause (runners drain every due job, so overlapping jobs would start early).',
    ],
    rows: [...rows, { metric: 'idle p50 / warm p50', value: speedup, unit: 'x' }],
    panels: [{
      title: 'Start latency, commit to first statement (log scale)',
      unit: 'ms',
      scale: 'log',
      bars: (['idle', 'warm'] as const).flatMap((m) => [0.5, 0.95, 0.99].map((q) => ({
        group: label[m], label: `p${Math.round(q * 100)}`, value: p(m, q), series: m === 'idle' ? 1 : 0,
      }))),
      caption: `${all('idle').length} + ${all('warm').length} single jobs. The warm runner starts a job ×${fmt(speedup)} sooner at the median (p50 ${fmt(p('warm', 0.5))} ms vs ${fmt(p('idle', 0.5))} ms).`,
    }],
    raw: { samplesMs: samples },
    seconds: (Date.now() - began) / 1000,
  };
}
