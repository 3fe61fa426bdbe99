// npm run bench [-- --quick] [-- --full] [-- --reps N] [-- --only id,id] [-- --url postgres://...]
//
// Runs pg_dispatch's benchmark scenarios against DATABASE_URL / --url (a server with pg_cron >= 1.5
// in its cron.database_name database and pg_dispatch's files installed), or else against a
// throwaway local PostgreSQL 17 + pg_cron 1.6 (cluster "bench", scripts/local-pg.sh) started on a
// free port and stopped at the end. Writes bench/results/latest.json and latest.svg and prints a
// summary table. Figures that compare things are measured side by side in the same run.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { projectRoot, startEmbedded, stopEmbedded } from '../src/cli/embedded-server.js';
import { renderChart } from './chart.js';
import type { Context, Options } from './context.js';
import { DURABILITY_LABEL, connect, durabilities, resetDurability } from './db.js';
import { describeMachine } from './machine.js';
import { Pgbench } from './pgbench.js';
import { type Report, readPrevious, summaryTable, writeJson } from './report.js';
import { burstThroughput } from './scenarios/burst.js';
import { resultCapture } from './scenarios/result-capture.js';
import { startLatency } from './scenarios/start-latency.js';
import { transactionCost } from './scenarios/transaction-cost.js';
import { waitingCost } from './scenarios/waiting-cost.js';
import type { ScenarioResult } from './types.js';

const SCENARIOS: Record<string, (ctx: Context) => Promise<ScenarioResult>> = {
  'transaction-cost': transactionCost,
  'start-latency': startLatency,
  burst: burstThroughput,
  'waiting-cost': waitingCost,
  'result-capture': resultCapture,
};

const USAGE = `usage: npm run bench -- [--quick] [--full] [--reps N] [--only ${Object.keys(SCENARIOS).join(',')}] [--url postgres://...]`;

function parse(argv: readonly string[]): { options: Options; url: string | undefined } {
  const value = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  for (const a of argv) {
    if (a.startsWith('--') && !['--quick', '--full', '--reps', '--only', '--url'].includes(a)) throw new Error(`unknown option ${a}\n${USAGE}`);
  }
  const quick = argv.includes('--quick');
  const reps = Number(value('--reps') ?? (quick ? 1 : 3));
  if (!Number.isInteger(reps) || reps < 1) throw new Error(`--reps must be a positive integer\n${USAGE}`);
  const only = (value('--only') ?? '').split(',').filter(Boolean);
  for (const id of only) if (!SCENARIOS[id]) throw new Error(`unknown scenario ${id}\n${USAGE}`);
  return { options: { quick, full: argv.includes('--full'), reps, only }, url: value('--url') ?? process.env.DATABASE_URL };
}

/** A TCP port nobody listens on right now, for the throwaway server. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function main(argv: readonly string[]): Promise<number> {
  const { options, url: given } = parse(argv);
  const began = new Date();
  const log = (m: string): void => console.error(`[bench ${((Date.now() - began.getTime()) / 1000).toFixed(0).padStart(4)} s] ${m}`);
  let url = given;
  let cluster: string | undefined;
  if (!url) {
    cluster = 'bench';
    const port = await freePort();
    log(`starting a local PostgreSQL (cluster ${cluster}, port ${port})`);
    // A run that was killed leaves its cluster up on another port, and local-pg.sh refuses to
    // start it on a new one: stop it first (it is the bench's own cluster).
    stopEmbedded(cluster);
    url = startEmbedded(cluster, port).url;
  }
  try {
    const pgbench = new Pgbench(url, cluster !== undefined);
    const probe = await connect(url);
    await probe.query('CREATE EXTENSION IF NOT EXISTS pg_cron');
    const machine = await describeMachine(probe, cluster ? 'local throwaway server (scripts/local-pg.sh), same machine' : 'server given by --url/DATABASE_URL');
    const ds = await durabilities(probe);
    await probe.end();
    const ctx: Context = { url, options, pgbench, durabilities: ds, log };
    log(`durability settings compared: ${ds.join(', ')}`);
    const scenarios: ScenarioResult[] = [];
    const errors: { id: string; message: string }[] = [];
    for (const [id, run] of Object.entries(SCENARIOS)) {
      if (options.only.length > 0 && !options.only.includes(id)) continue;
      log(`scenario ${id}`);
      try {
        scenarios.push(await run(ctx));
      } catch (e) {
        // One scenario failing must not lose the others' figures; the report says what failed.
        const message = e instanceof Error ? e.message : String(e);
        log(`scenario ${id} failed: ${message}`);
        errors.push({ id, message });
      }
    }
    const dir = join(projectRoot(), 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    // --only re-measures some scenarios; the others are kept from the last report, and say so.
    const carriedOver: { id: string; from: string }[] = [];
    const previous = options.only.length > 0 ? readPrevious(join(dir, 'latest.json')) : undefined;
    for (const id of Object.keys(SCENARIOS)) {
      const old = previous?.scenarios.find((s) => s.id === id);
      if (options.only.includes(id) || !old || !previous) continue;
      const carried = previous.carriedOver?.find((c) => c.id === id)?.from ?? previous.startedAt;
      scenarios.push(old);
      carriedOver.push({ id, from: carried });
    }
    const order = Object.keys(SCENARIOS);
    scenarios.sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id));
    const report: Report = {
      tool: 'pg_dispatch bench', startedAt: began.toISOString(), seconds: (Date.now() - began.getTime()) / 1000,
      options, machine, durabilities: ds.map((d) => DURABILITY_LABEL[d]), scenarios, errors, carriedOver,
    };
    writeJson(join(dir, 'latest.json'), report);
    writeFileSync(join(dir, 'latest.svg'), renderChart(report));
    console.log(summaryTable(report));
    console.log(`\nwrote bench/results/latest.json and bench/results/latest.svg (${Math.round(report.seconds)} s)`);
    return errors.length > 0 ? 1 : 0;
  } finally {
    if (cluster) stopEmbedded(cluster);
    else if (url) {
      // A given server gets its own durability settings back (ALTER SYSTEM RESET).
      const c = await connect(url).catch(() => undefined);
      if (c) await resetDurability(c).catch(() => undefined).finally(() => c.end());
    }
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`bench: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
