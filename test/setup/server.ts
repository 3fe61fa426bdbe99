// Finds a real PostgreSQL with pg_cron >= 1.5 for the tests, in this order:
//   1. PGDISPATCH_TEST_DATABASE_URL (a server you provide, with pg_dispatch installable);
//   2. testcontainers, when a Docker engine answers;
//   3. a throwaway local PostgreSQL 17 + pg_cron 1.6 from Debian's packages (scripts/local-pg.sh).
// Never a mock: pg_dispatch is pg_cron jobs, so only the real thing proves anything.
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { installExtensionFiles as installFiles } from '../../src/cli/embedded-server.js';
import { repoRoot } from './repo-root.js';

export { repoRoot };
const localPg = join(repoRoot, 'scripts', 'local-pg.sh');
const run = promisify(execFile);

export interface TestServer {
  readonly url: string;
  /** How it was found, for the test log. */
  readonly kind: 'external' | 'container' | 'local';
  /** Local servers only: the cluster name for stop/restart (crash tests). */
  readonly localName?: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

async function dockerAnswers(): Promise<boolean> {
  try {
    await run('docker', ['info', '--format', '{{.ServerVersion}}'], { timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}

/** Where the upgrade tests' stand-in for pg_dispatch 0.1.5 lives (never shipped). */
export const legacyFixture = join(repoRoot, 'test', 'fixtures', 'pg_dispatch-0.1.5');

/** dist-sql's files and the 0.1.5 stand-in, where the local server looks for extensions. */
export function installExtensionFiles(): void {
  installFiles([legacyFixture]);
}

/** Stops (fast or immediate, as a crash) and starts again the local test server. */
export async function localServer(name: string, action: 'stop-immediate' | 'restart'): Promise<void> {
  if (action === 'stop-immediate') await run(localPg, ['stop', name, 'immediate']);
  else await run(localPg, ['restart', name]);
}

async function startContainer(): Promise<TestServer> {
  // Supabase's image carries pg_cron and pg_tle; pg_dispatch goes in through its files.
  const { GenericContainer, Wait } = await import('testcontainers');
  const container = await new GenericContainer('supabase/postgres:15.8.1.085')
    .withEnvironment({ POSTGRES_PASSWORD: 'postgres' })
    .withExposedPorts(5432)
    .withCopyDirectoriesToContainer([
      { source: join(repoRoot, 'dist-sql'), target: '/usr/share/postgresql/extension-pgdispatch' },
      { source: legacyFixture, target: '/usr/share/postgresql/extension-pgdispatch' },
    ])
    .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
    .start();
  await container.exec(['sh', '-c', 'cp /usr/share/postgresql/extension-pgdispatch/*.sql /usr/share/postgresql/extension-pgdispatch/*.control "$(pg_config --sharedir)/extension/"']);
  const url = `postgres://supabase_admin:postgres@${container.getHost()}:${container.getMappedPort(5432)}/postgres`;
  return { url, kind: 'container', stop: async () => void (await container.stop()) };
}

async function startLocal(): Promise<TestServer> {
  // Several checkouts (or helpers) on one machine each name their own cluster.
  const name = process.env.PGDISPATCH_TEST_CLUSTER ?? 'test';
  const port = await freePort();
  let url: string;
  try {
    // A fresh cluster per run: tests must not depend on what an earlier run left behind.
    await run(localPg, ['destroy', name]);
    ({ stdout: url } = await run(localPg, ['start', name, String(port)], { maxBuffer: 16 << 20 }));
  } catch (e) {
    const err = e as { stderr?: string };
    throw new Error(
      'No PostgreSQL with pg_cron >= 1.5 could be had for the tests.\n' +
        'Either set PGDISPATCH_TEST_DATABASE_URL to a server with pg_cron >= 1.5 (its database must be cron.database_name),\n' +
        'or run where a Docker engine answers, or let scripts/local-pg.sh download Debian\'s postgresql-17 packages (needs root and Debian\'s mirror).\n' +
        (err.stderr ?? String(e)),
    );
  }
  installExtensionFiles();
  return { url: url.trim(), kind: 'local', localName: name, stop: async () => void (await run(localPg, ['destroy', name])) };
}

export async function findServer(): Promise<TestServer> {
  const external = process.env.PGDISPATCH_TEST_DATABASE_URL;
  if (external) return { url: external, kind: 'external', stop: async () => {} };
  if (await dockerAnswers()) return startContainer();
  return startLocal();
}
