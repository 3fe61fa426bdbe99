// npm run release: freezes the current version. Records in src/releases.json the sha256 of every
// dist-sql/ script this version ships (its install script and the upgrades into it); from then on
// the generator refuses to change them, and the next SQL change needs a new version with an
// upgrade script from this one. Run it after `npm run gen`, commit, tag v<version>.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { extension } from '../src/extension.js';
import { generate } from '../generator/main.js';
import { loadReleases, releasesFile, sha256 } from '../generator/releases.js';

const root = join(import.meta.dirname, '..');
const releases = loadReleases(root);
const version = extension.version;
if (version in releases) {
  console.error(`release: ${version} is released already (${releasesFile}); set a new version first: npm pkg set version=X.Y.Z`);
  process.exit(1);
}
const { files, stale, problems } = generate();
if (problems.length || stale.length) {
  console.error(`release: fix these first:\n  ${[...problems, ...stale.map((s) => `${s} is stale: npm run gen`)].join('\n  ')}`);
  process.exit(1);
}
const shipped: Record<string, string> = {};
for (const [path, content] of files) {
  const file = path.replace(/^dist-sql\//, '');
  if (!path.startsWith('dist-sql/') || !file.endsWith('.sql')) continue;
  if (readFileSync(join(root, path), 'utf8') !== content) {
    console.error(`release: ${path} is not what src/ produces: run npm run gen first`);
    process.exit(1);
  }
  shipped[file] = sha256(content);
}
writeFileSync(join(root, releasesFile), JSON.stringify({ ...releases, [version]: shipped }, null, 2) + '\n');
console.log(`release: ${version} frozen: ${Object.keys(shipped).join(', ')}`);
