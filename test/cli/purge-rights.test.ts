// purge is for pg_dispatch's admins: a role allowed to use pg_dispatch (grant_usage) is told it
// lacks admin rights, not usage; a role without usage is told that. Nothing is deleted either way.
import type pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connect, databaseUrl, freshExtension, waitForJob } from '../setup/db.js';
import { buildCli, cli } from './run-cli.js';

let db: pg.Client;
const as = (role: string) => { const u = new URL(databaseUrl()); u.username = role; return u.toString(); };

beforeAll(async () => {
  buildCli();
  db = await connect();
  await freshExtension(db);
  for (const role of ['cli_purge_user', 'cli_purge_nobody']) {
    await db.query(`DROP ROLE IF EXISTS ${role}`);
    await db.query(`CREATE ROLE ${role} LOGIN`);
  }
  await db.query(`SELECT pgdispatch.grant_usage('cli_purge_user')`);
});
afterAll(async () => {
  await freshExtension(db); // drops what the roles were granted, so that they can go
  await db.query('DROP ROLE IF EXISTS cli_purge_user');
  await db.query('DROP ROLE IF EXISTS cli_purge_nobody');
  await db.end();
});

it('a role with usage is told purge needs admin rights, and who has them', async () => {
  const { rows: [{ id }] } = await db.query(`SELECT pgdispatch.fire('SELECT 1', label => 'cli/purge') AS id`);
  await waitForJob(db, id);
  const r = await cli(['purge', '--older-than', '0s', '--url', as('cli_purge_user')]);
  expect(r.code, r.stdout + r.stderr).toBe(1);
  expect(r.stderr).toMatch(/cli_purge_user may not purge: purge is for pg_dispatch's admins/);
  expect(r.stderr).toMatch(/cli_purge_user may use pg_dispatch \(grant_usage\), which does not include purge/);
  expect(r.stderr).not.toMatch(/grant_usage\('ROLE'\)/); // not the advice for a role without usage
  expect((await db.query('SELECT 1 FROM pgdispatch.jobs WHERE id = $1', [id])).rowCount).toBe(1);
});

it('a role without usage is told that', async () => {
  const r = await cli(['purge', '--older-than', '0s', '--url', as('cli_purge_nobody')]);
  expect(r.code, r.stdout + r.stderr).toBe(1);
  expect(r.stderr).toMatch(/cli_purge_nobody may not purge: .*may not use pg_dispatch at all/);
});
