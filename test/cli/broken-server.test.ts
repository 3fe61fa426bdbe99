// doctor and connect against a server set up wrong on purpose: a throwaway cluster of our own
// (scripts/local-pg.sh), where a role needs a SCRAM password, and then pg_cron is no longer
// preloaded though its extension is still created (the case doctor used to call fine).
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort, repoRoot } from '../setup/server.js';
import { waitFor } from '../setup/db.js';
import { buildCli, cli } from './run-cli.js';

const run = promisify(execFile);
const localPg = join(repoRoot, 'scripts', 'local-pg.sh');
const local = inject('serverKind') === 'local';
// Named after the test cluster, so that checkouts running tests side by side do not share it.
const name = `${process.env.PGDISPATCH_TEST_CLUSTER ?? 'test'}-broken`;
let superUrl = '';
let appUrl = '';

async function sql(text: string): Promise<void> {
  const c = new pg.Client({ connectionString: superUrl });
  await c.connect();
  try {
    await c.query(text);
  } finally {
    await c.end();
  }
}

describe.skipIf(!local)('a server set up wrong (needs scripts/local-pg.sh, skipped with another server)', () => {
  beforeAll(async () => {
    buildCli();
    await run(localPg, ['destroy', name]);
    superUrl = (await run(localPg, ['start', name, String(await freePort())])).stdout.trim();
    const u = new URL(superUrl);
    u.username = 'cli_app';
    appUrl = u.toString();
    await sql(`CREATE EXTENSION pg_cron; CREATE ROLE cli_app LOGIN PASSWORD 'app-pw'`);
    // cli_app must give a password (SCRAM); everyone else stays trusted.
    const { stdout: root } = await run(localPg, ['root']);
    const hba = join(root.trim(), 'var', 'lib', 'pgdispatch', name, 'pg_hba.conf');
    writeFileSync(hba, `host all cli_app 127.0.0.1/32 scram-sha-256\n${readFileSync(hba, 'utf8')}`);
    await sql('SELECT pg_reload_conf()');
    await waitFor('pg_hba.conf to be reloaded', async () => {
      const c = new pg.Client({ connectionString: appUrl });
      try {
        await c.connect();
        await c.end();
        return undefined; // still trusted
      } catch {
        return true;
      }
    });
  }, 180_000);
  afterAll(async () => {
    await run(localPg, ['destroy', name]);
  });

  it('a missing password under SCRAM: says one is needed and how to give it', async () => {
    const r = await cli(['doctor', '--url', appUrl]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/the server asks for a password for user cli_app, and none was given/);
    expect(r.stderr).toMatch(/postgres:\/\/cli_app:PASSWORD@.*PGPASSWORD.*~\/\.pgpass/s);
    expect(r.stderr).not.toMatch(/SASL/);
    expect((await cli(['doctor', '--url', appUrl], { PGPASSWORD: 'app-pw' })).stdout).toMatch(/server\s+PostgreSQL/);
  });

  it('pg_cron preloaded: told truthfully to a role that cannot read shared_preload_libraries', async () => {
    const env = { PGPASSWORD: 'app-pw' };
    const before = await cli(['doctor', '--url', appUrl], env);
    expect(before.stdout).toMatch(/^✓ pg_cron preloaded\s+yes: pg_cron's settings are defined on this server/m);

    // pg_cron's extension stays created; only the preload goes (postgresql.auto.conf wins).
    // (Not '': ALTER SYSTEM would write it as one library named "".)
    await sql(`ALTER SYSTEM SET shared_preload_libraries = 'plpgsql'`);
    await run(localPg, ['restart', name]);
    const after = await cli(['doctor', '--url', appUrl], env);
    expect(after.code).toBe(1);
    expect(after.stdout).toMatch(/^✗ pg_cron preloaded\s+no: cron.database_name is set, but not defined by pg_cron/m);
    expect(after.stdout).toMatch(/fix: Add pg_cron to shared_preload_libraries/);
    expect(after.stdout).not.toMatch(/✓ pg_cron preloaded/);
    const su = await cli(['doctor', '--url', superUrl]);
    expect(su.stdout).toMatch(/^✗ pg_cron preloaded\s+shared_preload_libraries = 'plpgsql' lacks pg_cron/m);
    expect(su.stdout).toMatch(/fix: Preload pg_cron first/);
  });
});
