// The value types the client accepts and how they are sent to PostgreSQL.
import { invalid, jobIdText } from './validate.js';

/**
 * A duration: a number of milliseconds, or PostgreSQL interval text.
 *
 * @example
 * await d.snooze('SELECT 1', 90_000);          // 90 seconds
 * await d.snooze('SELECT 1', '10 minutes');    // any PostgreSQL interval literal
 */
export type Interval = number | string;

/**
 * A job id as returned by `fire()` (node-postgres reads `bigint` as a string).
 *
 * @example
 * const id: JobId = await d.fire('SELECT 1');
 */
export type JobId = string;

/**
 * What the client accepts as a job id: the string `fire()` returned, or a number or bigint.
 *
 * @example
 * await d.status(42);
 */
export type JobIdInput = JobId | number | bigint;

/** Converts a client value of the given SQL type to a query parameter. */
export function toParameter(sqlType: string, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (sqlType === 'interval' && typeof value === 'number') {
    if (!Number.isFinite(value)) throw invalid(`an interval must be a finite number of milliseconds, not ${value}`);
    return `${value} milliseconds`;
  }
  if (sqlType === 'bigint') return jobIdText(value, 'bigint argument');
  if (sqlType === 'bigint[]' && Array.isArray(value)) return value.map((v) => jobIdText(v, 'job id'));
  if (typeof value === 'bigint') return value.toString();
  if (sqlType === 'jsonb') return JSON.stringify(value);
  return value;
}
