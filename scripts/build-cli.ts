// Builds what the package ships: the CLI bundled into one file, dist/pgdispatch.mjs (package.json
// "bin"), which finds dist-sql/, pg_tle/ and scripts/local-pg.sh from the package root
// (projectRoot()); and the client, dist/client/index.js (pg and kysely left as dependencies) with
// its declarations (tsconfig.client.json), for package.json "exports". `--cli` builds the CLI only.
// The dashboard's page (src/cli/dashboard/public/: HTML, JS, CSS, served as they are) is copied to
// dist/dashboard/, where the bundled CLI finds it (package.json "files" ships dist/).
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readdirSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outfile = join(root, 'dist', 'pgdispatch.mjs');

// Built beside its place and renamed into it: builds that run at once (both CI legs' test files,
// in one checkout) never run a half-written CLI.
const part = `${outfile}.${process.pid}`;
await build({
  entryPoints: [join(root, 'src', 'cli', 'main.ts')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outfile: part,
  // pg's optional native binding is never used.
  external: ['pg-native'],
  // pg is CommonJS: give its require() calls of Node's modules a require to call.
  banner: { js: "#!/usr/bin/env node\nimport { createRequire as __pgdCreateRequire } from 'node:module';\nconst require = __pgdCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
chmodSync(part, 0o755);
renameSync(part, outfile);
// File by file, each written beside its place and renamed into it: builds that run at once (the
// test files of both CI legs build in one checkout) never see a half-copied or missing page.
const page = join(root, 'src', 'cli', 'dashboard', 'public');
const served = join(root, 'dist', 'dashboard');
mkdirSync(served, { recursive: true });
for (const name of readdirSync(page)) {
  const part = join(served, `.${name}.${process.pid}`);
  copyFileSync(join(page, name), part);
  renameSync(part, join(served, name));
}
console.log(`built ${outfile.slice(root.length + 1)} and dist/dashboard/`);

if (!process.argv.includes('--cli')) {
  await build({
    entryPoints: [join(root, 'src', 'client', 'index.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outfile: join(root, 'dist', 'client', 'index.js'),
    logLevel: 'warning',
  });
  execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.client.json')], { stdio: 'inherit' });
  console.log('built dist/client/index.js and its declarations');
}
