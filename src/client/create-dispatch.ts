// createDispatch(): the typed client over a pg Pool/Client/PoolClient or a Kysely instance.
import * as api from './generated/api.js';
import { invoke, invokeInTransaction } from './call.js';
import { executor, isKysely, isPgClient, isPool, type Connection } from './connection.js';
import { abortedTransactionHint, TransactionAbortedError } from './errors.js';
import { JobNotCommittedError, JobNotFoundError, NotSupportedError } from './generated/errors.js';
import { listJobs, type JobPage, type ListFilter } from './list.js';
import { NoticeListener, type ListenSource } from './notices.js';
import { toJobResult, type JobResult, type ResultRow } from './result.js';
import { checkWaitOptions, jobIdText } from './validate.js';
import type { JobId, JobIdInput } from './values.js';
import type { QueuesRow, SchedulesRow } from './generated/database.js';
import { waitForJob, type WaitOptions } from './wait.js';

/**
 * Options every call takes: `client`, the transaction to run in (a Kysely `Transaction` or a
 * checked-out pg client inside BEGIN), so that a job fired there is rolled back with it.
 *
 * @example
 * await db.transaction().execute(async (trx) => {
 *   await trx.insertInto('orders').values(order).execute();
 *   await d.fire('CALL ship_order(42)', { client: trx });   // no order, no job
 * });
 */
export interface CallOptions {
  readonly client?: Connection;
}

/** The arguments of a method: the function's required SQL arguments, then its options. */
type Args<K extends keyof api.PgDispatchApi> = [...api.PgDispatchApi[K]['required'], options?: api.PgDispatchApi[K]['options'] & CallOptions];

/**
 * Options of `createDispatch()`.
 *
 * @example
 * createDispatch(pool, { pollIntervalMs: 2000 });
 * createDispatch(kysely, { listen: process.env.DATABASE_URL });
 */
export interface DispatchOptions {
  /**
   * Where `wait()` hears completion notices. Default: the Pool (one connection is held while waits
   * are pending) or the Client given. A Kysely instance cannot LISTEN (Kysely does not expose the
   * pg Pool of its `PostgresDialect`), so it polls unless given that Pool, a Client or a connection
   * string here. `false`: polling only (e.g. behind a transaction-mode pooler, where LISTEN is
   * accepted but notices never arrive).
   */
  readonly listen?: ListenSource;
  /**
   * How often `wait()` reads the status when no notice comes (default 1000 ms). Without LISTEN,
   * the first reads come sooner: 10 ms after the first, each pause half as long again as the one
   * before, up to this (about ten reads in the first second), so a job that ends in milliseconds
   * is seen in milliseconds.
   */
  readonly pollIntervalMs?: number;
}

/**
 * The client. Every method maps one pg_dispatch function; see `createDispatch()`.
 *
 * @example
 * const d = createDispatch(pool);
 * const id = await d.fire('SELECT count(*) FROM orders', { label: 'report/daily', timeout: 60_000 });
 * await d.wait(id, { timeoutMs: 10_000 });
 * const { status, rows } = await d.result<{ count: string }>(id);
 */
export interface Dispatch {
  /**
   * Fires `command`: it runs as soon as possible (1-2 s) after the calling transaction commits. Returns the job's id.
   *
   * @example
   * const id = await d.fire('UPDATE accounts SET balance = balance - 10 WHERE id = 42', { label: 'billing/req-8f3a', maxAttempts: 3 });
   */
  fire(...args: Args<'fire'>): Promise<JobId>;
  /**
   * Like `fire()`, not before `delay` (milliseconds or interval text) has passed.
   *
   * @example
   * await d.snooze('DELETE FROM sessions WHERE expires_at < now()', '10 minutes');
   */
  snooze(...args: Args<'snooze'>): Promise<JobId>;
  /**
   * Fires `command` to run at `runAt`.
   *
   * @example
   * await d.fireAt('CALL close_books()', new Date('2030-01-01T00:00:00Z'));
   */
  fireAt(...args: Args<'fireAt'>): Promise<JobId>;
  /**
   * Fires each of `commands` in one call (one job each, all or none); returns their ids in order.
   *
   * @example
   * const ids = await d.fireMany(['SELECT ship_order($1)', 'SELECT ship_order($1)'], { args: [[41], [42]] });
   */
  fireMany(...args: Args<'fireMany'>): Promise<JobId[]>;
  /**
   * The job's status now.
   *
   * @example
   * if ((await d.status(id)) === 'failed') { ... }
   */
  status(...args: Args<'status'>): Promise<api.JobStatus>;
  /**
   * Resolves to the job's status once it has finished, or after `timeoutMs` (default 30 s) with its status then.
   * Woken by pg_dispatch's completion notices (LISTEN pgdispatch); polls when LISTEN is unavailable
   * (from 10 ms, growing to `pollIntervalMs`).
   * Rejects at once with `JobNotCommittedError` (PD101) when the job was fired in a transaction
   * that is still open: in `client`, or (fired by this client with `{ client }`) in one not passed here;
   * with `TransactionAbortedError` (25P02) when `client` is in a transaction that has failed, or
   * the job, not found, was fired by this client in a transaction that has failed since.
   *
   * @example
   * const status = await d.wait(id, { timeoutMs: 5000 });
   */
  wait(id: JobIdInput, options?: WaitOptions): Promise<api.JobStatus>;
  /**
   * The job's outcome: `{ status, rows, rowCount, truncated, error, attempts, ... }`, rows typed as `T`.
   * Numbers are exact: a bigint beyond 2^53 or a long numeric comes as a string of its digits
   * (`ExactJson`); `rowCount` is a bigint as text.
   *
   * @example
   * const { rows } = await d.result<{ id: number; email: string }>(id);
   */
  result<T = ResultRow>(id: JobIdInput, options?: CallOptions): Promise<JobResult<T>>;
  /**
   * Cancels a job; false when it had already finished.
   *
   * @example
   * await d.cancel(id);
   */
  cancel(...args: Args<'cancel'>): Promise<boolean>;
  /**
   * Cancels every unfinished job of the caller whose label matches a LIKE pattern; returns how many.
   *
   * @example
   * const n = await d.cancelByLabel('billing/%');
   */
  cancelByLabel(...args: Args<'cancelByLabel'>): Promise<number>;
  /**
   * Fires a job that ended `failed`, `cancelled` or `timed_out` again, as a new job linked to it; returns the new id.
   *
   * @example
   * const again = await d.retry(id);
   */
  retry(...args: Args<'retry'>): Promise<JobId>;
  /**
   * One page of the caller's jobs, newest first, typed (`Job`: status a `JobStatus`, times `Date`s,
   * timeout in milliseconds, bigints as text, rows with exact numbers).
   *
   * @example
   * const { jobs, nextCursor } = await d.list({ status: 'failed', label: 'billing/%', limit: 20 });
   */
  list(filter?: ListFilter & CallOptions): Promise<JobPage>;
  /**
   * Defines (or replaces, by name) a recurring schedule of the caller: each occurrence of the cron
   * expression, read in `timeZone` (default UTC), runs `command` as an ordinary job. Returns the schedule's id.
   *
   * @example
   * await d.schedule('nightly-cleanup', '30 2 * * *', 'DELETE FROM sessions WHERE expires_at < now()',
   *   { timeZone: 'Europe/Berlin', overlap: 'skip', timeout: '10 minutes' });
   */
  schedule(...args: Args<'schedule'>): Promise<string>;
  /**
   * Removes a schedule of the caller (its occurrences not yet started are cancelled); rejects with
   * `ScheduleNotFoundError` (PD103) when there is none of that name.
   *
   * @example
   * await d.unschedule('nightly-cleanup');
   */
  unschedule(...args: Args<'unschedule'>): Promise<boolean>;
  /**
   * The caller's schedules (an admin: all), by name: definition, next run, last run with its status
   * and duration, counts of kept occurrences.
   *
   * @example
   * for (const s of await d.schedules()) console.log(s.name, s.next_run_at, s.last_status);
   */
  schedules(options?: CallOptions): Promise<readonly SchedulesRow[]>;
  /**
   * Sets a queue's limits (of the caller's role and end user): `concurrency` (1: one at a time,
   * in order; null: no limit) and `paused`.
   *
   * @example
   * await d.setQueue('emails', { concurrency: 1 });
   */
  setQueue(...args: Args<'setQueue'>): Promise<void>;
  /**
   * Pauses a queue of the caller: its jobs wait, holding nothing; false if it was paused already.
   *
   * @example
   * await d.pauseQueue('emails');
   */
  pauseQueue(...args: Args<'pauseQueue'>): Promise<boolean>;
  /**
   * Resumes a paused queue of the caller; false if it was not paused.
   *
   * @example
   * await d.resumeQueue('emails');
   */
  resumeQueue(...args: Args<'resumeQueue'>): Promise<boolean>;
  /**
   * The caller's queues (an admin: all): limits, and how many of their jobs wait and run.
   *
   * @example
   * for (const q of await d.queues()) console.log(q.name, q.concurrency, q.waiting, q.running);
   */
  queues(options?: CallOptions): Promise<readonly QueuesRow[]>;
  /**
   * Gives back the listening connection, if one is held (the connection you passed stays open).
   *
   * @example
   * await d.close(); await pool.end();
   */
  close(): Promise<void>;
}

// Every public SQL function has its method (src/ says why where there deliberately is none): a new
// function in the model without one makes this line fail to compile.
type MissingMethods = Exclude<api.ClientMethodName, keyof Dispatch>;
export const everyFunctionHasAMethod: [MissingMethods] extends [never] ? true : MissingMethods = true;

/** How many jobs fired with `{ client }` a Dispatch remembers, for wait() to tell they have not committed. */
const rememberedJobs = 1000;

/** The transaction state of a pg client ('I' idle, 'T' in a transaction, 'E' in a failed one), if pg tells. */
function transactionStatus(c: Connection): string | null | undefined {
  if (!isPgClient(c)) return undefined;
  const get = (c as { getTransactionStatus?: () => string | null }).getTransactionStatus;
  return typeof get === 'function' ? get.call(c) : undefined;
}

function defaultListenSource(c: Connection): ListenSource {
  if (isKysely(c)) return false;
  if (isPool(c) || isPgClient(c)) return c;
  return false;
}

/**
 * Creates the client over a pg Pool, Client or PoolClient, or a Kysely instance.
 *
 * @example
 * import pg from 'pg';
 * import { createDispatch } from 'pg_dispatch';
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * const d = createDispatch(pool);
 * const id = await d.fire('SELECT 1 AS one', { label: 'hello' });
 * await d.wait(id, { timeoutMs: 10_000 });
 * console.log((await d.result<{ one: number }>(id)).rows);
 */
export function createDispatch(connection: Connection, options: DispatchOptions = {}): Dispatch {
  const main = executor(connection);
  const via = (o?: CallOptions) => (o?.client ? executor(o.client) : main);
  const listener = new NoticeListener(options.listen ?? defaultListenSource(connection));
  const pollIntervalMs = options.pollIntervalMs ?? 1000;

  /** Calls the generated function `fn` with a method's arguments: its required ones, then options. */
  function call<T>(fn: api.SqlFunction, args: readonly unknown[]): Promise<T> {
    const n = fn.args.filter((a) => a.required).length;
    const opts = (args[n] ?? {}) as CallOptions;
    return invoke<T>(via(opts), fn, args.slice(0, n), opts);
  }

  const status = (...args: Args<'status'>) => call<api.StatusReturns>(api.status, args) as Promise<api.JobStatus>;

  // Jobs fired through `{ client }` (a transaction) or a single pg client, by id, with that connection and the id of the
  // transaction that fired them: so that wait() can tell a job whose transaction is still open,
  // instead of not finding it (or waiting on the pool for the very connection that transaction holds).
  const firedIn = new Map<string, { readonly client: Connection; readonly xact: string }>();
  async function fireVia<T extends JobId | JobId[]>(fn: api.SqlFunction, args: readonly unknown[]): Promise<T> {
    const n = fn.args.filter((a) => a.required).length;
    const opts = (args[n] ?? {}) as CallOptions;
    // A pool or Kysely commits each call of its own; a single pg client may be inside BEGIN.
    const client = opts.client ?? (isPgClient(connection) ? connection : undefined);
    if (!client) return invoke<T>(main, fn, args.slice(0, n), opts);
    const { value, xact } = await invokeInTransaction<T>(executor(client), fn, args.slice(0, n), opts);
    for (const id of typeof value === 'string' ? [value] : value) {
      firedIn.set(id, { client, xact });
      if (firedIn.size > rememberedJobs) firedIn.delete(firedIn.keys().next().value!);
    }
    return value;
  }

  /**
   * Rejects with JobNotCommittedError when `client` is still in transaction `xact`, which fired job
   * `id`. Asks with a query that cannot fail (so that it never aborts the transaction it runs in),
   * and only a connection that is inside a transaction; a Kysely transaction already over refuses it.
   * Resolves to true when that connection is in a transaction that has failed (pg says so, or the
   * query got 25P02): it cannot tell which, so wait() reads the job, and says so if it is missing.
   */
  async function notPendingIn(client: Connection, xact: string, id: string): Promise<boolean> {
    const state = transactionStatus(client);
    if (state === 'E') return true;
    if (state !== 'T' && !(isKysely(client) && (client as { isTransaction?: boolean }).isTransaction === true)) return false;
    let now: string | null | undefined;
    try {
      ({ rows: [{ now } = { now: null }] } = await executor(client).query<{ now: string | null }>('SELECT pg_catalog.pg_current_xact_id_if_assigned()::text AS now', []));
    } catch (e) {
      // A failed transaction; else one already over (Kysely says so), or a connection gone: not this one's to say.
      return (e as { code?: unknown } | null)?.code === '25P02';
    }
    if (now === xact) {
      throw new JobNotCommittedError(`pg_dispatch: job ${id} was fired in a transaction that is still open, which must commit before it can run`,
        { sqlstate: 'PD101', hint: 'COMMIT, then wait for the job.' });
    }
    return false;
  }

  async function wait(id: JobIdInput, o: WaitOptions = {}): Promise<api.JobStatus> {
    checkWaitOptions(o);
    const key = jobIdText(id);
    const exec = via(o);
    const fired = firedIn.get(key);
    const firedInFailed = fired ? await notPendingIn(fired.client, fired.xact, key) : false;
    // The first read is pgdispatch.wait(id, 0): the status now, or PD101 when the job was fired in
    // this still-open transaction (or PD402 in one that is not READ COMMITTED).
    const read = async (n: number): Promise<api.JobStatus> => {
      if (n > 0) return (await invoke<string>(exec, api.status, [key])) as api.JobStatus;
      try {
        return (await invoke<string>(exec, api.wait, [key], { timeout: 0 })) as api.JobStatus;
      } catch (e) {
        // Outside a transaction of the caller's, each poll is a transaction of its own and sees changes.
        if (e instanceof NotSupportedError && !o.client) return (await invoke<string>(exec, api.status, [key])) as api.JobStatus;
        // Not found, and fired by a transaction that has failed since: it never will be.
        if (e instanceof JobNotFoundError && firedInFailed) {
          throw new TransactionAbortedError(`pg_dispatch: job ${key} was fired in a transaction that has failed since, so it will never exist`,
            { cause: e, sqlstate: '25P02', hint: abortedTransactionHint });
        }
        throw e;
      }
    };
    return waitForJob(key, read, listener, o, pollIntervalMs);
  }

  return {
    fire: (...args) => fireVia<JobId>(api.fire, args),
    snooze: (...args) => fireVia<JobId>(api.snooze, args),
    fireAt: (...args) => fireVia<JobId>(api.fireAt, args),
    fireMany: (...args) => fireVia<JobId[]>(api.fireMany, args),
    status,
    wait,
    async result<T>(id: JobIdInput, o?: CallOptions) {
      return toJobResult<T>(await call<api.ResultReturns>(api.result, [id, o]));
    },
    cancel: (...args) => call<api.CancelReturns>(api.cancel, args),
    cancelByLabel: (...args) => call<api.CancelByLabelReturns>(api.cancelByLabel, args),
    retry: (...args) => fireVia<JobId>(api.retry, args),
    list: (filter = {}) => listJobs(via(filter), filter),
    schedule: (...args) => call<api.ScheduleReturns>(api.schedule, args),
    unschedule: (...args) => call<api.UnscheduleReturns>(api.unschedule, args),
    async schedules(o?: CallOptions) {
      return (await via(o).query<SchedulesRow>('SELECT * FROM pgdispatch.schedules ORDER BY name, id', [])).rows;
    },
    setQueue: async (...args) => { await call<api.SetQueueReturns>(api.setQueue, args); },
    pauseQueue: (...args) => call<api.PauseQueueReturns>(api.pauseQueue, args),
    resumeQueue: (...args) => call<api.ResumeQueueReturns>(api.resumeQueue, args),
    async queues(o?: CallOptions) {
      return (await via(o).query<QueuesRow>('SELECT * FROM pgdispatch.queues ORDER BY role, sub NULLS FIRST, name', [])).rows;
    },
    close: () => listener.close(),
  };
}
