// `pgdispatch doctor | head -1`: when the reader goes away, the CLI stops quietly, as a Unix tool
// ended by SIGPIPE does (status 141), instead of dying with an EPIPE stack trace. The pipe is
// closed before the CLI writes anything, so that every run meets the broken pipe (no race).
import { spawn } from 'node:child_process';
import { beforeAll, expect, it } from 'vitest';
import { databaseUrl } from '../setup/db.js';
import { bin, buildCli, cliEnv } from './run-cli.js';

beforeAll(() => buildCli());

/** Runs the CLI with stdout or stderr closed by the reader; returns its status and the other stream. */
function withClosed(which: 'stdout' | 'stderr', args: readonly string[]): Promise<{ code: number | null; signal: string | null; other: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    child[which].destroy();
    let other = '';
    child[which === 'stdout' ? 'stderr' : 'stdout'].on('data', (d: Buffer) => { other += d.toString(); });
    child.on('close', (code, signal) => resolve({ code, signal, other }));
  });
}

it('stdout closed: doctor ends quietly with status 141', async () => {
  const r = await withClosed('stdout', ['doctor', '--url', databaseUrl()]);
  expect(r.other).toBe('');
  expect(r.code).toBe(141);
});

it('stdout closed: --help ends quietly with status 141', async () => {
  const r = await withClosed('stdout', ['jobs', '--help']);
  expect(r.other).toBe('');
  expect(r.code).toBe(141);
});

it('stderr closed: a usage error ends quietly with status 141, writing nothing to stdout', async () => {
  const r = await withClosed('stderr', ['jobs', '--bogus']);
  expect(r.other).toBe('');
  expect(r.code).toBe(141);
});
