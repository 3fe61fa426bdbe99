// One call of a public SQL function, built from its generated descriptor: required arguments in
// order, options by name (left out, the SQL default applies), each cast to its SQL type.
import type { SqlFunction } from './generated/api.js';
import { InvalidArgumentError, toDispatchError, type PgDispatchError } from './errors.js';
import type { Executor } from './connection.js';
import { parseExactJson } from './exact-json.js';
import { checkArgs } from './validate.js';
import { toParameter } from './values.js';

/** A statement and its parameters. */
export interface SqlCall {
  readonly text: string;
  readonly values: readonly unknown[];
}

/**
 * Builds `SELECT schema.fn($1::type, name => $2::type, ...) AS value` for a generated descriptor,
 * after checking the arguments (InvalidArgumentError before any query). A jsonb result is read as
 * text (`::text`), for invoke() to parse with exact numbers.
 *
 * @example
 * buildCall(fire, ['SELECT 1'], { label: 'x' });
 * // { text: "SELECT pgdispatch.fire($1::text, label => $2::text) AS value", values: ['SELECT 1', 'x'] }
 */
export function buildCall(fn: SqlFunction, required: readonly unknown[], options: object = {}): SqlCall {
  const values: unknown[] = [];
  const parts: string[] = [];
  const opts = options as Record<string, unknown>;
  checkArgs(fn, required, options);
  let i = 0;
  for (const a of fn.args) {
    if (a.required) {
      if (i >= required.length) throw new TypeError(`${fn.call}: missing argument ${a.option}`);
      values.push(toParameter(a.type, required[i++]));
      parts.push(`$${values.length}::${a.type}`);
    } else if (opts[a.option] !== undefined) {
      values.push(toParameter(a.type, opts[a.option]));
      parts.push(`${a.sql} => $${values.length}::${a.type}`);
    }
  }
  const cast = fn.returns === 'jsonb' ? '::text' : '';
  return { text: `SELECT ${fn.call}(${parts.join(', ')})${cast} AS value`, values };
}

/** What PostgreSQL raises for interval or timestamp text it cannot read, or a value out of its range. */
const dateTimeInputCodes = new Set(['22007', '22008', '22015']);

/** How to write a value of each date/time type the client passes as text. */
const dateTimeHints: Readonly<Record<string, { readonly what: string; readonly hint: string }>> = {
  interval: { what: 'an interval', hint: `Pass an interval such as '10 minutes' or a number of milliseconds (within PostgreSQL's range).` },
  timestamptz: { what: 'a timestamptz', hint: `Pass a Date or timestamptz text such as '2030-01-01T00:00:00Z'.` },
};

/**
 * Turns what a call threw into a PgDispatchError; an invalid date/time input (22007, 22008, 22015)
 * about an interval or timestamptz argument of the call becomes an InvalidArgumentError naming it,
 * with a hint (the server's SQLSTATE and error are kept). The argument is the one whose text the
 * message quotes, or, for a bare "out of range" (22008, e.g. now() + the delay), the only one of
 * those types passed.
 *
 * @example
 * await d.snooze('SELECT 1', 'banana'); // InvalidArgumentError: pg_dispatch: snooze(): delay is not an interval PostgreSQL accepts: ...
 */
export function callError(e: unknown, fn: SqlFunction, required: readonly unknown[], options: object = {}): PgDispatchError {
  const err = toDispatchError(e);
  if (err instanceof InvalidArgumentError || !err.sqlstate || !dateTimeInputCodes.has(err.sqlstate)) return err;
  const opts = options as Record<string, unknown>;
  const passed: { readonly option: string; readonly type: string; readonly sent: unknown }[] = [];
  let i = 0;
  for (const a of fn.args) {
    const v = a.required ? required[i++] : opts[a.option];
    if (v !== undefined && v !== null && a.type in dateTimeHints) passed.push({ option: a.option, type: a.type, sent: toParameter(a.type, v) });
  }
  const quoted = passed.filter((p) => typeof p.sent === 'string' && err.message.includes(`"${p.sent}"`));
  const named = quoted.length > 0 ? quoted : err.sqlstate === '22008' && passed.length === 1 ? passed : [];
  if (named.length === 0) return err;
  const { what, hint } = dateTimeHints[named[0]!.type]!;
  return new InvalidArgumentError(`pg_dispatch: ${fn.name}(): ${named.map((p) => p.option).join(' or ')} is not ${what} PostgreSQL accepts: ${err.message}`,
    { cause: err.cause, sqlstate: err.sqlstate, hint, ...(err.detail ? { detail: err.detail } : {}) });
}

/**
 * Runs one call and returns its single value, with errors mapped to typed classes. A jsonb value
 * comes parsed by parseExactJson(): numbers a JavaScript number would change are exact strings.
 *
 * @example
 * const id = await invoke<string>(executor(pool), fire, ['SELECT 1']);
 */
export async function invoke<T>(exec: Executor, fn: SqlFunction, required: readonly unknown[], options: object = {}): Promise<T> {
  const { text, values } = buildCall(fn, required, options);
  try {
    const { rows } = await exec.query<{ value: T }>(text, values);
    const value = rows[0]!.value;
    return (fn.returns === 'jsonb' && typeof value === 'string' ? parseExactJson(value) : value) as T;
  } catch (e) {
    throw callError(e, fn, required, options);
  }
}

/**
 * Like invoke(), and also returns the id of the transaction the call ran in
 * (`pg_current_xact_id()`, assigned if it was not yet): for a fire, the transaction that must
 * commit before the job can run.
 *
 * @example
 * const { value: id, xact } = await invokeInTransaction<string>(executor(client), fire, ['SELECT 1']);
 */
export async function invokeInTransaction<T>(exec: Executor, fn: SqlFunction, required: readonly unknown[], options: object = {}): Promise<{ value: T; xact: string }> {
  const { text, values } = buildCall(fn, required, options);
  try {
    const { rows } = await exec.query<{ value: T; xact: string }>(`${text}, pg_catalog.pg_current_xact_id()::text AS xact`, values);
    return rows[0]!;
  } catch (e) {
    throw callError(e, fn, required, options);
  }
}
