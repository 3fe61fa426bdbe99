// Two tenants and PostgREST's `authenticated` end users on Supabase's role layout, pg_dispatch
// installed by its owner and usage granted to each: where the tests of a surface (controls,
// queues, dependencies) attack it as a hostile tenant would.
import type pg from 'pg';
import { connect, dropExtension } from './db.js';
import { rpc, supabaseLayout } from './supabase.js';

export interface Tenants {
  /** A superuser: the role layout only. */
  readonly admin: pg.Client;
  /** pgd_owner: owns pg_dispatch (an admin). */
  readonly owner: pg.Client;
  /** tenant_a, a LOGIN role with grant_usage. */
  readonly alice: pg.Client;
  /** tenant_b, another one. */
  readonly bob: pg.Client;
  /** authenticator, as PostgREST. */
  readonly api: pg.Client;
}

/**
 * Makes the layout, installs pg_dispatch as its owner, grants usage to authenticated and both
 * tenants, then runs `setup` as the owner (tables the jobs write, settings).
 */
export async function tenants(setup: string, adminSetup = ''): Promise<Tenants> {
  const admin = await connect();
  await dropExtension(admin);
  await admin.query('DROP SCHEMA IF EXISTS pgdispatch CASCADE');
  await supabaseLayout(admin, { tenants: ['tenant_a', 'tenant_b'] });
  if (adminSetup) await admin.query(adminSetup);
  const owner = await connect({ user: 'pgd_owner' });
  await owner.query('CREATE EXTENSION pg_dispatch');
  await owner.query(`SELECT pgdispatch.grant_usage('authenticated'), pgdispatch.grant_usage('tenant_a'), pgdispatch.grant_usage('tenant_b')`);
  await owner.query(`UPDATE pgdispatch.settings SET linger = '1 second'`);  // (see freshExtension)
  await owner.query(setup);
  return { admin, owner, alice: await connect({ user: 'tenant_a' }), bob: await connect({ user: 'tenant_b' }), api: await connect({ user: 'authenticator' }) };
}

/** Closes the clients and drops pg_dispatch, then runs `cleanup` as the owner. */
export async function endTenants(t: Partial<Tenants>, cleanup: string): Promise<void> {
  for (const c of [t.alice, t.bob, t.api]) await c?.end();
  await t.owner?.query('DROP EXTENSION IF EXISTS pg_dispatch CASCADE').catch(() => {});
  await t.owner?.query(cleanup).catch(() => {});
  await t.owner?.end();
  await t.admin?.end();
}

/** As an end user of `authenticated` through PostgREST (`sub` null: claims without one). */
export const endUser = (api: () => pg.Client) =>
  <T = Record<string, unknown>>(sub: string | null, sql: string, params: unknown[] = []): Promise<T[]> =>
    rpc<T>(api(), 'authenticated', sub === null ? '' : JSON.stringify({ sub, role: 'authenticated' }), sql, params);

/** The first row of a query. */
export const one = async <T = Record<string, unknown>>(c: pg.Client, sql: string, params: unknown[] = []): Promise<T> =>
  (await c.query(sql, params)).rows[0] as T;

/** The `id` column of a query's first row. */
export const id = async (c: pg.Client, sql: string, params: unknown[] = []): Promise<string> => (await one<{ id: string }>(c, sql, params)).id;
