// The connections the client works over: a pg Pool, Client or checked-out PoolClient, or a Kysely
// instance or Kysely transaction. All are reduced to one `query(text, values)`.
import { CompiledQuery, type Kysely } from 'kysely';
import type pg from 'pg';

/**
 * Anything the client can run SQL through.
 *
 * @example
 * createDispatch(new pg.Pool());                  // a pool
 * createDispatch(client);                          // a connected pg.Client or a PoolClient
 * createDispatch(new Kysely<DB>({ dialect }));     // Kysely (or a Kysely Transaction)
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Connection = pg.Pool | pg.ClientBase | Kysely<any>;

/** The rows of a query, whatever ran it. */
export interface QueryRows<R> {
  readonly rows: readonly R[];
}

/** A connection reduced to what the client needs. */
export interface Executor {
  query<R>(text: string, values: readonly unknown[]): Promise<QueryRows<R>>;
}

/** Whether `c` is a Kysely instance (or transaction), by shape, so that two copies of kysely both work. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function isKysely(c: unknown): c is Kysely<any> {
  const k = c as { executeQuery?: unknown; selectFrom?: unknown } | null;
  return typeof k?.executeQuery === 'function' && typeof k.selectFrom === 'function';
}

/** Whether `c` is a pg Pool (it hands out clients), by shape. */
export function isPool(c: unknown): c is pg.Pool {
  const p = c as { connect?: unknown; idleCount?: unknown; totalCount?: unknown } | null;
  return typeof p?.connect === 'function' && typeof p.totalCount === 'number' && typeof p.idleCount === 'number';
}

/** Whether `c` is a single pg connection (Client or PoolClient), by shape. */
export function isPgClient(c: unknown): c is pg.ClientBase {
  const p = c as { query?: unknown; on?: unknown } | null;
  return !isPool(c) && !isKysely(c) && typeof p?.query === 'function' && typeof p.on === 'function';
}

/**
 * Reduces a connection to an Executor.
 *
 * @example
 * const rows = (await executor(pool).query<{ one: number }>('SELECT 1 AS one', [])).rows;
 */
export function executor(c: Connection): Executor {
  if (isKysely(c)) {
    return {
      async query<R>(text: string, values: readonly unknown[]) {
        const r = await c.executeQuery<R>(CompiledQuery.raw(text, [...values]));
        return { rows: r.rows };
      },
    };
  }
  if (typeof (c as { query?: unknown }).query === 'function') {
    const q = c as pg.Pool | pg.ClientBase;
    return {
      async query<R>(text: string, values: readonly unknown[]) {
        const r = await q.query(text, [...values]);
        return { rows: r.rows as R[] };
      },
    };
  }
  throw new TypeError('createDispatch() needs a pg Pool, Client or PoolClient, or a Kysely instance or transaction');
}
