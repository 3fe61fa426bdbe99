// Helpers every test file uses: connections to the test server, a fresh pg_dispatch, and waiting
// for asynchronous outcomes by polling with a deadline (never a fixed sleep).
import pg from 'pg';
import { inject } from 'vitest';

export const databaseUrl = (): string => inject('databaseUrl');

/** Connects to the test database (optionally as another role, which must be able to log in). */
export async function connect(options: { user?: string; database?: string } = {}): Promise<pg.Client> {
  const url = new URL(databaseUrl());
  if (options.user) url.username = options.user;
  if (options.database) url.pathname = `/${options.database}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  client.on('error', () => {}); // a test that kills sessions must not crash the run
  return client;
}

/**
 * How every test file gets its pg_dispatch. PGDISPATCH_TEST_INSTALL=upgrade runs the whole suite
 * on databases that were pg_dispatch 0.1.5 and were upgraded with ALTER EXTENSION UPDATE.
 */
export const installMode = process.env.PGDISPATCH_TEST_INSTALL === 'upgrade' ? 'upgrade' : 'fresh';

/** Drops pg_dispatch with everything it left in pg_cron, and removes the 0.1.5 jobs' leftovers. */
export async function dropExtension(client: pg.Client): Promise<void> {
  await client.query('CREATE EXTENSION IF NOT EXISTS pg_cron');
  // Runners that linger after their last job (settings.linger) go first.
  await client.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename LIKE 'pgdispatch\\_runner\\_%'`);
  await client.query('DROP EXTENSION IF EXISTS pg_dispatch CASCADE');
  await client.query(`SELECT cron.unschedule(jobid) FROM cron.job WHERE jobname LIKE 'pgdispatch\\_%'`);
  await client.query(`DELETE FROM cron.job_run_details`);
  // Runner identities outlive DROP EXTENSION (roles are the cluster's); test files install as
  // different owners, and a group made by one is not another's to add members to.
  await client.query(`DO $$DECLARE r text; BEGIN
    FOR r IN SELECT rolname FROM pg_roles WHERE rolname LIKE 'pgdispatch\\_runner\\_%' OR rolname = 'pgdispatch_runners' ORDER BY rolname DESC LOOP
      EXECUTE format('DROP OWNED BY %I', r);
      EXECUTE format('DROP ROLE %I', r);
    END LOOP; END$$`);
}

/**
 * Drops pg_dispatch and creates it again (see installMode). `shortLinger: false` leaves the
 * settings as installed: their UPDATE schedules the service jobs (the settings' trigger), which a
 * test of what CREATE EXTENSION alone leaves behind must not see.
 */
export async function freshExtension(client: pg.Client, { shortLinger = true }: { shortLinger?: boolean } = {}): Promise<void> {
  await dropExtension(client);
  if (installMode === 'upgrade') {
    await client.query(`CREATE EXTENSION pg_dispatch VERSION '0.1.5' CASCADE`);
    await client.query('ALTER EXTENSION pg_dispatch UPDATE');
  } else {
    await client.query('CREATE EXTENSION pg_dispatch');
  }
  // Runners linger a second, not ten: test files follow each other on one server, and idle
  // runners polling every 10 ms would load the next file (tests that need more set it).
  if (shortLinger) await client.query(`UPDATE pgdispatch.settings SET linger = '1 second'`);
}

/** Polls `probe` until it returns something other than undefined, or fails after the deadline. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  { timeoutMs = 15_000, intervalMs = 50 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export interface JobRow {
  id: string;
  status: string;
  attempts: number;
  started_at: Date | null;
  finished_at: Date | null;
  row_count: string | null;
  rows: unknown;
  error_sqlstate: string | null;
  error_message: string | null;
  error_detail: string | null;
  error_hint: string | null;
  error_context: string | null;
  [k: string]: unknown;
}

export const FINISHED = ['succeeded', 'failed', 'cancelled', 'timed_out'];

/** Waits until the job has one of `statuses` (default: any finished one) and returns its row. */
export async function waitForJob(
  client: pg.Client,
  id: string | number,
  statuses: readonly string[] = FINISHED,
  timeoutMs = 15_000,
): Promise<JobRow> {
  return waitFor(`job ${id} to be ${statuses.join('|')}`, async () => {
    const { rows } = await client.query<JobRow>('SELECT * FROM pgdispatch.jobs WHERE id = $1', [id]);
    return rows[0] && statuses.includes(rows[0].status) ? rows[0] : undefined;
  }, { timeoutMs });
}

/** Runs a statement expected to fail and returns the error (fails the test if it succeeds). */
export async function failure(client: pg.Client, sql: string, params: unknown[] = []): Promise<pg.DatabaseError> {
  try {
    await client.query(sql, params);
  } catch (e) {
    return e as pg.DatabaseError;
  }
  throw new Error(`expected an error from: ${sql}`);
}
