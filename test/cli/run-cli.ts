// Runs the bundled CLI (dist/pgdispatch.mjs) as a user would, for the CLI test files: built once
// per test file (beforeAll), run with a clean environment (no DATABASE_URL, no colours by default).
import { execFile, execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../setup/server.js';

export const bin = join(repoRoot, 'dist', 'pgdispatch.mjs');

/** What a run of the CLI gave. */
export interface Run { code: number; stdout: string; stderr: string }

/** Bundles src/cli into dist/pgdispatch.mjs, so the tests run what ships. */
export function buildCli(): void {
  execFileSync('npx', ['tsx', 'scripts/build-cli.ts', '--cli'], { cwd: repoRoot, stdio: 'pipe' });
}

/** The environment a run gets: ours, without DATABASE_URL and NO_COLOR, a short connect timeout. */
export function cliEnv(env: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  return { ...process.env, DATABASE_URL: undefined, NO_COLOR: undefined, PGPASSWORD: undefined, PGDISPATCH_CONNECT_TIMEOUT: '3', ...env } as NodeJS.ProcessEnv;
}

/** Runs the CLI to the end (30 s at most) and returns its exit code and output. */
export function cli(args: readonly string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { env: cliEnv(env), timeout: 30_000, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}
