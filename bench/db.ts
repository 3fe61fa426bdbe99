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

/** Waits until no pg_cron task runs and pg_dispatch has no unfinished job: the server is idle. */
export async function waitIdle(client: pg.Client, timeoutMs = 120_000): Promise<void> {
  await waitFor('the server to be idle', async () => {
    const { rows } = await client.query<{ busy: number }>(
      `SELECT (SELECT count(*) FROM pg_stat_activity WHERE ${CRON_TASK_SQL} AND application_name <> 'pgdispatch warm runner')
            + (SELECT count(*) FROM cron.job WHERE jobname LIKE 'bench\\_%' OR jobname LIKE 'pgdispatch\\_job\\_%')
            + (SELECT count(*) FROM pgdispatch._job WHERE status IN ('scheduled', 'running')) AS busy`);
    return rows[0]?.busy === 0 ? true : undefined;
  }, { timeoutMs, intervalMs: 100 });
}
