// A throwaway PostgreSQL with pg_cron for the demo when no DATABASE_URL is given: the same
// scripts/local-pg.sh the tests use (Debian's postgresql-17 packages run in a chroot).
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, rmSync } from 'node:fs';
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

/**
 * Copies dist-sql/'s control file and scripts (and those of `extraDirs`) where the local server
 * looks for extensions, after removing pg_dispatch's files already there: a script left from an
 * earlier checkout would offer versions and paths this one does not.
 */
export function installExtensionFiles(extraDirs: readonly string[] = []): void {
  const root = projectRoot();
  const extdir = execFileSync(join(root, 'scripts', 'local-pg.sh'), ['extdir'], { encoding: 'utf8' }).trim();
  for (const f of readdirSync(extdir)) if (/^pg_dispatch(--|\.control$)/.test(f)) rmSync(join(extdir, f));
  for (const dir of [join(root, 'dist-sql'), ...extraDirs]) {
    for (const f of readdirSync(dir)) {
      if (f.endsWith('.control') || f.endsWith('.sql')) copyFileSync(join(dir, f), join(extdir, f));
    }
  }
}

/** Starts the named local cluster, new each time (throwaway), with pg_dispatch's files; returns its URL. */
export function startEmbedded(name: string, port: number): EmbeddedServer {
  const script = join(projectRoot(), 'scripts', 'local-pg.sh');
  execFileSync(script, ['destroy', name], { stdio: ['ignore', 'ignore', 'inherit'] });
  const url = execFileSync(script, ['start', name, String(port)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  installExtensionFiles();
  return { url, name };
}

export function stopEmbedded(name: string): void {
  execFileSync(join(projectRoot(), 'scripts', 'local-pg.sh'), ['stop', name], { stdio: 'inherit' });
}
