// The files the CLI ships with (dist-sql/, pg_tle/), found from the package root whether it runs
// from src/ or from the bundle in dist/.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from './embedded-server.js';

/** The pg_tle bundle, pg_tle/pg_dispatch.sql. */
export function pgTleBundle(): { path: string; sql: string } {
  const path = join(projectRoot(), 'pg_tle', 'pg_dispatch.sql');
  return { path, sql: readFileSync(path, 'utf8') };
}

/** The uninstall script, pg_tle/pg_dispatch-uninstall.sql (for every way of installing). */
export function uninstallScript(): string {
  return readFileSync(join(projectRoot(), 'pg_tle', 'pg_dispatch-uninstall.sql'), 'utf8');
}

/** Where the extension's files are, for instructions. */
export function distSqlDir(): string {
  return join(projectRoot(), 'dist-sql');
}
