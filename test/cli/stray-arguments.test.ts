// Every command refuses what it does not take, before doing anything: `uninstall --yes junk` must
// not uninstall. Unknown positionals and options are usage errors (exit 2, with the usage).
import type pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connect, databaseUrl, freshExtension } from '../setup/db.js';
import { buildCli, cli } from './run-cli.js';

let db: pg.Client;
let url: string;

beforeAll(async () => {
  buildCli();
  db = await connect();
  await freshExtension(db);
  url = databaseUrl();
});
afterAll(async () => db?.end());

const installed = async (): Promise<boolean> => (await db.query(`SELECT 1 FROM pg_extension WHERE extname = 'pg_dispatch'`)).rowCount === 1;

it('uninstall --yes junk is refused and pg_dispatch stays', async () => {
  const r = await cli(['uninstall', '--yes', 'junk', '--url', url]);
  expect(r.code, r.stdout + r.stderr).toBe(2);
  expect(r.stderr).toMatch(/unexpected argument "junk"/);
  expect(r.stderr).toMatch(/usage: pgdispatch uninstall/);
  expect(r.stdout).toBe('');
  expect(await installed()).toBe(true);
});

it('every command refuses a stray argument and an unknown option, exit 2, before connecting', async () => {
  // A URL where nothing listens: a command that went ahead would exit 3, not 2.
  const nowhere = 'postgres://x@127.0.0.1:1/x';
  const cases: string[][] = [
    ['install', 'junk'], ['upgrade', 'junk'], ['uninstall', '--yes', '--cascade', 'junk'], ['doctor', 'junk'],
    ['jobs', 'junk'], ['show', '1', '2'], ['watch', 'junk'], ['purge', '--older-than', '7d', 'junk'], ['demo', 'junk'],
    ['install', '--force'], ['doctor', '-v'], ['uninstall', '--yes', '--all'], ['show', '1', '--verbose'], ['cancel', '1', '--all'],
    ['purge', '--older-than', '7d', '--dry-run'], ['jobs', '--yes'],
  ];
  for (const args of cases) {
    const r = await cli([...args, '--url', nowhere]);
    expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
    expect(r.stderr, args.join(' ')).toMatch(/^pgdispatch: (unexpected argument|unknown option)/);
    expect(r.stderr, args.join(' ')).toMatch(/usage: pgdispatch /);
  }
});

it('commands that take job ids still take them', async () => {
  const r = await cli(['cancel', '999999998', '999999999', '--url', url]);
  expect(r.code).toBe(1); // both unknown: reported, not refused as usage
  expect(r.stderr).toMatch(/no job 999999998/);
  expect(r.stderr).toMatch(/no job 999999999/);
});
