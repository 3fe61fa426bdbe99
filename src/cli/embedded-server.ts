// A throwaway PostgreSQL with pg_cron for the demo when no DATABASE_URL is given: the same
// scripts/local-pg.sh the tests use (Debian's postgresql-17 packages run in a chroot).
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project's root, found from this file whether it runs from src/ or from a bundle in dist/. */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'scripts', 'local-pg.sh'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find scripts/local-pg.sh: run this from a checkout of pg_dispatch');
    dir = up;
  }
  return dir;
}

export interface EmbeddedServer {
  readonly url: string;
  readonly name: string;
}

/** Starts (or reuses) the named local cluster with pg_dispatch's files installed; returns its URL. */
export function startEmbedded(name: string, port: number): EmbeddedServer {
  const root = projectRoot();
  const script = join(root, 'scripts', 'local-pg.sh');
  const url = execFileSync(script, ['start', name, String(port)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  const extdir = execFileSync(script, ['extdir'], { encoding: 'utf8' }).trim();
  const dist = join(root, 'dist-sql');
  for (const f of readdirSync(dist)) {
    if (f.endsWith('.control') || f.endsWith('.sql')) copyFileSync(join(dist, f), join(extdir, f));
  }
  return { url, name };
}

export function stopEmbedded(name: string): void {
  execFileSync(join(projectRoot(), 'scripts', 'local-pg.sh'), ['stop', name], { stdio: 'inherit' });
}
