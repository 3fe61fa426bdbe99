// `jobs` prints the command for the next page with the same filters, quoted for the shell: pasted
// as is, it lists the next page of the same list. Off a terminal the table is plain, stable text.
import { execFile } from 'node:child_process';
import type pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connect, databaseUrl, freshExtension, waitFor } from '../setup/db.js';
import { bin, buildCli, cli, cliEnv, type Run } from './run-cli.js';

let db: pg.Client;
let url: string;

beforeAll(async () => {
  buildCli();
  db = await connect();
  await freshExtension(db);
  url = databaseUrl();
});
afterAll(async () => db?.end());

/** Runs a printed command line in sh, with `pgdispatch` standing for the bundled CLI. */
function sh(line: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile('sh', ['-c', `pgdispatch() { "${process.execPath}" "${bin}" "$@"; }; ${line}`], { env: cliEnv(), timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

it('the "more:" hint repeats --status, --label (quoted) and --limit, and runs as printed', async () => {
  // 5 failed jobs labelled page's/x, and others that the filters leave out.
  const label = "page's/x";
  for (let i = 0; i < 5; i++) await db.query(`SELECT pgdispatch.fire('SELECT 1 / 0', label => $1)`, [label]);
  await db.query(`SELECT pgdispatch.fire('SELECT 1', label => $1)`, [label]);
  await db.query(`SELECT pgdispatch.fire('SELECT 1 / 0', label => 'other/x')`);
  await waitFor('the jobs to finish', async () =>
    (await db.query(`SELECT 1 FROM pgdispatch.jobs WHERE status IN ('scheduled', 'running')`)).rowCount === 0 ? true : undefined, { timeoutMs: 30_000 });
  const { rows } = await db.query<{ id: string }>(`SELECT id FROM pgdispatch.jobs WHERE status = 'failed' AND label = $1 ORDER BY id DESC`, [label]);
  expect(rows).toHaveLength(5);

  const first = await cli(['jobs', '--status', 'failed', '--label', "page's/%", '--limit', '3', '--url', url]);
  expect(first.code, first.stderr).toBe(0);
  expect(first.stdout).not.toMatch(/\x1b/); // not a terminal: no colours
  const hint = /^more: (.*)$/m.exec(first.stdout)?.[1];
  expect(hint).toBe(`pgdispatch jobs --status failed --label 'page'\\''s/%' --limit 3 --cursor ${rows[2]!.id} --url ${url}`);
  const ids = (out: string) => [...out.matchAll(/^(\d+)\s+failed\s/gm)].map((m) => m[1]);
  expect(ids(first.stdout)).toEqual(rows.slice(0, 3).map((r) => r.id));

  const second = await sh(hint!);
  expect(second.code, second.stderr).toBe(0);
  expect(ids(second.stdout)).toEqual(rows.slice(3).map((r) => r.id));
  expect(second.stdout).not.toMatch(/^more:/m); // the last page
});

it('leaves a URL with a password out of the hint', async () => {
  const withPassword = new URL(url);
  withPassword.password = 'secret';
  const r = await cli(['jobs', '--limit', '1', '--url', withPassword.toString()]); // trust auth: the password is not checked
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toMatch(/^more: pgdispatch jobs --limit 1 --cursor \d+ --url URL$/m);
  expect(r.stdout).not.toContain('secret');
});

it('prints times as ISO timestamps off a terminal, never "ago"', async () => {
  const r = await cli(['jobs', '--limit', '2', '--url', url]);
  expect(r.stdout).toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/);
  expect(r.stdout).not.toMatch(/ ago\b/);
});
