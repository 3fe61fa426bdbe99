// The README's examples are run, so that docs that do not compile or do not run fail the tests:
// the TypeScript block of "From Node" is type-checked (tsc, with the repository's settings) and run
// (tsx) with `pg_dispatch` pointing at src/client and DATABASE_URL at the test server; the psql
// script of "Using it from SQL" is run by psql with ON_ERROR_STOP. The tables and procedures the
// examples assume (users, orders, ship_order, close_books) are made here first.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { repoRoot } from '../setup/repo-root.js';
import { connect, databaseUrl, freshExtension } from '../setup/db.js';

const run = promisify(execFile);
const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');

/** The fenced blocks in `lang` of the README section under `## heading`. */
function blocks(heading: string, lang: string): string[] {
  const start = readme.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`README.md has no section "${heading}"`);
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].filter((m) => m[1] === lang).map((m) => m[2]!);
}

let admin: pg.Client;
let dir: string;

/** Every unfinished job cancelled: the examples leave some (a job due in 2030, a retried pg_sleep(60)). */
const cancelAll = async (): Promise<void> => {
  await admin.query(`SELECT pgdispatch.cancel(id) FROM pgdispatch.jobs WHERE status IN ('scheduled', 'running')`);
};

beforeAll(async () => {
  admin = await connect();
  await freshExtension(admin);
  await admin.query(`
    DROP TABLE IF EXISTS users, orders, visits;
    CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
    INSERT INTO users (id, email) VALUES (1, 'ada@example.com');
    CREATE TABLE orders (id bigint PRIMARY KEY, shipped boolean NOT NULL DEFAULT false);
    CREATE OR REPLACE PROCEDURE ship_order(order_id bigint) LANGUAGE sql AS $$ UPDATE orders SET shipped = true WHERE id = order_id $$;
    CREATE OR REPLACE PROCEDURE close_books() LANGUAGE sql AS $$ SELECT 1 $$;
  `);
  // Inside the repository, so that the examples' imports (pg, kysely) resolve from its node_modules.
  dir = mkdtempSync(join(repoRoot, '.tmp-readme-'));
});

afterAll(async () => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (admin) {
    await cancelAll();
    await admin.query('DROP TABLE IF EXISTS users, orders, visits; DROP PROCEDURE IF EXISTS ship_order(bigint), close_books()');
    await admin.end();
  }
});

describe('README.md', () => {
  const ts = blocks('From Node', 'ts');

  it('has the TypeScript example in "From Node", importing pg_dispatch', () => {
    expect(ts).toHaveLength(1);
    expect(ts[0]).toContain(`from 'pg_dispatch'`);
  });

  it.each(ts.map((code, i) => [i, code] as const))('TypeScript block %i type-checks and runs against the server', async (i, code) => {
    const file = join(dir, `example-${i}.mts`);
    writeFileSync(file, code.replaceAll(`from 'pg_dispatch'`, `from '${join(repoRoot, 'src', 'client', 'index.js')}'`));
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
      extends: join(repoRoot, 'tsconfig.json'),
      compilerOptions: { noEmit: true, rootDir: repoRoot },
      include: [file],
    }));
    const tsc = await run(join(repoRoot, 'node_modules', '.bin', 'tsc'), ['-p', join(dir, 'tsconfig.json')], { cwd: repoRoot })
      .then(() => '', (e: { stdout?: string; stderr?: string }) => `${e.stdout ?? ''}${e.stderr ?? ''}`);
    expect(tsc, 'tsc on the README example').toBe('');
    const { stdout } = await run(join(repoRoot, 'node_modules', '.bin', 'tsx'), [file], {
      cwd: repoRoot,
      env: { ...process.env, DATABASE_URL: databaseUrl() },
      timeout: 60_000,
    });
    // console.log(status, rowCount, rows ?? error): the report ran and returned the one user.
    expect(stdout).toMatch(/^succeeded 1 \[ \{ id: 1, email: 'ada@example\.com' \} \]$/m);
    const { rows: [order] } = await admin.query(`SELECT count(*)::int AS orders FROM orders WHERE id = 42`);
    expect(order).toEqual({ orders: 1 });
    const { rows: fired } = await admin.query(`SELECT command FROM pgdispatch.jobs ORDER BY id`);
    expect(fired.map((r) => r.command)).toEqual(expect.arrayContaining(['CALL ship_order(42)', 'CALL close_books()', 'SELECT 1']));
    await cancelAll();
  });

  it('its psql script in "Using it from SQL" runs with ON_ERROR_STOP', async () => {
    const sql = blocks('Using it from SQL', 'sql');
    expect(sql).toHaveLength(1);
    const url = new URL(databaseUrl());
    const args = ['-X', '-v', 'ON_ERROR_STOP=1', '-h', url.hostname, '-p', url.port || '5432', '-U', decodeURIComponent(url.username), '-d', url.pathname.slice(1)];
    // The local test server's psql lives in its root (scripts/local-pg.sh); others need one on the PATH.
    const local = inject('serverKind') === 'local';
    const psql = local ? [join(repoRoot, 'scripts', 'local-pg.sh'), 'exec', 'psql', ...args] : ['psql', ...args];
    const hasPsql = local || (await run('psql', ['--version']).then(() => true, () => false));
    if (!hasPsql) return; // no psql here: nothing to run the script with
    const out = await new Promise<string>((resolve, reject) => {
      const child = execFile(psql[0]!, psql.slice(1), {
        env: { ...process.env, ...(url.password ? { PGPASSWORD: decodeURIComponent(url.password) } : {}) },
        timeout: 60_000,
      }, (err, stdout, stderr) => (err ? reject(new Error(`psql failed: ${stderr}\n${stdout}`)) : resolve(stdout)));
      child.stdin!.end(sql[0]);
    });
    expect(out).toMatch(/^\s*succeeded\s*$/m); // SELECT pgdispatch.wait(:id, '10 seconds')
    const { rows } = await admin.query(`SELECT label, status FROM pgdispatch.jobs WHERE label LIKE 'demo/%' ORDER BY id`);
    expect(rows).toEqual([{ label: 'demo/visit', status: 'succeeded' }, { label: 'demo/new-year', status: 'cancelled' }]);
    await cancelAll();
  });
});
