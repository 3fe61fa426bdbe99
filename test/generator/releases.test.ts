// Released scripts never change: the rule the generator (and so CI's gen:check) enforces.
// No version is written here: they come from src/releases.json and src/extension.ts (package.json),
// so these tests hold both when the current version is released and when it is the next one.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { extension } from '../../src/extension.js';
import type { DeltaUpgrade, UpgradeDef } from '../../src/model/types.js';
import { compareVersions, frozenProblems, loadReleases, sha256 } from '../../generator/releases.js';
import { generate } from '../../generator/main.js';
import { upgradeFile } from '../../generator/render-upgrade.js';
import { repoRoot } from '../setup/repo-root.js';

const releases = loadReleases(repoRoot);
const onDisk = (file: string): string | null => {
  try {
    return readFileSync(join(repoRoot, 'dist-sql', file), 'utf8');
  } catch {
    return null;
  }
};
const { name, version } = extension;
const released = Object.keys(releases).sort(compareVersions);
const latest = released.at(-1)!;
const isReleased = (file: string): boolean => Object.values(releases).some((files) => file in files);
const installFile = (v: string): string => `${name}--${v}.sql`;
/** The upgrades src/ describes that some release shipped. */
const releasedUpgrades = extension.upgrades.filter((u) => isReleased(upgradeFile(extension, u)));
const bump = (v: string): string => v.replace(/\d+$/, (patch) => String(Number(patch) + 1));

describe('released scripts', () => {
  it('there is at least one release, and every released version has its install script', () => {
    expect(released.length).toBeGreaterThan(0);
    for (const v of released) expect(Object.keys(releases[v]!), v).toContain(installFile(v));
  });

  it('the current version is the latest release, or the next one with an upgrade from it described in src/', () => {
    const into = extension.upgrades.filter((u) => u.to === version).map((u) => upgradeFile(extension, u));
    if (releases[version]) {
      // Released: it shipped exactly its install script and the upgrades into it that src/ describes.
      expect(version).toBe(latest);
      expect(Object.keys(releases[version]!).sort()).toEqual([installFile(version), ...into].sort());
    } else {
      // Not yet released: newer than every release, reachable from the latest one.
      expect(compareVersions(version, latest)).toBeGreaterThan(0);
      expect(into).toContain(upgradeFile(extension, { from: latest, to: version }));
    }
  });

  it('every upgrade src/ describes leads into the current version or was released', () => {
    for (const u of extension.upgrades) {
      expect(u.to === version || isReleased(upgradeFile(extension, u)), `${u.from} -> ${u.to}`).toBe(true);
    }
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
  // The current version when it is not released yet (its scripts are then the ones in dist-sql/),
  // else the patch after it.
  const next = releases[version] ? bump(version) : version;
  const model = { ...extension, version: next };
  // Unreleased: the upgrade src/ describes; released: an empty one (the model equals the release).
  const upgrade: UpgradeDef = releases[version]
    ? { from: latest, to: next }
    : extension.upgrades.find((u) => u.from === latest && u.to === version)!;

  it('an upgrade that leaves out a changed, new or dropped object is refused, naming it', () => {
    const changed = extension.objects.map((o) => (o.name === 'status' && o.kind === 'function' ? { ...o, doc: o.doc + ' Changed.' } : o));
    const extra = { kind: 'statement', name: 'probe', sql: 'SELECT 1;' } as const;
    const m = { ...model, objects: [...changed.filter((o) => o.name !== 'cancel_by_label'), extra] };
    const { problems } = generate({ ...m, upgrades: [...releasedUpgrades, { from: latest, to: next }] }, releases);
    const text = problems.join('\n');
    expect(text).toContain("add 'probe' to creates");
    expect(text).toContain("add 'cancel_by_label' to drops");
    expect(text).toContain("add 'status' to replaces");
  });

  it('is refused without an upgrade script from the latest release', () => {
    const { problems } = generate({ ...model, upgrades: releasedUpgrades }, releases);
    expect(problems.join('\n')).toContain(`no upgrade from the latest release ${latest} to ${next}`);
  });

  it('with one, ships it beside the released scripts, all of them in the pg_tle bundle', () => {
    const { problems, files, stale } = generate({ ...model, upgrades: [...releasedUpgrades, upgrade] }, releases);
    expect(problems).toEqual([]);
    expect(stale).toEqual([]); // the released scripts stay
    expect([...files.keys()]).toEqual(expect.arrayContaining([`dist-sql/${installFile(next)}`, `dist-sql/${upgradeFile(model, upgrade)}`]));
    for (const v of released) expect(files.has(`dist-sql/${installFile(v)}`), v).toBe(false); // never rewritten
    expect(files.get(`dist-sql/${name}.control`)).toContain(`default_version = '${next}'`);
    const bundle = files.get(`pg_tle/${name}.sql`)!;
    const paths = [...Object.values(releases).flatMap((f) => Object.keys(f)), upgradeFile(model, upgrade)]
      .map((f) => f.slice(name.length + 2, -'.sql'.length).split('--'))
      .filter((p): p is [string, string] => p.length === 2)
      .sort(([af, at], [bf, bt]) => compareVersions(at, bt) || compareVersions(af, bf))
      .map(([from, to]) => `${from} -> ${to}`);
    expect(bundle).toContain(`versions ${[...released, next].join(', ')}; upgrade paths\n-- ${paths.join(', ')}; default ${next}`);
    for (const v of released) {
      for (const file of Object.keys(releases[v]!)) expect(bundle, file).toContain(onDisk(file)!);
    }
  });

  it('a trigger function changed in place keeps its triggers: neither CREATE TRIGGER nor CREATE CONSTRAINT TRIGGER again', () => {
    const triggered = ['_job_before_insert', '_job_arm_at_commit'];  // a BEFORE trigger, a deferred constraint trigger
    const objects = extension.objects.map((o) => (o.kind === 'function' && triggered.includes(o.name) ? { ...o, body: `${o.body}\n-- changed` } : o));
    const delta = upgrade as DeltaUpgrade;
    const up: DeltaUpgrade = { ...delta, replaces: [...new Set([...(delta.replaces ?? []), ...triggered])] };
    const { problems, files } = generate({ ...model, objects, upgrades: [...releasedUpgrades, up] }, releases);
    expect(problems).toEqual([]);
    const sql = files.get(`dist-sql/${upgradeFile(model, up)}`)!;
    for (const t of triggered) {
      expect(sql).toContain(`CREATE OR REPLACE FUNCTION pgdispatch.${t}()`);
      expect(sql).not.toMatch(new RegExp(`CREATE (CONSTRAINT )?TRIGGER ${t}\\b`));
      expect(sql).not.toContain(`DROP TRIGGER ${t}`);
    }
  });

  it('a changed object under a released version is refused', () => {
    const extra = { kind: 'statement' as const, name: 'extra', sql: 'SELECT 1;\n' };
    const changed = { ...extension, version: latest, upgrades: releasedUpgrades, objects: [...extension.objects, extra] };
    const { problems } = generate(changed, releases);
    expect(problems.join('\n')).toContain(`${latest} is released and its scripts are frozen`);
  });
});
