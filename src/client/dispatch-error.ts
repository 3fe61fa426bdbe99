// The root of every error the client throws; pg_dispatch's own SQLSTATEs have subclasses generated
// from src/model/errors.ts (generated/errors.ts), and errors.ts maps what a query threw to them.

/**
 * Any error pg_dispatch (or PostgreSQL under it) raised for a client call.
 *
 * @example
 * try { await d.fire(''); } catch (e) { if (e instanceof PgDispatchError) console.log(e.sqlstate, e.hint); }
 */
export class PgDispatchError extends Error {
  override readonly name: string = 'PgDispatchError';
  /**
   * The SQLSTATE, e.g. `22023`. Arguments the client refuses before any query carry the code the
   * server would have raised (`PD200`, `PD201`; `cause` is then undefined); undefined for other
   * errors that did not come from the server (network errors).
   */
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
