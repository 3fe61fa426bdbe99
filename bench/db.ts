// Connections, a fresh pg_dispatch for each scenario, and polling with deadlines.
import pg from 'pg';

/** The bench's own sessions carry this name, so that samples of pg_stat_activity can skip them. */
export const BENCH_APP = 'pg_dispatch bench';

// bigint and timestamptz arrive as strings/Dates; the bench wants numbers for counts.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));

export async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, application_name: BENCH_APP });
  await client.connect();
  client.on('error', () => {}); // a server-side terminate must not crash the run
  return client;
}

/** Polls `probe` until it returns something other than undefined; throws after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  { timeoutMs = 30_000, intervalMs = 20 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** Like waitFor, but returns undefined at the deadline instead of throwing (for capped baselines). */
export async function waitUntil(
  probe: () => Promise<boolean>,
  { timeoutMs, intervalMs = 50 }: { timeoutMs: number; intervalMs?: number },
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe()) return true;
    if (Date.now() > deadline) return false;
    await sleep(intervalMs);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Sessions pg_cron started (its own name) or that a pg_dispatch runner renamed. */
export const CRON_TASK_SQL = `backend_type = 'client backend' AND (application_name = 'pg_cron' OR application_name LIKE 'pgdispatch %')`;

/**
 * Removes pg_cron jobs whose name matches `like` and ends every pg_cron task. A running job
 * that unscheduled itself in the same transaction as a long command (the 0.1 approach: unschedule,
 * then pg_sleep) holds its cron.job row locked until it ends, so the DELETE is retried, each time
 * after terminating the tasks, with a short lock_timeout, until no such job is left.
 */
export async function removeCronJobs(client: pg.Client, like: string): Promise<void> {
  await waitFor(`pg_cron jobs ${like} to be removed`, async () => {
    await client.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE ${CRON_TASK_SQL}`);
    try {
      await client.query('BEGIN');
      await client.query(`SET LOCAL lock_timeout = '1s'`);
      // One DELETE rather than cron.unschedule per job: pg_cron reloads once, not once per job.
      await client.query('DELETE FROM cron.job WHERE jobname LIKE $1', [like]);
      await client.query('COMMIT');
    } catch (e) {
      await client.query('ROLLBACK');
      if ((e as { code?: string }).code !== '55P03') throw e; // lock_not_available: try again
      return undefined;
    }
    return true;
  }, { timeoutMs: 60_000, intervalMs: 200 });
  await waitFor('pg_cron tasks to end', async () => {
    await client.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE ${CRON_TASK_SQL}`);
    const { rows } = await client.query<{ n: number }>(`SELECT count(*) AS n FROM pg_stat_activity WHERE ${CRON_TASK_SQL}`);
    return rows[0]?.n === 0 ? true : undefined;
  }, { timeoutMs: 30_000, intervalMs: 200 });
  await client.query('DELETE FROM cron.job_run_details');
}

/**
 * Drops pg_dispatch and everything earlier scenarios left in pg_cron (baseline jobs included),
 * empties the bench schema, and creates pg_dispatch again, so that one scenario's tail never
 * lands in the next one's figures.
 */
export async function freshExtension(client: pg.Client): Promise<void> {
  await client.query('CREATE EXTENSION IF NOT EXISTS pg_cron');
  await client.query('DROP EXTENSION IF EXISTS pg_dispatch CASCADE');
  await removeCronJobs(client, 'bench\\_%');
  await removeCronJobs(client, 'pgdispatch\\_%');
  await client.query('DROP SCHEMA IF EXISTS pgdispatch_bench CASCADE');
  await client.query('CREATE SCHEMA pgdispatch_bench');
  await client.query('CREATE EXTENSION pg_dispatch');
}

/**
 * Waits until pg_dispatch has no unfinished job and no carrier, no other pg_cron task runs, and
 * no runner session is left: the server is idle. Runners that linger after their last job
 * (settings.linger) poll every 10 ms, which would load whatever the bench measures next, so once
 * the jobs are done the bench sets linger to 0 for a moment (runners read it at every poll and
 * leave), waits for them to end and puts linger back. With warm_runner on, runners are left alone.
 */
export async function waitIdle(client: pg.Client, timeoutMs = 120_000): Promise<void> {
  await waitFor('the jobs to be done', async () => {
    const { rows } = await client.query<{ busy: number }>(
      `SELECT (SELECT count(*) FROM pg_stat_activity WHERE ${CRON_TASK_SQL} AND application_name NOT IN ('pgdispatch runner', 'pgdispatch warm runner'))
            + (SELECT count(*) FROM cron.job WHERE jobname LIKE 'bench\\_%')
            + (SELECT count(*) FROM pgdispatch._job WHERE status IN ('scheduled', 'running')) AS busy`);
    return rows[0]?.busy === 0 ? true : undefined;
  }, { timeoutMs, intervalMs: 100 });
  // Runner sessions (a lingering runner is named 'pgdispatch warm runner' while it polls, like an
  // always-on one) and carriers: a runner removes its own carrier when it leaves.
  const left = async (): Promise<number> => (await client.query<{ n: number }>(
    `SELECT (SELECT count(*) FROM pg_stat_activity WHERE ${CRON_TASK_SQL} AND application_name <> 'pgdispatch maintenance')
          + (SELECT count(*) FROM cron.job WHERE jobname LIKE 'pgdispatch\\_job\\_%') AS n`)).rows[0]?.n ?? 0;
  const { rows: [s] } = await client.query<{ linger: string; warm: boolean }>(
    'SELECT linger::text AS linger, warm_runner AS warm FROM pgdispatch.settings');
  if (s?.warm || (await left()) === 0) return;
  await client.query(`UPDATE pgdispatch.settings SET linger = '0'`);
  try {
    await waitFor('runners to leave and carriers to go', async () => ((await left()) === 0 ? true : undefined), { timeoutMs, intervalMs: 20 });
  } finally {
    await client.query('UPDATE pgdispatch.settings SET linger = $1::interval', [s?.linger ?? '10 seconds']);
  }
}

/**
 * The two durability settings the bench compares. `durable` is what a managed server runs with
 * (fsync, synchronous_commit and full_page_writes on); `fast` turns all three off (what the
 * throwaway test server does for speed, and what 0.9.0's committed report was taken with).
 * `server` means the bench could not change them (not a superuser on a --url server) and runs
 * with whatever the server has.
 */
export type Durability = 'durable' | 'fast' | 'server';

export const DURABILITY_LABEL: Record<Durability, string> = {
  durable: 'fsync on, synchronous_commit on',
  fast: 'fsync off, synchronous_commit off',
  server: "server's own fsync / synchronous_commit",
};

const DURABILITY_SETTINGS: Record<Exclude<Durability, 'server'>, Record<string, string>> = {
  durable: { fsync: 'on', synchronous_commit: 'on', full_page_writes: 'on' },
  fast: { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' },
};

/** How durability is set, for the scenarios' `method`. */
export const DURABILITY_METHOD =
  'Durability set server-wide with ALTER SYSTEM SET fsync, synchronous_commit, full_page_writes (durable: on, on, on; fast: off, off, off) and pg_reload_conf() (all three take effect on reload; pg_cron\'s sessions and the runners are new sessions, so they see it too), followed by a CHECKPOINT; the bench waits until a new session shows the values.';

/** Whether this run may change the server's durability (a superuser): else only `server` runs. */
export async function durabilities(client: pg.Client): Promise<Durability[]> {
  const { rows: [r] } = await client.query<{ su: boolean }>('SELECT rolsuper AS su FROM pg_roles WHERE rolname = current_user');
  return r?.su ? ['durable', 'fast'] : ['server'];
}

/** Applies `d` server-wide and waits until a new session sees it. */
export async function setDurability(client: pg.Client, url: string, d: Durability): Promise<void> {
  if (d === 'server') return;
  const want = DURABILITY_SETTINGS[d];
  for (const [k, v] of Object.entries(want)) await client.query(`ALTER SYSTEM SET ${k} = '${v}'`);
  await client.query('SELECT pg_reload_conf()');
  await waitFor(`durability ${d} to take effect`, async () => {
    const probe = await connect(url);
    try {
      for (const [k, v] of Object.entries(want)) {
        const { rows: [r] } = await probe.query<{ v: string }>('SELECT current_setting($1) AS v', [k]);
        if (r?.v !== v) return undefined;
      }
      return true;
    } finally {
      await probe.end();
    }
  }, { timeoutMs: 15_000, intervalMs: 100 });
  await client.query('CHECKPOINT');
}

/** Puts the settings back to the server's configuration files (end of a run on a --url server). */
export async function resetDurability(client: pg.Client): Promise<void> {
  for (const k of Object.keys(DURABILITY_SETTINGS.durable)) await client.query(`ALTER SYSTEM RESET ${k}`);
  await client.query('SELECT pg_reload_conf()');
}
