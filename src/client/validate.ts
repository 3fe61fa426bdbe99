// Arguments the server would refuse are refused before any query, with the class (and SQLSTATE)
// the server would have raised: InvalidArgumentError (PD200) or LabelTooLongError (PD201). What only
// the server can judge (interval text, comments-only commands, quotas) is left to it.
import { jobStatuses } from './generated/api.js';
import { InvalidArgumentError, InvalidQueueError, LabelTooLongError } from './generated/errors.js';

/** The largest label pg_dispatch keeps, in bytes of UTF-8. */
export const maxLabelBytes = 64;

const int8Max = 9223372036854775807n;
const int4Max = 2147483647;

const show = (v: unknown): string => (typeof v === 'bigint' ? `${v}n` : typeof v === 'string' ? JSON.stringify(v) : String(v));

/** An InvalidArgumentError raised by the client itself (sqlstate PD200, like the server's). */
export function invalid(message: string, hint?: string): InvalidArgumentError {
  return new InvalidArgumentError(`pg_dispatch: ${message}`, { sqlstate: 'PD200', ...(hint ? { hint } : {}) });
}

/**
 * A job id as the text PostgreSQL reads: an integer (number, bigint or decimal string) within
 * bigint's range. Anything else is an InvalidArgumentError.
 *
 * @example
 * jobIdText(42); // '42'
 * jobIdText('1.5'); // throws InvalidArgumentError
 */
export function jobIdText(value: unknown, what = 'job id'): string {
  let n: bigint | null = null;
  if (typeof value === 'bigint') n = value;
  else if (typeof value === 'number' && Number.isSafeInteger(value)) n = BigInt(value);
  else if (typeof value === 'string' && /^-?\d{1,19}$/.test(value)) n = BigInt(value);
  if (n === null || n > int8Max || n < -int8Max - 1n) {
    throw invalid(`a ${what} must be an integer (a number, bigint or string of digits), not ${show(value)}`, 'Pass the id fire() returned, e.g. d.status(id).');
  }
  return n.toString();
}

/**
 * A duration argument: milliseconds (finite, zero or more; more than zero where `positive`) or
 * PostgreSQL interval text (not empty; its sign is the server's to judge).
 */
function checkInterval(value: unknown, what: string, positive: boolean): void {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0 || (positive && value === 0)) {
      throw invalid(`${what} must be a finite number of milliseconds ${positive ? 'above zero' : 'of zero or more'}, not ${show(value)}`,
        `Pass e.g. 30_000 or '30 seconds'.`);
    }
  } else if (typeof value !== 'string' || value.trim() === '') {
    throw invalid(`${what} must be milliseconds or PostgreSQL interval text such as '10 minutes', not ${show(value)}`);
  }
}

/** Checks one argument of a public function by its client option name; unknown names pass. */
function checkArg(fnName: string, option: string, value: unknown): void {
  switch (option) {
    case 'command':
      if (typeof value !== 'string' || /^[\s;]*$/.test(value)) {
        throw invalid('the command is empty', `Pass the SQL to run, e.g. d.fire('SELECT 1').`);
      }
      return;
    case 'label':
      if (typeof value !== 'string') throw invalid(`a label must be a string, not ${show(value)}`);
      const bytes = new TextEncoder().encode(value).length;
      if (bytes > maxLabelBytes) {
        throw new LabelTooLongError(`pg_dispatch: the label is ${bytes} bytes long, more than ${maxLabelBytes}`,
          { sqlstate: 'PD201', hint: `Use a shorter label, e.g. 'billing/prod/req-8f3a'.` });
      }
      return;
    case 'delay':
    case 'olderThan':
      checkInterval(value, option === 'delay' ? 'the delay' : 'olderThan', false);
      return;
    case 'timeout':
      checkInterval(value, 'the timeout', fnName !== 'wait'); // wait(id, 0) reads the status now
      return;
    case 'maxAttempts':
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > int4Max) {
        throw invalid(`maxAttempts must be an integer of 1 or more, not ${show(value)}`, 'maxAttempts: 1 runs a job once; 3 allows two retries.');
      }
      return;
    case 'commands':
      if (!Array.isArray(value) || value.length === 0) throw invalid('commands must be a non-empty array of commands', `Pass e.g. d.fireMany(['SELECT 1', 'SELECT 2']).`);
      for (const c of value) checkArg(fnName, 'command', c);
      return;
    case 'args':
      if (fnName === 'fire_many') {
        if (!Array.isArray(value) || value.some((a) => a !== null && !Array.isArray(a))) {
          throw invalid('args of fireMany must be an array with, per command, an array of values or null', `Pass e.g. { args: [[41], [42]] }.`);
        }
        return;
      }
      if (!Array.isArray(value)) {
        throw invalid(`args must be an array of the values for $1, $2, ..., not ${show(value)}`, `Pass e.g. { args: [42, 'express'] }.`);
      }
      return;
    case 'key':
      if (typeof value !== 'string' || value === '' || new TextEncoder().encode(value).length > 200) {
        throw invalid(`a key must be a string of 1 to 200 bytes, not ${show(value)}`, `Use a short name for the work, e.g. 'refresh:orders'.`);
      }
      return;
    case 'keyMode':
      if (value !== 'keep' && value !== 'replace' && value !== 'debounce') {
        throw invalid(`keyMode must be keep, replace or debounce, not ${show(value)}`);
      }
      return;
    case 'debounce':
      checkInterval(value, 'debounce', true);
      return;
    case 'maxWait':
      checkInterval(value, 'maxWait', false);
      return;
    case 'priority':
      if (typeof value !== 'number' || !Number.isInteger(value) || value < -int4Max - 1 || value > int4Max) {
        throw invalid(`priority must be an integer, not ${show(value)}`, 'Lower runs first; 0 is the default.');
      }
      return;
    case 'queue':
      checkQueueName(value);
      return;
    case 'name':
      if (fnName.endsWith('_queue')) checkQueueName(value);
      return;
    case 'concurrency':
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > int4Max) {
        throw new InvalidQueueError(`pg_dispatch: a queue's concurrency must be an integer of 1 or more (or null for no limit), not ${show(value)}`,
          { sqlstate: 'PD206', hint: 'concurrency: 1 runs its jobs one at a time.' });
      }
      return;
    case 'after':
      if (!Array.isArray(value)) throw invalid(`after must be an array of job ids, not ${show(value)}`, 'Pass e.g. { after: [id1, id2] } with ids fire() returned.');
      for (const id of value) jobIdText(id, 'job id in after');
      return;
    case 'runAt':
      if (value instanceof Date ? Number.isNaN(value.getTime()) : typeof value !== 'string' || value.trim() === '') {
        throw invalid(`the time to run at must be a valid Date or timestamptz text, not ${show(value)}`);
      }
      return;
    case 'jobId':
      jobIdText(value);
      return;
    case 'pattern':
    case 'searchPath':
    case 'roleName':
      if (typeof value !== 'string') throw invalid(`${option} must be a string, not ${show(value)}`);
      return;
  }
}

/** A queue name: 1 to 64 bytes (InvalidQueueError, PD206, as the server says). */
function checkQueueName(value: unknown): void {
  if (typeof value !== 'string' || value === '' || new TextEncoder().encode(value).length > 64) {
    throw new InvalidQueueError(`pg_dispatch: a queue name must be a string of 1 to 64 bytes, not ${show(value)}`,
      { sqlstate: 'PD206', hint: `Use a short name, e.g. 'emails'.` });
  }
}

/**
 * Checks a call's arguments (required ones by position, options by name; null or undefined
 * options are left to their SQL defaults and pass).
 *
 * @example
 * checkArgs(fire, ['SELECT 1'], { maxAttempts: 0 }); // throws InvalidArgumentError
 */
export function checkArgs(fn: { readonly name: string; readonly args: readonly { readonly option: string; readonly required: boolean }[] }, required: readonly unknown[], options: object): void {
  const opts = options as Record<string, unknown>;
  let i = 0;
  for (const a of fn.args) {
    const v = a.required ? required[i++] : opts[a.option];
    if (!a.required && (v === undefined || v === null)) continue;
    checkArg(fn.name, a.option, v);
  }
}

/**
 * Checks the options of the client's wait().
 *
 * @example
 * checkWaitOptions({ timeoutMs: -1 }); // throws InvalidArgumentError
 */
export function checkWaitOptions(o: { readonly timeoutMs?: number | undefined; readonly pollIntervalMs?: number | undefined }): void {
  if (o.timeoutMs !== undefined && (typeof o.timeoutMs !== 'number' || !Number.isFinite(o.timeoutMs) || o.timeoutMs < 0)) {
    throw invalid(`timeoutMs must be a finite number of milliseconds of zero or more, not ${show(o.timeoutMs)}`);
  }
  if (o.pollIntervalMs !== undefined && (typeof o.pollIntervalMs !== 'number' || !Number.isFinite(o.pollIntervalMs) || o.pollIntervalMs <= 0)) {
    throw invalid(`pollIntervalMs must be a finite number of milliseconds above zero, not ${show(o.pollIntervalMs)}`);
  }
}

/**
 * Checks the filter of list().
 *
 * @example
 * checkListFilter({ limit: 0 }); // throws InvalidArgumentError
 */
export function checkListFilter(f: { readonly status?: unknown; readonly label?: unknown; readonly since?: unknown; readonly until?: unknown; readonly limit?: unknown; readonly cursor?: unknown }): void {
  if (f.limit !== undefined && (typeof f.limit !== 'number' || !Number.isInteger(f.limit) || f.limit < 1 || f.limit > 1000)) {
    throw invalid(`limit must be an integer from 1 to 1000, not ${show(f.limit)}`);
  }
  if (f.status !== undefined) {
    const statuses = typeof f.status === 'string' ? [f.status] : f.status;
    if (!Array.isArray(statuses) || statuses.some((s) => !(jobStatuses as readonly unknown[]).includes(s))) {
      throw invalid(`status must be one of ${jobStatuses.join(', ')} (or a list of them), not ${show(JSON.stringify(f.status))}`);
    }
  }
  if (f.label !== undefined && typeof f.label !== 'string') throw invalid(`label must be a LIKE pattern, not ${show(f.label)}`);
  for (const [k, v] of [['since', f.since], ['until', f.until]] as const) {
    if (v !== undefined && !(v instanceof Date && !Number.isNaN(v.getTime()))) throw invalid(`${k} must be a valid Date, not ${show(v)}`);
  }
  if (f.cursor !== undefined) jobIdText(f.cursor, 'cursor');
}
