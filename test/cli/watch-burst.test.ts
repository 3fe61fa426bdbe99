// watch follows a burst a person (or a log) can read: a few hundred jobs give a bounded output
// with done/total, rate and ETA; off a terminal, plain lines without ANSI codes; it ends when
// asked (--until-idle, SIGINT); on a terminal it redraws at most ~4 times a second.
import { execFile, spawn } from 'node:child_process';
import type pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connect, databaseUrl, freshExtension, waitFor } from '../setup/db.js';
import { bin, buildCli, cli, cliEnv } from './run-cli.js';

let db: pg.Client;
let url: string;

beforeAll(async () => {
  buildCli();
  db = await connect();
  await freshExtension(db);
  // No runner lingers from one burst into the next: a lingering one would finish the next burst
  // before watch starts, and watch follows the jobs unfinished when it starts.
  await db.query(`UPDATE pgdispatch.settings SET linger = '0'`);
  url = databaseUrl();
});
afterAll(async () => db?.end());

/** Fires n jobs over three labels; one in ten fails. */
async function burst(n: number, prefix: string): Promise<void> {
  await db.query(`
    SELECT pgdispatch.fire(CASE WHEN i % 10 = 0 THEN 'SELECT 1 / 0' ELSE 'SELECT pg_sleep(0.01)' END, label => $2 || (i % 3))
      FROM generate_series(1, $1) AS i`, [n, `${prefix}/`]);
}

const idle = () => waitFor('the jobs to finish', async () =>
  (await db.query(`SELECT 1 FROM pgdispatch.jobs WHERE status IN ('scheduled', 'running')`)).rowCount === 0 ? true : undefined, { timeoutMs: 60_000 });

it('a burst of 300 jobs, not a terminal: bounded plain lines with done/total, rate, ETA; --until-idle ends it', async () => {
  await burst(300, 'burst');
  const started = Date.now();
  const r = await cli(['watch', '--until-idle', '--label', 'burst/%', '--url', url]);
  const seconds = (Date.now() - started) / 1000;
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).not.toMatch(/\x1b/); // no colours, no cursor movement
  // At most a line overall and one per label (3) a second, plus the first look and the end.
  expect(r.stdout.length).toBeLessThan(200 * 4 * (seconds + 3));
  const lines = r.stdout.trim().split('\n');
  expect(lines[0]).toMatch(/^\S+Z  all  done \d+\/300  scheduled \d+  running \d+  succeeded \d+  failed \d+  cancelled 0  timed_out 0  rate \S+  eta \S+$/);
  expect(r.stdout).toMatch(/  label burst\/0  done \d+\/100 /);
  expect(lines.at(-1)).toMatch(/  end  done 300\/300  scheduled 0  running 0  succeeded 270  failed 30 .* eta done$/);
  expect(r.stdout).toMatch(/rate \d+(\.\d+)?\/s  eta (\d+[smh]|done)$/m); // a rate was measured
});

it('ends on SIGINT with the state at the end', async () => {
  await idle();
  await burst(30, 'sigint');
  const child = spawn(process.execPath, [bin, 'watch', '--label', 'sigint/%', '--url', url], { env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  await waitFor('the first line', async () => (out.includes(' all  done ') ? true : undefined));
  child.kill('SIGINT');
  expect(await closed).toBe(0);
  expect(out.trim().split('\n').at(-1)).toMatch(/  end  done \d+\/30 /);
});

it('on a terminal: a screen redrawn at most ~4 times a second, with progress, running and latest finished', async (ctx) => {
  // util-linux `script` gives watch a pseudo-terminal; without it there is no terminal to test.
  const hasScript = await new Promise<boolean>((resolve) => execFile('script', ['--version'], (err) => resolve(!err)));
  if (!hasScript) ctx.skip();
  await idle();
  await burst(300, 'tty');
  const started = Date.now();
  const out = await new Promise<string>((resolve) => {
    const command = `stty cols 120 rows 40; "${process.execPath}" "${bin}" watch --until-idle --label 'tty/%' --url '${url}'`;
    execFile('script', ['-qfec', command, '/dev/null'], { env: cliEnv({ TERM: 'xterm' }), timeout: 60_000, maxBuffer: 64 << 20 }, (_e, stdout) => resolve(stdout));
  });
  const seconds = (Date.now() - started) / 1000;
  const frames = out.split('\x1b[H').length - 1;
  expect(frames).toBeGreaterThan(0);
  expect(frames).toBeLessThanOrEqual(Math.ceil(seconds * 4.5) + 2);
  const plain = out.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
  expect(plain).toMatch(/all\s+\[[#.]+\]\s+\d+\/300 done/);
  expect(plain).toMatch(/tty\/1\s+\[[#.]+\]\s+\d+\/100 done/);
  expect(plain).toMatch(/RUNNING \(\d+\)/);
  expect(plain).toMatch(/LATEST FINISHED/);
  expect(plain).toMatch(/300\/300 done/);
});
