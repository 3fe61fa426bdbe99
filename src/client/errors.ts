// Typed errors, chosen by SQLSTATE; the driver's original error is kept as `cause`. pg_dispatch's own
// conditions have their own SQLSTATEs (class PD, generated/errors.ts); the classes here stand for
// what PostgreSQL itself says about the environment: privileges, installation, connection.
import { PgDispatchError } from './dispatch-error.js';
import { pgDispatchErrorClasses } from './generated/errors.js';

export { PgDispatchError } from './dispatch-error.js';
export * from './generated/errors.js';

/** The fields of a PostgreSQL error as node-postgres (and Kysely over it) reports them. */
interface DriverError {
  readonly code?: string;
  readonly message?: string;
  readonly detail?: string;
  readonly hint?: string;
}

/**
 * The role may not do this (`42501`): e.g. it was not allowed with `pgdispatch.grant_usage(role)`.
 *
 * @example
 * if (e instanceof PermissionDeniedError) console.log(e.hint);
 */
export class PermissionDeniedError extends PgDispatchError {
  override readonly name: string = 'PermissionDeniedError';
}

/**
 * pg_dispatch is not installed in the database the client is connected to (`42883`/`42P01`/`3F000`).
 *
 * @example
 * if (e instanceof NotInstalledError) console.log('run: pgdispatch install');
 */
export class NotInstalledError extends PgDispatchError {
  override readonly name: string = 'NotInstalledError';
}

/**
 * The server could not be reached or refused the connection (network errors, `28xxx`, `3D000`, `57P0x`, `08xxx`).
 *
 * @example
 * if (e instanceof ConnectionError) console.log(e.message, e.hint);
 */
export class ConnectionError extends PgDispatchError {
  override readonly name: string = 'ConnectionError';
}

/**
 * The caller's transaction has already failed (`25P02`): PostgreSQL refuses every statement in it
 * until it is rolled back, and the jobs fired in it will never exist.
 *
 * @example
 * if (e instanceof TransactionAbortedError) await client.query('ROLLBACK');
 */
export class TransactionAbortedError extends PgDispatchError {
  override readonly name: string = 'TransactionAbortedError';
}

/** What to do about a transaction that has failed. */
export const abortedTransactionHint = 'A statement failed earlier in this transaction: ROLLBACK it (the jobs fired in it go with it), then try again.';

// Generic codes mapped only where their meaning is the environment's, whatever raised them.
const bySqlstate: Readonly<Record<string, new (m: string, o: ConstructorParameters<typeof PgDispatchError>[1]) => PgDispatchError>> = {
  ...pgDispatchErrorClasses,
  '42501': PermissionDeniedError,
  '42883': NotInstalledError,
  '42P01': NotInstalledError,
  '3F000': NotInstalledError,
  '3D000': ConnectionError,
  '57P01': ConnectionError,
  '57P03': ConnectionError,
  '25P02': TransactionAbortedError,
};

const networkCodes = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);

/**
 * Turns whatever a query threw into the matching PgDispatchError (already-mapped errors pass through).
 *
 * @example
 * try { await pool.query('SELECT pgdispatch.status(-1)'); } catch (e) { throw toDispatchError(e); }
 */
export function toDispatchError(e: unknown): PgDispatchError {
  if (e instanceof PgDispatchError) return e;
  const d = (e ?? {}) as DriverError;
  const message = d.message ?? String(e);
  const code = d.code;
  const fields = { cause: e, ...(code ? { sqlstate: code } : {}), ...(d.detail ? { detail: d.detail } : {}), ...(d.hint ? { hint: d.hint } : {}) };
  if (code && networkCodes.has(code)) return new ConnectionError(message, { cause: e });
  if (/timeout expired|Connection terminated/i.test(message) && !code) return new ConnectionError(message, { cause: e });
  if (code && code in bySqlstate) {
    // 42883/42P01/3F000 mean "not installed" only when they are about pgdispatch itself.
    if (['42883', '42P01', '3F000'].includes(code) && !/pgdispatch/.test(message)) return new PgDispatchError(message, fields);
    if (code === '25P02' && !d.hint) return new TransactionAbortedError(message, { ...fields, hint: abortedTransactionHint });
    return new bySqlstate[code]!(message, fields);
  }
  if (code?.startsWith('28') || code?.startsWith('08')) return new ConnectionError(message, fields);
  return new PgDispatchError(message, fields);
}
