// Released scripts never change: the rule the generator (and so CI's gen:check) enforces.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { extension } from '../../src/extension.js';
import { frozenProblems, loadReleases, sha256 } from '../../generator/releases.js';
import { generate } from '../../generator/main.js';
import { repoRoot } from '../setup/repo-root.js';

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

describe('the next version', () => {
  const next = { ...extension, version: '1.0.1', comment: extension.comment };
  const upgrade = { from: extension.version, to: '1.0.1', sql: 'SELECT 1;\n' };

  it('is refused without an upgrade script from the latest release', () => {
    const { problems } = generate({ ...next, upgrades: extension.upgrades }, releases);
    expect(problems.join('\n')).toMatch(/no upgrade from the latest release 1\.0\.0 to 1\.0\.1/);
  });

  it('with one, ships it beside the released scripts, all of them in the pg_tle bundle', () => {
    const { problems, files, stale } = generate({ ...next, upgrades: [...extension.upgrades, upgrade] }, releases);
    expect(problems).toEqual([]);
    expect(stale).toEqual([]); // the released 1.0.0 scripts stay
    expect([...files.keys()]).toEqual(expect.arrayContaining(['dist-sql/pg_dispatch--1.0.1.sql', 'dist-sql/pg_dispatch--1.0.0--1.0.1.sql']));
    expect(files.has('dist-sql/pg_dispatch--1.0.0.sql')).toBe(false); // never rewritten
    expect(files.get('dist-sql/pg_dispatch.control')).toContain("default_version = '1.0.1'");
    const bundle = files.get('pg_tle/pg_dispatch.sql')!;
    expect(bundle).toMatch(/versions 1\.0\.0, 1\.0\.1; upgrade paths\n-- 0\.1\.5 -> 1\.0\.0, 1\.0\.0 -> 1\.0\.1; default 1\.0\.1/);
    expect(bundle).toContain(readFileSync(join(repoRoot, 'dist-sql', 'pg_dispatch--1.0.0.sql'), 'utf8'));
  });

  it('a changed object under a released version is refused', () => {
    const changed = { ...extension, objects: [...extension.objects, { kind: 'statement' as const, name: 'extra', sql: 'SELECT 1;\n' }] };
    const { problems } = generate(changed, releases);
    expect(problems.join('\n')).toMatch(/1\.0\.0 is released and its scripts are frozen/);
  });
});
