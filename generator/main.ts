// Writes every generated artifact from src/, or with --check compares them and fails on drift.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { extension } from '../src/extension.js';
import { renderClientApi } from './render-client-api.js';
import { renderClientTypes } from './render-client-types.js';
import { renderControl } from './render-control.js';
import { renderInstall } from './render-install.js';
import { renderPgTle } from './render-pgtle.js';
import { renderReference, spliceReference } from './render-reference.js';
import { mdHeader } from './header.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export function artifacts(): Map<string, string> {
  const m = extension;
  const install = renderInstall(m);
  const reference = renderReference(m);
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const out = new Map<string, string>();
  out.set(`dist-sql/${m.name}.control`, renderControl(m));
  out.set(`dist-sql/${m.name}--${m.version}.sql`, install);
  // database.dev shows the package's README.md: the project's README with its reference.
  out.set('dist-sql/README.md', mdHeader + spliceReference(readme, reference));
  out.set(`pg_tle/${m.name}.sql`, renderPgTle(m, install));
  out.set('src/client/generated/database.ts', renderClientTypes(m));
  out.set('src/client/generated/api.ts', renderClientApi(m));
  out.set('README.md', spliceReference(readme, reference));
  return out;
}

function main(): void {
  const check = process.argv.includes('--check');
  const drift: string[] = [];
  for (const [path, content] of artifacts()) {
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
  if (drift.length) {
    console.error(`Generated files differ from what src/ produces:\n  ${drift.join('\n  ')}\nRun: npm run gen`);
    process.exit(1);
  }
  if (check) console.log('gen:check: generated files match src/.');
}

main();
