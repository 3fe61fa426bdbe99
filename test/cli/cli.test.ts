// The CLI as a new user meets it: the bundled dist/pgdispatch.mjs, each command, bad arguments
// (exit 2 with usage), an unreachable database (exit 3 saying what to check), --json that parses.
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, databaseUrl, dropExtension, freshExtension, waitForJob } from '../setup/db.js';
import { extension } from '../../src/extension.js';
import { buildCli, cli } from './run-cli.js';

let db: pg.Client;
let url: string;
const withUrl = (...args: string[]) => cli([...args, '--url', url]);

beforeAll(async () => {
  buildCli();
  db = await connect();
  await freshExtension(db);
  url = databaseUrl();
});
afterAll(async () => db?.end());

const fire = async (sql: string, label: string): Promise<string> =>
  (await db.query<{ id: string }>('SELECT pgdispatch.fire($1, label => $2) AS id', [sql, label])).rows[0]!.id;

describe('usage', () => {
  it('prints help with no arguments and --help, exit 0', async () => {
    const r = await cli([]);
    expect(r.code).toBe(0);
    for (const c of ['install', 'upgrade', 'uninstall', 'doctor', 'jobs', 'show', 'watch', 'cancel', 'purge', 'demo']) expect(r.stdout).toContain(c);
    const h = await cli(['jobs', '--help']);
    expect(h.code).toBe(0);
    expect(h.stdout).toMatch(/usage: pgdispatch jobs/);
  });

  it('exits 2 with the usage on bad arguments', async () => {
    const cases: string[][] = [
      ['frobnicate'], ['jobs', '--bogus'], ['jobs', '--limit'], ['jobs', '--limit', 'many'], ['jobs', '--status', 'done'],
      ['jobs', '--since', 'yesterday'], ['show'], ['show', 'abc'], ['cancel'], ['cancel', '1', '--label', 'x'],
      ['purge'], ['purge', '--older-than', 'banana'], ['install', '--via', 'ftp'], ['uninstall'], ['watch', '--interval', '5'],
    ];
    for (const args of cases) {
      const r = await cli([...args, '--url', 'postgres://x@127.0.0.1:1/x']);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(/^pgdispatch: /);
      expect(r.stderr, args.join(' ')).toMatch(/usage: pgdispatch/);
    }
  });

  it('exits 2 when no database is given, saying how to give one', async () => {
    const r = await cli(['jobs']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--url .*DATABASE_URL/);
    expect((await cli(['jobs', '--url', 'localhost:5432'])).code).toBe(2);
  });
});

describe('connection errors', () => {
  it('exit 3 and say what to check', async () => {
    const refused = await cli(['jobs', '--url', 'postgres://app:secret@127.0.0.1:1/app']);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/nothing accepts connections at 127\.0\.0\.1:1/);
    expect(refused.stderr).toMatch(/host and port/);
    expect(refused.stderr).not.toContain('secret');
    const dns = await cli(['doctor'], { DATABASE_URL: 'postgres://app@no-such-host.invalid/app' });
    expect(dns.code).toBe(3);
    expect(dns.stderr).toMatch(/cannot be resolved/);
    const noDb = new URL(url);
    noDb.pathname = '/no_such_database';
    const missing = await cli(['jobs', '--url', noDb.toString()]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/database no_such_database does not exist/);
  });
});

describe('install, doctor, upgrade, uninstall', () => {
  it('doctor: all good on the test server, as JSON too', async () => {
    const r = await withUrl('doctor');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/pg_cron preloaded/);
    expect(r.stdout).not.toMatch(/\x1b\[/); // no colours when not a TTY
    const j = JSON.parse((await withUrl('doctor', '--json')).stdout) as { ok: boolean; checks: { name: string; result: string }[] };
    expect(j.ok).toBe(true);
    expect(j.checks.map((c) => c.name)).toEqual(expect.arrayContaining(['pg_cron preloaded', 'cron.database_name', 'pg_cron version', 'pg_dispatch', 'pg_tle', 'rights']));
  });

  it('uninstall --yes drops it with its pg_cron jobs; then commands say to install; install brings it back', async () => {
    const u = JSON.parse((await withUrl('uninstall', '--yes', '--json')).stdout);
    expect(u).toMatchObject({ dropped: true, version: expect.any(String) });
    expect((await db.query(`SELECT count(*)::int AS n FROM cron.job WHERE jobname LIKE 'pgdispatch\\_%'`)).rows[0].n).toBe(0);
    const jobs = await withUrl('jobs');
    expect(jobs.code).toBe(1);
    expect(jobs.stderr).toMatch(/not installed.*\n.*pgdispatch install/);
    const doc = await withUrl('doctor');
    expect(doc.code).toBe(1);
    expect(doc.stdout).toMatch(/fix: pgdispatch install/);
    const { rows: tle } = await db.query(`SELECT 1 FROM pg_extension WHERE extname = 'pg_tle'`);
    if (tle.length === 0) {
      const viaTle = await withUrl('install', '--via', 'pg_tle');
      expect(viaTle.code).toBe(1);
      expect(viaTle.stderr).toMatch(/pg_tle is not installed/);
    }
    const i = JSON.parse((await withUrl('install', '--json')).stdout);
    expect(i).toMatchObject({ installed: true, alreadyInstalled: false, via: tle.length ? expect.any(String) : 'files' });
    const again = await withUrl('install');
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/already installed/);
    const up = JSON.parse((await withUrl('upgrade', '--json')).stdout);
    expect(up).toMatchObject({ changed: false });
  });

  it('uninstall stops at your objects that depend on pg_dispatch, and drops them with --cascade', async () => {
    await db.query('CREATE VIEW public.cli_failed_jobs AS SELECT id FROM pgdispatch.jobs WHERE status = \'failed\'');
    const refused = await withUrl('uninstall', '--yes');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/cli_failed_jobs/);
    expect(refused.stderr).toMatch(/--cascade/);
    expect((await db.query(`SELECT 1 FROM pg_extension WHERE extname = 'pg_dispatch'`)).rowCount).toBe(1);
    const r = await withUrl('uninstall', '--yes', '--cascade', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ dropped: true });
    expect((await db.query(`SELECT 1 FROM cron.job WHERE jobname LIKE 'pgdispatch\\_%'`)).rowCount).toBe(0);
    expect((await db.query(`SELECT 1 FROM pg_class WHERE relname = 'cli_failed_jobs'`)).rowCount).toBe(0);
    await freshExtension(db);
  });

  it('upgrade takes a pg_dispatch 0.1.5 database to the current version', async (ctx) => {
    const { rows } = await db.query(`SELECT 1 FROM pg_available_extension_versions WHERE name = 'pg_dispatch' AND version = '0.1.5'`);
    if (rows.length === 0) ctx.skip();
    await dropExtension(db);
    await db.query(`CREATE EXTENSION pg_dispatch VERSION '0.1.5' CASCADE`);
    const up = await withUrl('upgrade', '--json');
    expect(up.code, up.stderr).toBe(0);
    expect(JSON.parse(up.stdout)).toEqual({ from: '0.1.5', to: extension.version, changed: true });
    await freshExtension(db);
  });
});

describe('jobs, show, watch, cancel, purge', () => {
  it('jobs lists with filters, as a table and as JSON', async () => {
    const ok = await fire('SELECT 1 AS one', 'cli/ok');
    const bad = await fire('SELECT 1 / 0', 'cli/bad');
    await waitForJob(db, ok);
    await waitForJob(db, bad);
    const t = await withUrl('jobs');
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/^ID\s+STATUS/);
    expect(t.stdout).toMatch(new RegExp(`^${bad}\\s+failed\\s+cli/bad.*22012 division by zero`, 'm'));
    const failed = JSON.parse((await withUrl('jobs', '--status', 'failed', '--json')).stdout) as { jobs: { id: string }[]; nextCursor: string | null };
    expect(failed.jobs.map((j) => j.id)).toEqual([bad]);
    const byLabel = JSON.parse((await withUrl('jobs', '--label', 'cli/%', '--since', '1h', '--limit', '1', '--json')).stdout);
    expect(byLabel.jobs.map((j: { id: string }) => j.id)).toEqual([bad]);
    expect(byLabel.nextCursor).toBe(bad);
    const next = JSON.parse((await withUrl('jobs', '--label', 'cli/%', '--limit', '1', '--cursor', bad, '--json')).stdout);
    expect(next.jobs.map((j: { id: string }) => j.id)).toEqual([ok]);
  });

  it('show prints one job; unknown ids exit 1', async () => {
    const id = await fire('SELECT 7 AS seven', 'cli/show');
    await waitForJob(db, id);
    const r = await withUrl('show', id);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/succeeded/);
    expect(r.stdout).toContain('{"seven":7}');
    const j = JSON.parse((await withUrl('show', id, '--json')).stdout);
    expect(j).toMatchObject({ id, status: 'succeeded', result: { rows: [{ seven: 7 }], rowCount: '1' } });
    const missing = await withUrl('show', '999999999');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no job 999999999/);
  });

  it('watch prints jobs as they move and the counts, one JSON object a line', async () => {
    const running = withUrl('watch', '--label', 'cli/watch%', '--duration', '6', '--json');
    await new Promise((r) => setTimeout(r, 1000));
    const id = await fire('SELECT pg_sleep(0.5)', 'cli/watch');
    const r = await running;
    expect(r.code, r.stderr).toBe(0);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; id?: string; to?: string; counts?: Record<string, number> });
    expect(events.filter((e) => e.type === 'job' && e.id === id).map((e) => e.to)).toContain('succeeded');
    expect(events.filter((e) => e.type === 'counts').at(-1)?.counts).toMatchObject({ succeeded: 1 });
    const plain = await withUrl('watch', '--duration', '1');
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/done \d+\/\d+\s+scheduled \d+\s+running \d+\s+succeeded \d+/);
  });

  it('cancel by id and by label; purge', async () => {
    const { rows: [{ a }] } = await db.query(`SELECT pgdispatch.snooze('SELECT 1', '1 hour', label => 'cli/cancel/a') AS a`);
    await db.query(`SELECT pgdispatch.snooze('SELECT 1', '1 hour', label => 'cli/cancel/b')`);
    const byId = JSON.parse((await withUrl('cancel', a, '--json')).stdout);
    expect(byId).toEqual({ cancelled: [a], alreadyFinished: [], notFound: [] });
    const byLabel = JSON.parse((await withUrl('cancel', '--label', 'cli/cancel/%', '--json')).stdout);
    expect(byLabel).toEqual({ cancelled: 1 });
    const missing = await withUrl('cancel', '999999999');
    expect(missing.code).toBe(1);
    const p = JSON.parse((await withUrl('purge', '--older-than', '0s', '--json')).stdout);
    expect(p.purged).toBeGreaterThan(0);
  });
});
