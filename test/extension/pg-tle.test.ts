// The pg_tle bundle against a server that has pg_tle (Supabase's image, RDS, or one you name with
// PGDISPATCH_TEST_DATABASE_URL). Debian ships no pg_tle, so on the local test server these tests
// are skipped, and say so.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, waitForJob } from '../setup/db.js';
import { repoRoot } from '../setup/server.js';

let db: pg.Client;
let hasPgTle = false;

beforeAll(async () => {
  db = await connect();
  const { rows } = await db.query(`SELECT 1 FROM pg_available_extensions WHERE name = 'pg_tle'`);
  hasPgTle = rows.length > 0;
  if (!hasPgTle) console.log('pg_tle tests SKIPPED: this server has no pg_tle (set PGDISPATCH_TEST_DATABASE_URL to one that does)');
});
afterAll(async () => db?.end());

describe('the pg_tle bundle', () => {
  it('installs pg_dispatch through pg_tle, can be run twice, and the extension works', async (ctx) => {
    if (!hasPgTle) ctx.skip();
    await db.query('CREATE EXTENSION IF NOT EXISTS pg_tle');
    await db.query('DROP EXTENSION IF EXISTS pg_dispatch CASCADE');
    await db.query(`SELECT pgtle.uninstall_extension('pg_dispatch') WHERE EXISTS (SELECT 1 FROM pgtle.available_extensions() WHERE name = 'pg_dispatch')`);
    const bundle = readFileSync(join(repoRoot, 'pg_tle/pg_dispatch.sql'), 'utf8');
    await db.query(bundle);
    await db.query(bundle);
    await db.query('CREATE EXTENSION pg_dispatch');
    const { rows: [{ id }] } = await db.query(`SELECT pgdispatch.fire('SELECT 1 AS one') AS id`);
    expect((await waitForJob(db, id)).rows).toEqual([{ one: 1 }]);
  });
});
