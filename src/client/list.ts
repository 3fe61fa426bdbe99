// list(): the caller's jobs from pgdispatch.jobs, newest first, filtered and paginated by id
// (keyset pagination: stable while new jobs arrive). Each row is read as one jsonb document (text)
// and typed here, whatever type parsers the connection has: bigints as text, times as Date, the
// timeout in milliseconds, rows with exact numbers.
import type { Executor } from './connection.js';
import { toDispatchError } from './errors.js';
import { parseExactJson } from './exact-json.js';
import type { JobsRow } from './generated/database.js';
import type { JobStatus } from './generated/api.js';
import type { ResultRow } from './result.js';
import { checkListFilter, jobIdText } from './validate.js';
import type { JobId, JobIdInput } from './values.js';

/**
 * Filters and page of `list()`.
 *
 * @example
 * const page = await d.list({ status: ['failed', 'timed_out'], label: 'billing/%', since: new Date(Date.now() - 3600_000), limit: 20 });
 * const next = page.nextCursor ? await d.list({ cursor: page.nextCursor, limit: 20 }) : null;
 */
export interface ListFilter {
  /** One status or several. */
  readonly status?: JobStatus | readonly JobStatus[];
  /** A LIKE pattern on the label, e.g. `billing/%` (exact match when it has no `%` or `_`). */
  readonly label?: string;
  /** Jobs fired at or after this time. */
  readonly since?: Date;
  /** Jobs fired before this time. */
  readonly until?: Date;
  /** Jobs per page: 1 to 1000, default 50 (anything else: InvalidArgumentError). */
  readonly limit?: number;
  /** `nextCursor` of the previous page. */
  readonly cursor?: JobIdInput;
}

/**
 * One failed attempt of a job, as `attempt_log` keeps it.
 *
 * @example
 * for (const a of job.attempt_log) console.log(a.attempt, a.sqlstate, a.failed_at);
 */
export interface JobAttempt {
  readonly attempt: number;
  readonly started_at: Date | null;
  readonly failed_at: Date;
  readonly sqlstate: string;
  readonly message: string;
}

/**
 * One job as `list()` returns it: the columns of `pgdispatch.jobs` (`JobsRow`), typed. `status` is
 * a `JobStatus`; `created_at`, `run_at`, `started_at` and `finished_at` are `Date`s (a job fired at
 * `infinity` has the latest Date, +275760-09-13); `timeout` is in milliseconds (a PostgreSQL
 * interval counted with 30-day months and 24-hour days, as `extract(epoch ...)` does), null for
 * none; `id`, `row_count` and `retry_of` are bigints as text; `rows` has exact numbers (see
 * `ExactJson`).
 *
 * @example
 * const [job] = (await d.list({ limit: 1 })).jobs;
 * if (job && job.status === 'timed_out') console.log(`${job.id} stopped after ${job.timeout} ms`);
 */
export interface Job extends Omit<JobsRow, 'status' | 'timeout' | 'rows' | 'attempt_log'> {
  readonly status: JobStatus;
  /** Its time limit per attempt, in milliseconds; null for none. */
  readonly timeout: number | null;
  /** Rows returned by a command of one statement (up to settings.max_result_rows), numbers exact. */
  readonly rows: readonly ResultRow[] | null;
  /** Every failed attempt. */
  readonly attempt_log: readonly JobAttempt[];
}

/**
 * One page of jobs, newest first.
 *
 * @example
 * for (const job of (await d.list()).jobs) console.log(job.id, job.status);
 */
export interface JobPage {
  readonly jobs: readonly Job[];
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  readonly nextCursor: JobId | null;
}

// Every timestamptz column of the view, read as epoch milliseconds; the check below fails to
// compile when the view gains one that is not listed.
const timeColumns = ['created_at', 'run_at', 'started_at', 'finished_at', 'after_run_at'] as const;
type TimeColumn = { [K in keyof JobsRow]-?: unknown extends JobsRow[K] ? never : JobsRow[K] extends Date | null ? K : never }[keyof JobsRow];
export const everyTimeColumnIsRead: Exclude<TimeColumn, (typeof timeColumns)[number]> extends never ? true : never = true;
// The bigint columns, read as text (the generated JobsRow has them as string).
const bigintColumns = ['id', 'row_count', 'retry_of'] as const satisfies readonly (keyof JobsRow)[];

/** The select list: the row as jsonb, with bigints as text, times as epoch ms text, timeout as ms. */
const jobDocument = `(to_jsonb(j) || jsonb_build_object(${[
  ...bigintColumns.map((c) => `'${c}', j.${c}::text`),
  ...timeColumns.map((c) => `'${c}', (extract(epoch FROM j.${c}) * 1000)::text`),
  `'timeout', extract(epoch FROM j.timeout) * 1000`,
  `'after', to_jsonb(j.after::text[])`,
].join(', ')}))::text AS job`;

/** A Date from epoch milliseconds as text; ±infinity as the latest and earliest Dates. */
function toDate(ms: unknown): Date | null {
  if (ms === null || ms === undefined) return null;
  const n = Number(ms);
  return new Date(n === Infinity ? 8.64e15 : n === -Infinity ? -8.64e15 : n);
}

/**
 * Types one row of the list query's result.
 *
 * @example
 * toJob('{"id": "42", "status": "succeeded", "timeout": 5000, ...}');
 */
export function toJob(text: string): Job {
  const doc = parseExactJson(text) as Record<string, unknown>;
  for (const c of timeColumns) doc[c] = toDate(doc[c]);
  if (typeof doc.timeout === 'string') doc.timeout = Number(doc.timeout); // beyond 2^53 ms: a rounded number still
  const log = Array.isArray(doc.attempt_log) ? (doc.attempt_log as Record<string, unknown>[]) : [];
  doc.attempt_log = log.map((a) => ({
    ...a,
    started_at: typeof a.started_at === 'string' ? new Date(a.started_at) : null,
    failed_at: new Date(String(a.failed_at)),
  }));
  return doc as unknown as Job;
}

/**
 * Builds the query of one page (after checking the filter: InvalidArgumentError).
 *
 * @example
 * listQuery({ status: 'failed', limit: 10 }); // { text: 'SELECT ... FROM pgdispatch.jobs AS j WHERE status = ANY($1) ...', values }
 */
export function listQuery(filter: ListFilter): { text: string; values: unknown[]; limit: number } {
  checkListFilter(filter);
  const limit = filter.limit ?? 50;
  const where: string[] = [];
  const values: unknown[] = [];
  const add = (cond: (p: string) => string, v: unknown): void => {
    values.push(v);
    where.push(cond(`$${values.length}`));
  };
  if (filter.status !== undefined) {
    add((p) => `j.status = ANY(${p}::text[])`, typeof filter.status === 'string' ? [filter.status] : [...filter.status]);
  }
  if (filter.label !== undefined) add((p) => `j.label LIKE ${p}`, filter.label);
  if (filter.since) add((p) => `j.created_at >= ${p}::timestamptz`, filter.since);
  if (filter.until) add((p) => `j.created_at < ${p}::timestamptz`, filter.until);
  if (filter.cursor !== undefined) add((p) => `j.id < ${p}::bigint`, jobIdText(filter.cursor, 'cursor'));
  values.push(limit + 1);
  const text = `SELECT ${jobDocument} FROM pgdispatch.jobs AS j${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY j.id DESC LIMIT $${values.length}`;
  return { text, values, limit };
}

/**
 * Reads one page of jobs.
 *
 * @example
 * const { jobs, nextCursor } = await listJobs(executor(pool), { limit: 10 });
 */
export async function listJobs(exec: Executor, filter: ListFilter = {}): Promise<JobPage> {
  const { text, values, limit } = listQuery(filter);
  let docs: readonly { job: string }[];
  try {
    ({ rows: docs } = await exec.query<{ job: string }>(text, values));
  } catch (e) {
    throw toDispatchError(e);
  }
  const jobs = docs.slice(0, limit).map((r) => toJob(r.job));
  return { jobs, nextCursor: docs.length > limit ? jobs[jobs.length - 1]!.id : null };
}
