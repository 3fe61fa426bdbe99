// list(): the caller's jobs from pgdispatch.jobs, newest first, filtered and paginated by id
// (keyset pagination: stable while new jobs arrive).
import type { Executor } from './connection.js';
import { toDispatchError } from './errors.js';
import type { JobsRow } from './generated/database.js';
import type { JobStatus } from './generated/api.js';
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
  /** Jobs per page: 1 to 1000, default 50. */
  readonly limit?: number;
  /** `nextCursor` of the previous page. */
  readonly cursor?: JobIdInput;
}

/**
 * One page of jobs, newest first.
 *
 * @example
 * for (const job of (await d.list()).jobs) console.log(job.id, job.status);
 */
export interface JobPage {
  readonly jobs: readonly JobsRow[];
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  readonly nextCursor: JobId | null;
}

/**
 * Builds the query of one page.
 *
 * @example
 * listQuery({ status: 'failed', limit: 10 }); // { text: 'SELECT * FROM pgdispatch.jobs WHERE status = ANY($1) ...', values }
 */
export function listQuery(filter: ListFilter): { text: string; values: unknown[]; limit: number } {
  const limit = filter.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new RangeError(`limit must be an integer from 1 to 1000, not ${limit}`);
  const where: string[] = [];
  const values: unknown[] = [];
  const add = (cond: (p: string) => string, v: unknown): void => {
    values.push(v);
    where.push(cond(`$${values.length}`));
  };
  if (filter.status !== undefined) {
    add((p) => `status = ANY(${p}::text[])`, typeof filter.status === 'string' ? [filter.status] : [...filter.status]);
  }
  if (filter.label !== undefined) add((p) => `label LIKE ${p}`, filter.label);
  if (filter.since) add((p) => `created_at >= ${p}`, filter.since);
  if (filter.until) add((p) => `created_at < ${p}`, filter.until);
  if (filter.cursor !== undefined) add((p) => `id < ${p}::bigint`, String(filter.cursor));
  values.push(limit + 1);
  const text = `SELECT * FROM pgdispatch.jobs${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT $${values.length}`;
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
  try {
    const { rows } = await exec.query<JobsRow>(text, values);
    const jobs = rows.slice(0, limit);
    return { jobs, nextCursor: rows.length > limit ? jobs[jobs.length - 1]!.id : null };
  } catch (e) {
    throw toDispatchError(e);
  }
}
