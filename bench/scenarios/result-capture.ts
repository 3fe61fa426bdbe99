// Result capture overhead: a job whose command is a 1,000-row SELECT, run with its rows kept as
// JSON (settings.max_result_rows = 1000, the default) and without (max_result_rows = 0: the rows
// are only counted). The figure is the job's run time as pg_dispatch records it (finished_at -
// started_at), which includes the executor and the status update, the same in both variants.
//
// The jobs of a batch are fired in one transaction and drained by a single runner
// (max_runners = 1) so that no two jobs compete for the machine's cores while being timed.
import type pg from 'pg';
import type { Context } from '../context.js';
import { connect, freshExtension, waitFor, waitIdle } from '../db.js';
import { fmt, median, quantile, ratio } from '../stats.js';
import type { ScenarioResult } from '../types.js';

type Variant = 'without' | 'with';
const COMMAND = 'SELECT g AS n, md5(g::text) AS digest, now() AS at FROM generate_series(1, 1000) AS g';

async function batch(client: pg.Client, variant: Variant, jobs: number): Promise<number[]> {
  await client.query('UPDATE pgdispatch.settings SET max_result_rows = $1', [variant === 'with' ? 1000 : 0]);
  const { rows: fired } = await client.query<{ id: number }>(
    `SELECT pgdispatch.fire($1, label => 'bench-capture') AS id FROM generate_series(1, $2::int)`, [COMMAND, jobs]);
  const ids = fired.map((r) => r.id);
  await waitFor(`${jobs} capture jobs to finish`, async () => {
    const { rows: [r] } = await client.query<{ n: number }>(
      `SELECT count(*) AS n FROM pgdispatch.jobs WHERE id = ANY ($1) AND finished_at IS NOT NULL`, [ids]);
    return r?.n === jobs ? true : undefined;
  }, { timeoutMs: 120_000, intervalMs: 50 });
  const { rows } = await client.query<{ ms: number; status: string; kept: number | null }>(
    `SELECT extract(epoch FROM finished_at - started_at) * 1000 AS ms, status, jsonb_array_length(rows) AS kept
       FROM pgdispatch.jobs WHERE id = ANY ($1)`, [ids]);
  for (const r of rows) {
    if (r.status !== 'succeeded') throw new Error(`a capture job ended ${r.status}`);
    if ((r.kept ?? 0) !== (variant === 'with' ? 1000 : 0)) throw new Error(`a capture job kept ${r.kept} rows (${variant} capture)`);
  }
  await waitIdle(client);
  return rows.map((r) => r.ms);
}

export async function resultCapture(ctx: Context): Promise<ScenarioResult> {
  const began = Date.now();
  const jobs = ctx.options.quick ? 30 : 100;
  const runs: Record<Variant, number[][]> = { without: [], with: [] };
  const client = await connect(ctx.url);
  try {
    await freshExtension(client);
    await client.query('UPDATE pgdispatch.settings SET max_runners = 1');
    for (let rep = 0; rep < ctx.options.reps; rep++) {
      for (const variant of ['without', 'with'] as const) {
        const got = await batch(client, variant, jobs);
        runs[variant].push(got);
        ctx.log(`result capture rep ${rep + 1}: ${variant} capture, median run time ${fmt(median(got))} ms`);
      }
    }
  } finally {
    await client.end();
  }
  // Median over repetitions of each repetition's median run time.
  const m = (v: Variant): number => median(runs[v].map((r) => median(r)));
  const p95 = (v: Variant): number => quantile(runs[v].flat(), 0.95);
  const overhead = ratio(m('with'), m('without'));
  return {
    id: 'result-capture',
    title: 'Result capture overhead (1,000-row SELECT)',
    method: [
      `${jobs} jobs per variant per repetition, fired in one transaction and run one after another by a single runner (max_runners = 1); ${ctx.options.reps} repetitions, variants alternating; median over repetitions of the median job run time (finished_at - started_at).`,
      'With capture: max_result_rows = 1000 (the default), all 1,000 rows kept as JSON. Without: max_result_rows = 0, the rows are only counted.',
      `Command: ${COMMAND}.`,
    ],
    rows: [
      { metric: 'run time without capture', value: m('without'), unit: 'ms' },
      { metric: 'run time with capture', value: m('with'), unit: 'ms' },
      { metric: 'p95 without capture', value: p95('without'), unit: 'ms' },
      { metric: 'p95 with capture', value: p95('with'), unit: 'ms' },
      { metric: 'with / without capture', value: overhead, unit: 'x' },
      { metric: 'capture cost per row', value: m('with') - m('without'), unit: 'µs' },
    ],
    panels: [{
      title: 'Result capture: run time of a job returning 1,000 rows',
      unit: 'ms',
      scale: 'linear',
      bars: [
        { group: 'job run time', label: 'rows counted only', value: m('without'), series: 1 },
        { group: 'job run time', label: 'rows kept as JSON', value: m('with'), series: 0, note: `×${fmt(overhead)}` },
      ],
      caption: `Keeping 1,000 rows costs ×${fmt(overhead)} the run time (+${fmt(m('with') - m('without'))} ms per job, i.e. ${fmt(m('with') - m('without'))} µs per row).`,
    }],
    raw: { jobsPerBatch: jobs, runTimesMs: runs },
    seconds: (Date.now() - began) / 1000,
  };
}
