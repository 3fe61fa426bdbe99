// Typed errors, chosen by SQLSTATE; the driver's original error is kept as `cause`.

/** The fields of a PostgreSQL error as node-postgres (and Kysely over it) reports them. */
interface DriverError {
  readonly code?: string;
  readonly message?: string;
  readonly detail?: string;
  readonly hint?: string;
}

/**
 * Any error pg_dispatch (or PostgreSQL under it) raised for a client call.
 *
 * @example
 * try { await d.fire(''); } catch (e) { if (e instanceof PgDispatchError) console.log(e.sqlstate, e.hint); }
 */
export class PgDispatchError extends Error {
  override readonly name: string = 'PgDispatchError';
  /** The SQLSTATE, e.g. `22023`; undefined when the error did not come from the server. */
  readonly sqlstate: string | undefined;
  /** The server's DETAIL, if any. */
  readonly detail: string | undefined;
  /** The server's HINT: what to do about it. */
  readonly hint: string | undefined;

  constructor(message: string, options: { cause?: unknown; sqlstate?: string; detail?: string; hint?: string } = {}) {
    super(message, { cause: options.cause });
    this.sqlstate = options.sqlstate;
    this.detail = options.detail;
    this.hint = options.hint;
  }
}

/**
 * An argument was refused (`22023` invalid_parameter_value, `22004` null value, `22001` label too long).
 *
 * @example
 * await expect(d.snooze('SELECT 1', -1)).rejects.toBeInstanceOf(InvalidArgumentError);
 */
export class InvalidArgumentError extends PgDispatchError {
  override readonly name: string = 'InvalidArgumentError';
}

/**
 * A label longer than 64 bytes (`22001`).
 *
 * @example
 * await d.fire('SELECT 1', { label: 'x'.repeat(65) }); // throws LabelTooLongError
 */
export class LabelTooLongError extends InvalidArgumentError {
  override readonly name: string = 'LabelTooLongError';
}

/**
 * The command cannot run inside a transaction block, e.g. VACUUM (`25001`): schedule it with pg_cron directly.
 *
 * @example
 * await d.fire('VACUUM'); // throws CommandNotSupportedError
 */
export class CommandNotSupportedError extends PgDispatchError {
  override readonly name: string = 'CommandNotSupportedError';
}

/**
 * No job with that id is visible to the caller (`P0002`): another role's, purged, or never fired.
 *
 * @example
 * await d.status(-1); // throws JobNotFoundError
 */
export class JobNotFoundError extends PgDispatchError {
  override readonly name: string = 'JobNotFoundError';
}

/**
 * A wait on a job fired in the still-open transaction, which can never start before it commits (`55000`).
 *
 * @example
 * // inside BEGIN ... : SELECT pgdispatch.wait(pgdispatch.fire('SELECT 1')) raises this
 */
export class JobNotCommittedError extends PgDispatchError {
  override readonly name: string = 'JobNotCommittedError';
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
 * Not supported in this situation (`0A000`), e.g. the SQL wait() outside READ COMMITTED.
 *
 * @example
 * if (e instanceof NotSupportedError) console.log(e.hint);
 */
export class NotSupportedError extends PgDispatchError {
  override readonly name: string = 'NotSupportedError';
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

const bySqlstate: Readonly<Record<string, new (m: string, o: ConstructorParameters<typeof PgDispatchError>[1]) => PgDispatchError>> = {
  '22023': InvalidArgumentError,
  '22004': InvalidArgumentError,
  '22001': LabelTooLongError,
  '25001': CommandNotSupportedError,
  P0002: JobNotFoundError,
  '55000': JobNotCommittedError,
  '42501': PermissionDeniedError,
  '0A000': NotSupportedError,
  '42883': NotInstalledError,
  '42P01': NotInstalledError,
  '3F000': NotInstalledError,
  '3D000': ConnectionError,
  '57P01': ConnectionError,
  '57P03': ConnectionError,
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
    return new bySqlstate[code]!(message, fields);
  }
  if (code?.startsWith('28') || code?.startsWith('08')) return new ConnectionError(message, fields);
  return new PgDispatchError(message, fields);
}
