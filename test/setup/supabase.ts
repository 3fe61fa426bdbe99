// Supabase's role layout on the test server, for the files that attack isolation
// (security, end-users, hostile): a non-superuser owner with CREATEROLE (like Supabase's
// `postgres`), member of the NOLOGIN roles it serves, reached by PostgREST's `authenticator`.
import type pg from 'pg';
import { dropExtension } from './db.js';

/** The roles every layout has; `tenants` adds LOGIN roles of their own (members of the owner too). */
export async function supabaseLayout(admin: pg.Client, { tenants = [] as string[], drop = [] as string[] } = {}): Promise<void> {
  await dropExtension(admin); // (with the runner identities, which other owners made)
  const gone = ['authenticator', 'anon', 'authenticated', 'service_role', 'pgd_owner', ...tenants, ...drop];
  for (const r of gone) {
    await admin.query(`DO $$BEGIN IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${r}') THEN
      EXECUTE 'DROP OWNED BY "${r}" CASCADE'; EXECUTE 'DROP ROLE "${r}"'; END IF; END$$`);
  }
  const { rows: [{ d }] } = await admin.query('SELECT current_database() AS d');
  await admin.query(`
    CREATE ROLE pgd_owner LOGIN CREATEROLE;            -- not a superuser, like Supabase's postgres
    CREATE ROLE anon NOLOGIN; CREATE ROLE authenticated NOLOGIN; CREATE ROLE service_role NOLOGIN;
    CREATE ROLE authenticator LOGIN NOINHERIT;
    GRANT anon, authenticated, service_role TO authenticator;
    GRANT anon, authenticated, service_role TO pgd_owner;
    GRANT USAGE ON SCHEMA cron TO pgd_owner;
    GRANT CREATE ON DATABASE "${d}" TO pgd_owner;
    GRANT CREATE ON SCHEMA public TO pgd_owner;`);
  for (const t of tenants) await admin.query(`CREATE ROLE "${t}" LOGIN; GRANT "${t}" TO pgd_owner`);
}

/** What PostgREST does for an RPC: a transaction, SET LOCAL ROLE, the JWT claims ('' for none), the call. */
export async function rpc<T = Record<string, unknown>>(
  client: pg.Client, role: string, claims: string, sql: string, params: unknown[] = [], extra: Record<string, string> = {},
): Promise<T[]> {
  await client.query('BEGIN');
  try {
    await client.query(`SELECT set_config('role', $1, true), set_config('request.jwt.claims', $2, true)`, [role, claims]);
    for (const [k, v] of Object.entries(extra)) await client.query(`SELECT set_config($1, $2, true)`, [k, v]);
    const { rows } = await client.query(sql, params);
    await client.query('COMMIT');
    return rows as T[];
  } catch (e) {
    await client.query('ROLLBACK');
    throw e;
  }
}

/** The error of an RPC expected to fail (fails the test if it succeeds). */
export async function rpcFailure(client: pg.Client, role: string, claims: string, sql: string, params: unknown[] = []): Promise<pg.DatabaseError> {
  try {
    await rpc(client, role, claims, sql, params);
  } catch (e) {
    return e as pg.DatabaseError;
  }
  throw new Error(`expected an error from: ${sql}`);
}
