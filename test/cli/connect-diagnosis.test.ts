// What the CLI says when it cannot work with the database it was given: each cause named for what
// it is (a missing role, a bad port, the wrong database for pg_cron), with a fix that works.
import type pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connect, databaseUrl, freshExtension } from '../setup/db.js';
import { buildCli, cli } from './run-cli.js';

let db: pg.Client;
let cronDb: string;
const urlWith = (change: (u: URL) => void): string => { const u = new URL(databaseUrl()); change(u); return u.toString(); };

beforeAll(async () => {
  buildCli();
  db = await connect();
  await freshExtension(db);
  cronDb = (await db.query<{ d: string }>('SELECT current_database() AS d')).rows[0]!.d;
  await db.query('DROP DATABASE IF EXISTS cli_not_cron');
  await db.query('CREATE DATABASE cli_not_cron');
});
afterAll(async () => {
  await db.query('DROP DATABASE IF EXISTS cli_not_cron');
  await db.end();
});

it('an unknown role: says the role does not exist, not pg_hba.conf', async () => {
  const r = await cli(['doctor', '--url', urlWith((u) => { u.username = 'no_such_role'; })]);
  expect(r.code).toBe(3);
  expect(r.stderr).toMatch(/role no_such_role does not exist on the server/);
  expect(r.stderr).toMatch(/CREATE ROLE "no_such_role" LOGIN/);
  expect(r.stderr).not.toMatch(/pg_hba/);
});

it('port 99999: says the port is invalid, not to percent-encode the password', async () => {
  const r = await cli(['doctor', '--url', 'postgres://app:secret@127.0.0.1:99999/app']);
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/the port "99999" in the URL .* is invalid: a port is a whole number from 1 to 65535/);
  expect(r.stderr).not.toMatch(/percent-encode/);
  expect(r.stderr).not.toContain('secret');
  // An unencoded '/' in a password is still a password problem, and the password stays hidden.
  const slash = await cli(['doctor', '--url', 'postgres://app:se/cret@127.0.0.1:5432/app']);
  expect(slash.code).toBe(2);
  expect(slash.stderr).toMatch(/percent-encoded/);
  expect(slash.stderr).not.toMatch(/se\/cret|cret/);
});

it('a database that is not cron.database_name: doctor and install name the database to use', async () => {
  const other = urlWith((u) => { u.pathname = '/cli_not_cron'; });
  const doc = await cli(['doctor', '--url', other]);
  expect(doc.code).toBe(1);
  expect(doc.stdout).toMatch(new RegExp(`cron.database_name\\s+is ${cronDb}, but you are connected to cli_not_cron`));
  expect(doc.stdout).toMatch(new RegExp(`fix: pg_dispatch goes where pg_cron runs jobs, database ${cronDb}`));
  expect(doc.stdout).not.toMatch(/fix: pgdispatch install$/m);
  const inst = await cli(['install', '--url', other]);
  expect(inst.code).toBe(1);
  expect(inst.stdout).toBe('');
  expect(inst.stderr).toMatch(new RegExp(`pg_cron runs jobs in database ${cronDb} \\(cron.database_name\\), not in cli_not_cron`));
  expect(inst.stderr).toMatch(new RegExp(`pgdispatch install --url postgres://USER@HOST:PORT/${cronDb}`));
});

it('install that fails after creating pg_cron changes nothing and does not claim it created pg_cron', async () => {
  await db.query('DROP EXTENSION pg_dispatch CASCADE');
  await db.query('DROP EXTENSION pg_cron CASCADE');
  await db.query('CREATE SCHEMA pgdispatch'); // pg_dispatch refuses a schema it did not create
  try {
    const r = await cli(['install', '--url', databaseUrl()]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/schema pgdispatch already exists/);
    expect(r.stderr).toMatch(/Nothing was changed \(pg_cron was not created either\)/);
    expect((await db.query(`SELECT 1 FROM pg_extension WHERE extname = 'pg_cron'`)).rowCount).toBe(0);
  } finally {
    await db.query('DROP SCHEMA IF EXISTS pgdispatch');
  }
  const ok = await cli(['install', '--url', databaseUrl()]);
  expect(ok.code, ok.stderr).toBe(0);
  expect(ok.stdout).toMatch(/^✓ pg_cron [\d.]+ created in /m);
  expect(ok.stdout).toMatch(/^✓ pg_dispatch [\d.]+ installed in /m);
  await freshExtension(db);
});
