// The pg_tle bundle and the uninstall script against a server that has pg_tle (Supabase's image,
// RDS, or one you name with PGDISPATCH_TEST_DATABASE_URL). Debian ships no pg_tle, so on the local
// test server these tests are skipped, and say so.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extension } from '../../src/extension.js';
import { catalogDump } from '../setup/catalog.js';
import { connect, dropExtension, waitFor, waitForJob } from '../setup/db.js';
import { legacyFixture, repoRoot } from '../setup/server.js';

const bundle = readFileSync(join(repoRoot, 'pg_tle/pg_dispatch.sql'), 'utf8');
const uninstall = readFileSync(join(repoRoot, 'pg_tle/pg_dispatch-uninstall.sql'), 'utf8');
// pg_tle takes the script as text: without the psql guard line that files carry.
const legacyScript = readFileSync(join(legacyFixture, 'pg_dispatch--0.1.5.sql'), 'utf8').replace(/^\\echo.*$/m, '');

let db: pg.Client;
let hasPgTle = false;
let tleCatalog: string[] = [];

async function unregister(): Promise<void> {
  await db.query(`SELECT pgtle.uninstall_extension('pg_dispatch') WHERE EXISTS (SELECT 1 FROM pgtle.available_extensions() WHERE name = 'pg_dispatch')`);
}

async function registered(): Promise<{ versions: string[]; paths: string[]; defaultVersion: string | null }> {
  const v = await db.query<{ version: string }>(`SELECT version FROM pgtle.available_extension_versions() WHERE name = 'pg_dispatch' ORDER BY 1`);
  const p = await db.query<{ path: string }>(`SELECT source || '->' || target AS path FROM pgtle.extension_update_paths('pg_dispatch') WHERE path IS NOT NULL ORDER BY 1`);
  const d = await db.query<{ default_version: string }>(`SELECT default_version FROM pgtle.available_extensions() WHERE name = 'pg_dispatch'`);
  return { versions: v.rows.map((r) => r.version), paths: p.rows.map((r) => r.path), defaultVersion: d.rows[0]?.default_version ?? null };
}

beforeAll(async () => {
  db = await connect();
  const { rows } = await db.query(`SELECT 1 FROM pg_available_extensions WHERE name = 'pg_tle'`);
  hasPgTle = rows.length > 0;
  if (!hasPgTle) {
    console.log('pg_tle tests SKIPPED: this server has no pg_tle (set PGDISPATCH_TEST_DATABASE_URL to one that does)');
    return;
  }
  await db.query('CREATE EXTENSION IF NOT EXISTS pg_tle');
  await dropExtension(db);
  await unregister();
  // pg_tle refuses a name that the server also has files for (the container copies them in).
  const { rows: files } = await db.query(`SELECT 1 FROM pg_available_extensions WHERE name = 'pg_dispatch'`);
  if (files.length > 0) {
    hasPgTle = false;
    console.log('pg_tle tests SKIPPED: this server has pg_dispatch\'s extension files, and pg_tle refuses a name that has files');
  }
});
afterAll(async () => {
  if (hasPgTle) {
    await dropExtension(db);
    await unregister();
  }
  await db?.end();
});

describe('the pg_tle bundle', () => {
  it('registers every version and upgrade path, sets the default, can be run again, and the extension works', async (ctx) => {
    if (!hasPgTle) ctx.skip();
    await db.query(bundle);
    const first = await registered();
    expect(first.versions).toContain(extension.version);
    expect(first.paths).toContain(`0.1.5->${extension.version}`);
    expect(first.defaultVersion).toBe(extension.version);
    await db.query(bundle);
    expect(await registered()).toEqual(first);
    await db.query('CREATE EXTENSION pg_dispatch');
    tleCatalog = await catalogDump(db);
    const { rows: [{ id }] } = await db.query(`SELECT pgdispatch.fire('SELECT 1 AS one') AS id`);
    expect((await waitForJob(db, id)).rows).toEqual([{ one: 1 }]);
  });

  it('upgrades a 0.1.5 installed through pg_tle in place: same catalog, pending jobs kept', async (ctx) => {
    if (!hasPgTle || tleCatalog.length === 0) ctx.skip();
    await dropExtension(db);
    await unregister();
    // 0.1.5 as its own files would have registered it: its control data, its one version.
    await db.query(`SELECT pgtle.install_extension('pg_dispatch', '0.1.5', 'Asynchronous SQL dispatcher', $1, ARRAY['pgcrypto', 'pg_cron'])`, [legacyScript]);
    await db.query(`CREATE EXTENSION pg_dispatch CASCADE`);
    await db.query('DROP TABLE IF EXISTS public.tle_log');
    await db.query('CREATE TABLE public.tle_log (what text)');
    await db.query(`SELECT pgdispatch.snooze('INSERT INTO public.tle_log VALUES (''pending'')', '4 seconds')`);

    await db.query(bundle);
    expect((await registered()).defaultVersion).toBe(extension.version);
    await db.query('ALTER EXTENSION pg_dispatch UPDATE');
    // pg_tle keeps the control data of the release that registered the name first (its
    // requirements) while the extension exists: the one line a fresh install does not have.
    const upgraded = await catalogDump(db);
    expect(upgraded).toContain('requires pgcrypto');
    expect(upgraded.filter((line) => line !== 'requires pgcrypto')).toEqual(tleCatalog);
    await waitFor('the job snoozed with 0.1.5 to run', async () =>
      (await db.query(`SELECT 1 FROM public.tle_log WHERE what = 'pending'`)).rowCount ? true : undefined);
    const { rows: [{ id }] } = await db.query(`SELECT pgdispatch.fire('SELECT 2 AS two') AS id`);
    expect((await waitForJob(db, id)).status).toBe('succeeded');
    await db.query('DROP TABLE public.tle_log');
  });
});

describe('the uninstall script', () => {
  it('removes the extension, its schemas, its pg_cron jobs and its pg_tle registration', async (ctx) => {
    if (!hasPgTle) ctx.skip();
    await dropExtension(db);
    await unregister();
    await db.query(bundle);
    await db.query('CREATE EXTENSION pg_dispatch');
    await db.query(`SELECT pgdispatch.snooze('SELECT 1', '1 hour')`);
    await db.query(uninstall);
    const left = await db.query(`
      SELECT 'extension' AS what FROM pg_extension WHERE extname = 'pg_dispatch'
      UNION ALL SELECT 'schema ' || nspname FROM pg_namespace WHERE nspname LIKE 'pgdispatch%'
      UNION ALL SELECT 'cron job ' || jobname FROM cron.job WHERE jobname LIKE 'pgdispatch%'
      UNION ALL SELECT 'pg_tle ' || name FROM pgtle.available_extensions() WHERE name = 'pg_dispatch'`);
    expect(left.rows).toEqual([]);
    await db.query(uninstall); // and again: nothing to do, no error
  });
});
