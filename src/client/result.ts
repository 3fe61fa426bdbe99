// The outcome of a job as `result()` returns it: pgdispatch.result()'s document, in camelCase.
import { parseExactJson, type ExactJson } from './exact-json.js';
import type { JobStatus } from './generated/api.js';
import type { JobId } from './values.js';

/**
 * The error a failed (or timed out, or cancelled) job recorded.
 *
 * @example
 * const { error } = await d.result(id); if (error) console.log(error.sqlstate, error.message);
 */
export interface JobError {
  readonly sqlstate: string;
  readonly message: string;
  readonly detail: string | null;
  readonly hint: string | null;
  readonly context: string | null;
}

/**
 * One row of a job's result, as the client reads it: JSON values with exact numbers (see `ExactJson`:
 * a number a JavaScript number would change, such as a bigint beyond 2^53 or a long numeric, is a
 * string with its exact digits).
 */
export type ResultRow = { readonly [column: string]: ExactJson };

/**
 * A job's outcome. `rows` are typed by the caller: `d.result<{ id: number }>(id)`. Numbers are
 * exact: one a JavaScript number would change (an integer beyond ±2^53 − 1, a decimal with more
 * significant digits than a double keeps) comes as a string with its exact digits, so type such a
 * column `string` (or `number | string` when its values may be either side of 2^53).
 *
 * @example
 * const r = await d.result<{ id: number; what: string }>(id);
 * if (r.status === 'succeeded') for (const row of r.rows ?? []) console.log(row.id, row.what);
 */
export interface JobResult<T = ResultRow> {
  readonly jobId: JobId;
  readonly status: JobStatus;
  readonly command: string;
  readonly label: string | null;
  /** Up to `settings.max_result_rows` rows when the command returned rows; null otherwise. */
  readonly rows: readonly T[] | null;
  /**
   * Rows returned or affected (exact, even when `rows` is truncated); null before it finished. A
   * bigint, as text like every bigint the client returns (job ids, `JobsRow.row_count`): `Number(rowCount)`.
   */
  readonly rowCount: string | null;
  /** Whether `rows` holds fewer rows than `rowCount`. */
  readonly truncated: boolean | null;
  /** The (last) error, or null. */
  readonly error: JobError | null;
  readonly attempts: number;
  readonly startedAt: Date | null;
  readonly finishedAt: Date | null;
}

/** pgdispatch.result()'s document as PostgreSQL builds it. */
interface ResultDocument {
  job_id: number | string;
  status: JobStatus;
  command: string;
  label: string | null;
  rows: unknown[] | null;
  row_count: number | string | null;
  truncated: boolean | null;
  error: JobError | null;
  attempts: number;
  started_at: string | null;
  finished_at: string | null;
}

/**
 * Converts pgdispatch.result()'s jsonb document to a JobResult. Pass it as text (`::text`) to keep
 * its numbers exact; an already parsed document is taken as it is.
 *
 * @example
 * const r = toJobResult<{ one: number }>((await pool.query('SELECT pgdispatch.result(42)::text AS r')).rows[0].r);
 */
export function toJobResult<T>(doc: unknown): JobResult<T> {
  const d = (typeof doc === 'string' ? parseExactJson(doc) : doc) as unknown as ResultDocument;
  return {
    jobId: String(d.job_id),
    status: d.status,
    command: d.command,
    label: d.label,
    rows: d.rows as T[] | null,
    rowCount: d.row_count === null ? null : String(d.row_count),
    truncated: d.truncated,
    error: d.error,
    attempts: d.attempts,
    startedAt: d.started_at ? new Date(d.started_at) : null,
    finishedAt: d.finished_at ? new Date(d.finished_at) : null,
  };
}
