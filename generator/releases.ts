// Released scripts never change: a database at version X upgrades with the X--Y script it finds on
// the server, so a script edited after release would leave databases that took the old one with a
// catalog that no install or upgrade describes. src/releases.json records the sha256 of every file
// each release shipped (written once by `npm run release`); the generator refuses to change them.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** version -> { file in dist-sql/ -> sha256 of its content } */
export type Releases = Readonly<Record<string, Readonly<Record<string, string>>>>;

export const releasesFile = 'src/releases.json';

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

export function loadReleases(root: string): Releases {
  const file = join(root, releasesFile);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Releases) : {};
}

/** Numeric comparison of X.Y.Z versions. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

/**
 * What is wrong with the released files, given what is on disk (`onDisk(file)`, null when missing)
 * and what the generator would now write for the current version (`generated`, by file name).
 */
export function frozenProblems(
  releases: Releases,
  onDisk: (file: string) => string | null,
  generated: ReadonlyMap<string, string>,
): string[] {
  const problems: string[] = [];
  for (const [version, files] of Object.entries(releases)) {
    for (const [file, hash] of Object.entries(files)) {
      const disk = onDisk(file);
      if (disk === null) problems.push(`dist-sql/${file} (released in ${version}) is missing: restore it from git`);
      else if (sha256(disk) !== hash) problems.push(`dist-sql/${file} (released in ${version}) was changed: restore it from git`);
      const now = generated.get(file);
      if (now !== undefined && sha256(now) !== hash) {
        problems.push(
          `src/ now produces a different dist-sql/${file}, but ${version} is released and its scripts are frozen: ` +
            `set a new version in package.json (npm pkg set version=...) and describe the change in an upgrade ` +
            `script from ${version} (src/upgrades/)`,
        );
      }
    }
  }
  return problems;
}
