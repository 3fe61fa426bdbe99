// Released scripts never change: the rule the generator (and so CI's gen:check) enforces.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { extension } from '../../src/extension.js';
import { frozenProblems, loadReleases, sha256 } from '../../generator/releases.js';
import { repoRoot } from '../setup/server.js';

const releases = loadReleases(repoRoot);
const onDisk = (file: string): string | null => {
  try {
    return readFileSync(join(repoRoot, 'dist-sql', file), 'utf8');
  } catch {
    return null;
  }
};

describe('released scripts', () => {
  it('the current version is released, with its install script and the upgrade from 0.1.5', () => {
    expect(Object.keys(releases[extension.version] ?? {}).sort()).toEqual(
      [`pg_dispatch--${extension.version}.sql`, `pg_dispatch--0.1.5--${extension.version}.sql`].sort(),
    );
  });

  it('are in dist-sql/ exactly as released', () => {
    expect(frozenProblems(releases, onDisk, new Map())).toEqual([]);
  });

  it('an edit, a missing file, or src/ producing something else is refused', () => {
    const file = 'pg_dispatch--9.9.9.sql';
    const rel = { '9.9.9': { [file]: sha256('CREATE TABLE t ();\n') } };
    expect(frozenProblems(rel, () => 'CREATE TABLE t ();\n', new Map())).toEqual([]);
    expect(frozenProblems(rel, () => 'CREATE TABLE t (x int);\n', new Map())[0]).toMatch(/was changed/);
    expect(frozenProblems(rel, () => null, new Map())[0]).toMatch(/is missing/);
    const regenerated = frozenProblems(rel, () => 'CREATE TABLE t ();\n', new Map([[file, 'CREATE TABLE t (y int);\n']]));
    expect(regenerated[0]).toMatch(/9\.9\.9 is released and its scripts are frozen: set a new version/);
  });
});
