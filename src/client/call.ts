// One call of a public SQL function, built from its generated descriptor: required arguments in
// order, options by name (left out, the SQL default applies), each cast to its SQL type.
import type { SqlFunction } from './generated/api.js';
import { toDispatchError } from './errors.js';
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
    throw toDispatchError(e);
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
    throw toDispatchError(e);
  }
}
