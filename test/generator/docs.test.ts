// The documentation: README short, without the reference (docs/reference.md holds it, generated),
// links that lead somewhere, and database.dev's README readable outside the repository.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { extension } from '../../src/extension.js';
import { repoRoot } from '../setup/repo-root.js';

const read = (path: string): string => readFileSync(join(repoRoot, path), 'utf8');
const docs = ['README.md', 'bench/README.md', ...readdirSync(join(repoRoot, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
/** Markdown links and images outside code blocks: [text](target). */
const links = (md: string): string[] =>
  [...md.replace(/```[\s\S]*?```/g, '').matchAll(/!?\[[^\]]*\]\(([^)\s]+)\)/g)].map((m) => m[1]!);
/** GitHub's anchor for a heading. */
const slug = (heading: string): string => heading.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');
const anchors = (md: string): Set<string> =>
  new Set([...md.replace(/```[\s\S]*?```/g, '').matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1]!)));

describe('documentation', () => {
  it('README.md is short, has a table of contents, and links to the reference instead of holding it', () => {
    const readme = read('README.md');
    expect(readme.split('\n').length).toBeLessThanOrEqual(250);
    expect(readme).toMatch(/^## Contents$/m);
    expect(readme).not.toContain('api-reference:begin');
    expect(links(readme)).toContain('docs/reference.md');
  });

  it('docs/reference.md is generated and documents every public function', () => {
    const reference = read('docs/reference.md');
    for (const o of extension.objects) {
      if (o.kind === 'function' && !o.name.startsWith('_')) expect(reference).toContain(`${extension.schema}.${o.name}(`);
    }
  });

  it.each(docs)('every relative link in %s leads to a file, and its #anchor to a heading', (doc) => {
    for (const link of links(read(doc))) {
      if (/^[a-z]+:/i.test(link)) continue;
      const [path, anchor] = link.split('#') as [string, string | undefined];
      const target = path ? relative(repoRoot, join(repoRoot, dirname(doc), path)) : doc;
      expect(existsSync(join(repoRoot, target)), `${doc}: ${link}`).toBe(true);
      if (anchor && target.endsWith('.md')) expect(anchors(read(target)).has(anchor), `${doc}: ${link}`).toBe(true);
    }
  });

  it('dist-sql/README.md (database.dev) has the README and the reference, and no link relative to the repository', () => {
    const pkg = read('dist-sql/README.md');
    expect(pkg).toContain('## API reference');
    expect(pkg).toContain(`${extension.schema}.fire(`);
    for (const link of links(pkg)) expect(link, link).toMatch(/^(https:\/\/|#)/);
    for (const link of links(pkg).filter((l) => l.startsWith('#'))) expect(anchors(pkg).has(link.slice(1)), link).toBe(true);
  });
});
