// CREATE EXTENSION where pg_dispatch cannot work fails with an error that says what to do.
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, failure, freshExtension, waitForJob } from '../setup/db.js';
import { repoRoot } from '../setup/server.js';

let db: pg.Client;
let other: pg.Client;

beforeAll(async () => {
  db = await connect();
  // The settings as installed: changing them would schedule the service jobs (see below).
  await freshExtension(db, { shortLinger: false });
  await db.query('DROP DATABASE IF EXISTS pgdispatch_elsewhere');
  await db.query('CREATE DATABASE pgdispatch_elsewhere');
  other = await connect({ database: 'pgdispatch_elsewhere' });
});
afterAll(async () => {
  await other?.end();
  await db?.query('DROP DATABASE IF EXISTS pgdispatch_elsewhere');
  await db?.end();
});

describe('CREATE EXTENSION pg_dispatch', () => {
  it('where pg_cron is missing, says that pg_cron is required', async () => {
    const err = await failure(other, 'CREATE EXTENSION pg_dispatch');
    expect(err.message).toContain('pg_cron');
    expect(err.hint).toBeTruthy();
  });

  it('in a database other than cron.database_name, names the database to use', async () => {
    const { rows: [{ db: cronDb }] } = await db.query('SELECT current_database() AS db');
    const err = await failure(other, 'CREATE EXTENSION pg_dispatch CASCADE');
    expect(err.message).toContain(cronDb);
    expect(`${err.detail} ${err.hint}`).toContain('cron.database_name');
  });

  it('installs in the pg_cron database with nothing granted to PUBLIC; its service jobs come with the first job', async () => {
    const serviceJobs = async (): Promise<unknown[]> =>
      (await db.query(`SELECT jobname, schedule FROM cron.job WHERE jobname LIKE 'pgdispatch\\_%' AND jobname NOT LIKE 'pgdispatch\\_job\\_%' ORDER BY 1`)).rows;
    // (none at install: pg_restore copies cron.job's rows back after CREATE EXTENSION)
    expect(await serviceJobs()).toEqual([]);
    const { rows: [{ id }] } = await db.query(`SELECT pgdispatch.fire('SELECT 1') AS id`);
    expect(await serviceJobs()).toEqual([
      { jobname: 'pgdispatch_maintenance', schedule: '* * * * *' },
      { jobname: 'pgdispatch_reboot', schedule: '@reboot' },
    ]);
    // Now that they exist, runners may linger a second as in every other file (see freshExtension).
    await db.query(`UPDATE pgdispatch.settings SET linger = '1 second'`);
    await waitForJob(db, id);
    const { rows: publicFns } = await db.query(`
      SELECT p.oid::regprocedure AS fn FROM pg_proc p
       WHERE p.pronamespace IN ('pgdispatch'::regnamespace, 'pgdispatch_exec'::regnamespace)
         AND has_function_privilege('public', p.oid, 'EXECUTE')`);
    expect(publicFns).toEqual([]);
    const { rows: unpinned } = await db.query(`
      SELECT p.oid::regprocedure AS fn FROM pg_proc p
       WHERE p.pronamespace = 'pgdispatch'::regnamespace AND p.prokind = 'f'
         AND NOT coalesce(p.proconfig @> ARRAY['search_path=pg_catalog, pg_temp'], false)`);
    expect(unpinned).toEqual([]);
  });

  it('every PL/pgSQL function compiles (CREATE EXTENSION does not check their bodies)', async () => {
    const { rows } = await db.query(`
      SELECT p.oid::regprocedure::text AS fn FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
       WHERE l.lanname = 'plpgsql' AND p.pronamespace = 'pgdispatch'::regnamespace`);
    expect(rows.length).toBeGreaterThan(25);
    for (const { fn } of rows) await db.query('SELECT plpgsql_validator($1::regprocedure)', [fn]);
  });

  it('pg_tle/pg_dispatch-uninstall.sql removes it, even mid-job, with its schemas and pg_cron jobs', async () => {
    await db.query(`SELECT pgdispatch.snooze('SELECT 1', '1 hour')`);
    const { rows: [{ id }] } = await db.query(`SELECT pgdispatch.fire('SELECT pg_sleep(30)') AS id`);
    await waitForJob(db, id, ['running']);
    const started = Date.now();
    const uninstall = readFileSync(join(repoRoot, 'pg_tle/pg_dispatch-uninstall.sql'), 'utf8');
    await db.query(uninstall);
    expect(Date.now() - started).toBeLessThan(15_000); // the running job was stopped, not waited for
    const { rows: left } = await db.query(`
      SELECT 'extension' AS what FROM pg_extension WHERE extname = 'pg_dispatch'
      UNION ALL SELECT 'schema ' || nspname FROM pg_namespace WHERE nspname LIKE 'pgdispatch%'
      UNION ALL SELECT 'cron job ' || jobname FROM cron.job WHERE jobname LIKE 'pgdispatch%'
      UNION ALL SELECT 'run history ' || d.jobid FROM cron.job_run_details AS d
                 WHERE d.command LIKE 'DO $pgdispatch$%'`);
    expect(left).toEqual([]);
    await db.query(uninstall); // again: nothing left to do, and no error
    await freshExtension(db);
  });
});
