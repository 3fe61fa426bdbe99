// Whether pg_cron is in shared_preload_libraries, told truthfully whatever the role may read.
//
// A superuser (or a member of pg_read_all_settings) reads shared_preload_libraries. Other roles
// cannot, nor pg_stat_activity's backend_type (so not the pg_cron launcher either). What every role
// can see is whether pg_cron's own settings exist: pg_cron refuses to load except from
// shared_preload_libraries, and once loaded it defines cron.database_name as readable by
// superusers only, so reading it is refused (42501). Without pg_cron loaded the name is unknown
// (NULL), or a mere placeholder from postgresql.conf, readable by all and absent from pg_settings.
// That pg_cron is created in the database says nothing: the extension stays when the preload goes.
import type pg from 'pg';

/** What could be told, and how. */
export interface Preload {
  /** true/false when known; null when this role cannot tell. */
  readonly preloaded: boolean | null;
  /** shared_preload_libraries when readable. */
  readonly libraries: string | null;
  /** How it was told, for the doctor's line. */
  readonly how: string;
}

/**
 * Tells whether pg_cron is preloaded on the connected server.
 *
 * @example
 * const { preloaded, how } = await cronPreload(client);
 */
export async function cronPreload(client: pg.Client): Promise<Preload> {
  const { rows: [s] } = await client.query<{ libs: string | null; crondb_listed: boolean }>(`
    SELECT (SELECT setting FROM pg_catalog.pg_settings WHERE name = 'shared_preload_libraries') AS libs,
           EXISTS (SELECT 1 FROM pg_catalog.pg_settings WHERE name = 'cron.database_name') AS crondb_listed`);
  if (s!.libs !== null) {
    const preloaded = s!.libs.split(',').map((x) => x.trim().replace(/^"|"$/g, '')).includes('pg_cron');
    return { preloaded, libraries: s!.libs, how: `shared_preload_libraries = '${s!.libs}'` };
  }
  // Unreadable: ask pg_cron's own setting (a query of its own, as the refusal is an error).
  try {
    const { rows: [r] } = await client.query<{ v: string | null }>(`SELECT pg_catalog.current_setting('cron.database_name', true) AS v`);
    if (r!.v === null) {
      return { preloaded: false, libraries: null, how: 'pg_cron defines no setting on this server (cron.database_name is unknown to it)' };
    }
    return s!.crondb_listed
      ? { preloaded: true, libraries: null, how: 'pg_cron\'s settings are defined on this server' }
      : { preloaded: false, libraries: null, how: 'cron.database_name is set, but not defined by pg_cron (it is not loaded)' };
  } catch (e) {
    if ((e as { code?: string }).code === '42501') {
      return { preloaded: true, libraries: null, how: 'pg_cron\'s settings are defined on this server (shared_preload_libraries itself is readable only with pg_read_all_settings)' };
    }
    return { preloaded: null, libraries: null, how: `cannot be told by this role (${(e as Error).message})` };
  }
}
