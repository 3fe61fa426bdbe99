// Start latency under steady traffic, and what the adaptive warm runner costs once traffic stops.
//
// Latency: from the commit of the firing transaction to the first statement of the command, both
// from the server's clock (no client/server skew): the firing transaction selects
// clock_timestamp() as its last statement, right before COMMIT (same round trip), and the
// command's first statement inserts clock_timestamp() into a table.
//
// Traffic: one job at a time, the next fired a random 0.5 to 2 s after the previous one (uniform),
// as a steady trickle of user actions would. Three modes, same traffic:
// - linger = 0: runners leave at once after their last job (pg_cron's 1 s tick every time);
// - default settings (linger 10 s): a runner stays after its last job and polls every 10 ms;
// - warm_runner = true: runners stay for ever (the first job of the stream starts one).
// The first job of each stream finds no runner (it is what any job meets after a quiet period):
// it is reported on its own and left out of the percentiles.
//
// Quiet period: after the stream with default settings ends, the bench waits linger + 2 s, then
// samples pg_stat_activity every 250 ms over a window for pg_dispatch's runner sessions (expected:
// none) and counts the sessions the server opened in that window (pg_stat_database.sessions),
// against the same window after the linger = 0 stream.
import type pg from 'pg';
import type { Context } from '../context.js';
import { CRON_TASK_SQL, connect, freshExtension, sleep, waitFor, waitIdle } from '../db.js';
import { fmt, median, quantile, ratio } from '../stats.js';
import type { Bar, Row, ScenarioResult } from '../types.js';

type Mode = 'linger0' | 'default' | 'warm';
const MODES: readonly Mode[] = ['linger0', 'default', 'warm'];
const LABEL: Record<Mode, string> = {
  linger0: 'idle runners leave (linger = 0)',
  default: 'default settings (linger 10 s)',
  warm: 'always-on warm runner',
};
const GAP_MS: readonly [number, number] = [500, 2000];
const MARGIN_MS = 2000;

const COMMAND = `INSERT INTO pgdispatch_bench.latency VALUES (current_setting(''pgdispatch.job_id'')::bigint, clock_timestamp())`;
/** Runner sessions: pg_cron tasks other than the once-a-minute maintenance. */
const RUNNER_SQL = `${CRON_TASK_SQL} AND application_name <> 'pgdispatch maintenance'`;

async function fireOne(client: pg.Client): Promise<number> {
  const results = (await client.query(
    `BEGIN; SELECT pgdispatch.fire('${COMMAND}') AS id, clock_timestamp() AS committing; COMMIT;`,
  )) as unknown as pg.QueryResult[];
  const fired = results[1]?.rows[0] as { id: number; committing: Date } | undefined;
  if (!fired) throw new Error('fire() returned nothing');
  return waitFor(`job ${fired.id} to start`, async () => {
    const { rows } = await client.query<{ ms: number }>(
      `SELECT extract(epoch FROM first_statement - $2::timestamptz) * 1000 AS ms FROM pgdispatch_bench.latency WHERE job_id = $1`,
      [fired.id, fired.committing]);
    return rows[0]?.ms;
  }, { timeoutMs: 30_000, intervalMs: 2 });
}

async function sessionsOpened(client: pg.Client): Promise<number> {
  await client.query('SELECT pg_stat_force_next_flush()');
  await client.query('SELECT pg_stat_clear_snapshot()');
  const { rows: [r] } = await client.query<{ n: number }>('SELECT sessions AS n FROM pg_stat_database WHERE datname = current_database()');
  return r?.n ?? 0;
}

interface Stream {
  readonly mode: Mode;
  readonly first: number;
  readonly samples: number[];
  /** Sessions the server opened per minute during the stream. */
  readonly sessionsPerMinute: number;
}

/** A stream of `n` + 1 jobs, one at a time, a random 0.5-2 s apart (from one fire to the next). */
async function stream(client: pg.Client, mode: Mode, n: number): Promise<Stream> {
  const samples: number[] = [];
  let first = Number.NaN;
  const s0 = await sessionsOpened(client);
  const t0 = Date.now();
  let next = Date.now();
  for (let i = 0; i <= n; i++) {
    await sleep(Math.max(0, next - Date.now())); // the traffic's own pace, not a wait for an outcome
    next = Date.now() + GAP_MS[0] + Math.random() * (GAP_MS[1] - GAP_MS[0]);
    const ms = await fireOne(client);
    if (i === 0) first = ms;
    else samples.push(ms);
  }
  const minutes = (Date.now() - t0) / 60_000;
  const opened = (await sessionsOpened(client)) - s0;
  return { mode, first, samples, sessionsPerMinute: opened / minutes };
}

interface Quiet {
  readonly mode: Mode;
  readonly maxRunnerSessions: number;
  readonly sessionsPerMinute: number;
  readonly seconds: number;
}

/** After a stream: waits linger + the margin, then samples runner sessions over `windowMs`. */
async function quiet(client: pg.Client, mode: Mode, lingerMs: number, windowMs: number): Promise<Quiet> {
  await sleep(lingerMs + MARGIN_MS); // the quiet period itself is what is measured
  const s0 = await sessionsOpened(client);
  const t0 = Date.now();
  let max = 0;
  while (Date.now() - t0 < windowMs) {
    const { rows: [r] } = await client.query<{ n: number }>(`SELECT count(*) AS n FROM pg_stat_activity WHERE ${RUNNER_SQL}`);
    max = Math.max(max, r?.n ?? 0);
    await sleep(250); // a sampling interval
  }
  const seconds = (Date.now() - t0) / 1000;
  const opened = (await sessionsOpened(client)) - s0;
  return { mode, maxRunnerSessions: max, sessionsPerMinute: (opened / seconds) * 60, seconds };
}

async function setMode(client: pg.Client, mode: Mode): Promise<void> {
  await client.query(`UPDATE pgdispatch.settings SET warm_runner = $1, linger = $2::interval`,
    [mode === 'warm', mode === 'linger0' ? '0' : '10 seconds']);
}

export async function startLatency(ctx: Context): Promise<ScenarioResult> {
  const began = Date.now();
  const total = ctx.options.quick ? 10 : 60;
  const windowMs = ctx.options.quick ? 10_000 : 60_000;
  const reps = ctx.options.reps;
  const streams: Stream[] = [];
  const quiets: Quiet[] = [];
  const client = await connect(ctx.url);
  try {
    await freshExtension(client);
    await client.query('CREATE TABLE pgdispatch_bench.latency (job_id bigint PRIMARY KEY, first_statement timestamptz NOT NULL)');
    // The service jobs come with the first job: make them before anything is timed.
    await client.query(`SELECT pgdispatch.fire('SELECT 1')`);
    await waitIdle(client);
    const linger = Number((await client.query<{ ms: number }>(
      `SELECT extract(epoch FROM linger) * 1000 AS ms FROM pgdispatch.settings`)).rows[0]?.ms ?? 10_000);
    for (let rep = 0; rep < reps; rep++) {
      // The samples are split over the repetitions, the modes taking turns, so that a slow phase
      // of the machine hits every mode.
      const share = Math.round((total * (rep + 1)) / reps) - Math.round((total * rep) / reps);
      for (const mode of MODES) {
        // linger = 0 is pg_cron's tick every time (1-2 s a job, little spread): half the samples.
        const n = mode === 'linger0' ? Math.ceil(share / 2) : share;
        await setMode(client, mode);
        const s = await stream(client, mode, n);
        streams.push(s);
        ctx.log(`start latency rep ${rep + 1}: ${mode} p50 ${fmt(median(s.samples))} ms, first ${fmt(s.first)} ms, ${fmt(s.sessionsPerMinute)} sessions/min`);
        // The quiet period, measured once (first repetition) for the two modes that may leave.
        if (rep === 0 && mode !== 'warm') {
          const q = await quiet(client, mode, mode === 'linger0' ? 0 : linger, windowMs);
          quiets.push(q);
          ctx.log(`start latency quiet after ${mode}: max ${q.maxRunnerSessions} runner sessions, ${fmt(q.sessionsPerMinute)} sessions/min`);
        }
        if (mode === 'warm') await setMode(client, 'default');
        await waitIdle(client);
      }
    }
  } finally {
    await client.end();
  }
  const all = (m: Mode): number[] => streams.filter((s) => s.mode === m).flatMap((s) => s.samples);
  const firsts = (m: Mode): number[] => streams.filter((s) => s.mode === m).map((s) => s.first);
  const p = (m: Mode, q: number): number => quantile(all(m), q);
  const spm = (m: Mode): number => median(streams.filter((s) => s.mode === m).map((s) => s.sessionsPerMinute));
  const q = (m: Mode): Quiet | undefined => quiets.find((x) => x.mode === m);
  const rows: Row[] = MODES.flatMap((m) => [
    { metric: `${LABEL[m]} p50`, value: p(m, 0.5), unit: 'ms' },
    { metric: `${LABEL[m]} p95`, value: p(m, 0.95), unit: 'ms' },
    { metric: `${LABEL[m]} p99`, value: p(m, 0.99), unit: 'ms' },
    { metric: `${LABEL[m]} first job of a stream (median)`, value: median(firsts(m)), unit: 'ms' },
    { metric: `${LABEL[m]} sessions opened per minute during traffic`, value: spm(m), unit: '/min' },
  ]);
  for (const m of ['linger0', 'default'] as const) {
    rows.push(
      { metric: `quiet after ${LABEL[m]}: max runner sessions`, value: q(m)?.maxRunnerSessions ?? Number.NaN, unit: '' },
      { metric: `quiet after ${LABEL[m]}: sessions opened per minute`, value: q(m)?.sessionsPerMinute ?? Number.NaN, unit: '/min' },
    );
  }
  const bars: Bar[] = MODES.flatMap((m) => [0.5, 0.99].map((qq) => ({
    group: LABEL[m], label: `p${Math.round(qq * 100)}`, value: p(m, qq), series: m === 'default' ? 0 : m === 'linger0' ? 1 : 2,
  })));
  const sessionBars: Bar[] = [
    ...MODES.map((m) => ({ group: 'sessions opened per minute, steady traffic', label: LABEL[m], value: spm(m), series: m === 'default' ? 0 : m === 'linger0' ? 1 : 2 })),
    ...(['linger0', 'default'] as const).map((m) => ({
      group: `quiet period (${fmt(windowMs / 1000)} s window, after linger + 2 s)`, label: LABEL[m], value: q(m)?.sessionsPerMinute ?? Number.NaN,
      series: m === 'default' ? 0 : 1, note: `max ${fmt(q(m)?.maxRunnerSessions ?? Number.NaN)} runner sessions held`,
    })),
  ];
  return {
    id: 'start-latency',
    title: 'Start latency under steady traffic, and the quiet period',
    method: [
      `Steady traffic: one job at a time, each fired a random ${GAP_MS[0] / 1000}-${GAP_MS[1] / 1000} s (uniform) after the previous one was fired; ${total} measured jobs per mode (half as many with linger = 0, pg_cron's tick each time), split over ${reps} repetition(s), the modes taking turns; percentiles over all samples of a mode. The first job of every stream (no runner up yet, as after any quiet period) is reported separately and not in the percentiles.`,
      'Modes: linger = 0 (runners leave at once: pg_cron\'s tick for every job); default settings (linger 10 s: a runner stays after its last job, polling every 10 ms); warm_runner = true. Set with UPDATE pgdispatch.settings.',
      'Latency: commit of the firing transaction (clock_timestamp() as its last statement, in the same round trip as COMMIT) to the command\'s first statement (clock_timestamp() inserted by it), both server clock.',
      `Quiet period (first repetition): after the linger = 0 stream and after the default-settings stream, the bench waits linger + ${MARGIN_MS / 1000} s, then samples pg_stat_activity every 250 ms over ${windowMs / 1000} s for runner sessions (pg_cron tasks other than the maintenance) and counts the sessions opened in the window (pg_stat_database.sessions, flushed with pg_stat_force_next_flush; the bench opens none). The maintenance job opens one a minute, so a window shorter than a minute sees 0 or 1 of them.`,
      'Sessions opened per minute during traffic: the same counter over the whole stream.',
    ],
    rows,
    panels: [{
      title: 'Start latency under steady traffic (a job every 0.5-2 s), commit to first statement',
      unit: 'ms',
      scale: 'log',
      bars,
      legend: [{ series: 1, label: LABEL.linger0 }, { series: 0, label: LABEL.default }, { series: 2, label: LABEL.warm }],
      caption: `Default settings: p50 ${fmt(p('default', 0.5))} ms, p99 ${fmt(p('default', 0.99))} ms (goals ≤ 20, ≤ 100); linger = 0: p50 ${fmt(p('linger0', 0.5))} ms (×${fmt(ratio(p('linger0', 0.5), p('default', 0.5)))}); first job after a quiet period ${fmt(median(firsts('default')))} ms.`,
    }, {
      title: 'Sessions: opened per minute, and held after the traffic stops',
      unit: 'sessions/min',
      scale: 'linear',
      bars: sessionBars,
      caption: `After linger + 2 s of quiet, default settings hold ${fmt(q('default')?.maxRunnerSessions ?? Number.NaN)} runner sessions (goal 0) and open ${fmt(q('default')?.sessionsPerMinute ?? Number.NaN)}/min against ${fmt(q('linger0')?.sessionsPerMinute ?? Number.NaN)}/min with linger = 0.`,
    }],
    raw: { windowSeconds: windowMs / 1000, streams, quiets },
    seconds: (Date.now() - began) / 1000,
  };
}
