// Writes every generated artifact from src/, or with --check compares them and fails on drift.
// Released scripts (src/releases.json) are never rewritten: see releases.ts.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { extension } from '../src/extension.js';
import { renderClientApi, surfaceProblems } from './render-client-api.js';
import { renderClientTypes } from './render-client-types.js';
import { renderClientErrors } from './render-client-errors.js';
import { renderControl } from './render-control.js';
import { renderInstall } from './render-install.js';
import { renderPgTle, renderPgTleUninstall, type Script } from './render-pgtle.js';
import { renderPackageReadme, renderReferencePage } from './render-reference.js';
import { renderUpgrade, upgradeFile } from './render-upgrade.js';
import { compareVersions, frozenProblems, loadReleases, type Releases } from './releases.js';
import type { ExtensionModel } from '../src/model/types.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist-sql');

const onDisk = (file: string): string | null => {
  const path = join(dist, file);
  return existsSync(path) ? readFileSync(path, 'utf8') : null;
};

/** The repository's web address, from package.json (`git+https://...git` -> `https://...`). */
function repositoryUrl(): string {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { repository?: { url?: string } };
  const url = pkg.repository?.url;
  if (!url) throw new Error('package.json has no repository.url: dist-sql/README.md needs it to make its links absolute');
  return url.replace(/^git\+/, '').replace(/\.git$/, '');
}

export interface Generated {
  /** Every file the generator owns, by path from the project's root. */
  readonly files: Map<string, string>;
  /** dist-sql/ scripts that are neither generated now nor released: to be removed. */
  readonly stale: string[];
  /** Broken release rules: nothing may be written while there are any. */
  readonly problems: string[];
}

/** Everything from the model (the project's, unless a test gives another) and the releases. */
export function generate(m: ExtensionModel = extension, releases: Releases = loadReleases(root)): Generated {
  const problems: string[] = [...surfaceProblems(m)];
  const scripts = new Map<string, string>(); // dist-sql scripts made from src/ now, by file name
  scripts.set(`${m.name}--${m.version}.sql`, renderInstall(m));
  for (const u of m.upgrades) {
    if (u.to === m.version) {
      const r = renderUpgrade(m, u, onDisk(`${m.name}--${u.from}.sql`) ?? undefined);
      problems.push(...r.problems);
      scripts.set(upgradeFile(m, u), r.sql);
    }
    else if (!Object.values(releases).some((files) => upgradeFile(m, u) in files)) {
      problems.push(`src/ describes the upgrade ${u.from} -> ${u.to}, which is neither to the current version ${m.version} nor released`);
    }
  }
  problems.push(...frozenProblems(releases, onDisk, scripts));

  // Every released version must still reach the current one.
  const released = Object.keys(releases).sort(compareVersions);
  const latest = released.at(-1);
  if (latest && latest !== m.version && !m.upgrades.some((u) => u.from === latest && u.to === m.version)) {
    problems.push(`no upgrade from the latest release ${latest} to ${m.version}: describe it in src/upgrades/${latest}--${m.version}.ts (what it creates, replaces and drops; the generator says what is missing) and list it in src/extension.ts`);
  }

  // The pg_tle bundle carries every version and every path: released files as shipped, plus now.
  const shipped = new Map<string, string>(scripts);
  for (const files of Object.values(releases)) {
    for (const file of Object.keys(files)) if (!shipped.has(file)) shipped.set(file, onDisk(file) ?? '');
  }
  const installs: Script[] = [];
  const upgrades: Script[] = [];
  for (const [file, sql] of shipped) {
    const parts = file.slice(m.name.length + 2, -'.sql'.length).split('--');
    if (parts.length === 1) installs.push({ file, from: parts[0]!, to: parts[0]!, sql });
    else upgrades.push({ file, from: parts[0]!, to: parts[1]!, sql });
  }
  installs.sort((a, b) => compareVersions(a.to, b.to));
  upgrades.sort((a, b) => compareVersions(a.to, b.to) || compareVersions(a.from, b.from));

  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const files = new Map<string, string>();
  files.set(`dist-sql/${m.name}.control`, renderControl(m));
  for (const [file, sql] of scripts) files.set(`dist-sql/${file}`, sql);
  // database.dev shows the package's README.md: the project's README with the reference appended.
  files.set('dist-sql/README.md', renderPackageReadme(m, readme, repositoryUrl()));
  files.set(`pg_tle/${m.name}.sql`, renderPgTle(m, installs, upgrades));
  files.set(`pg_tle/${m.name}-uninstall.sql`, renderPgTleUninstall(m));
  files.set('src/client/generated/database.ts', renderClientTypes(m));
  files.set('src/client/generated/api.ts', renderClientApi(m));
  files.set('src/client/generated/errors.ts', renderClientErrors());
  files.set('docs/reference.md', renderReferencePage(m));

  const stale = existsSync(dist)
    ? readdirSync(dist).filter((f) => f.endsWith('.sql') && !shipped.has(f)).map((f) => `dist-sql/${f}`)
    : [];
  return { files, stale, problems };
}

function main(): void {
  const check = process.argv.includes('--check');
  const { files, stale, problems } = generate();
  if (problems.length) {
    console.error(`Release rules broken, nothing written:\n  ${problems.join('\n  ')}`);
    process.exit(1);
  }
  const drift: string[] = [];
  for (const [path, content] of files) {
    const file = join(root, path);
    const current = existsSync(file) ? readFileSync(file, 'utf8') : null;
    if (current === content) continue;
    if (check) {
      drift.push(path);
    } else {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, content);
      console.log(`wrote ${path}`);
    }
  }
  for (const path of stale) {
    if (check) drift.push(`${path} (not generated, not released: remove it)`);
    else {
      rmSync(join(root, path));
      console.log(`removed ${path}`);
    }
  }
  if (drift.length) {
    console.error(`Generated files differ from what src/ produces:\n  ${drift.join('\n  ')}\nRun: npm run gen`);
    process.exit(1);
  }
  if (check) console.log('gen:check: generated files match src/, released files are intact.');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
