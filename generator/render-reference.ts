// The API reference (docs/reference.md, and appended to database.dev's README), from the same doc
// text as the COMMENTs in the SQL.
import { mdHeader } from './header.js';
import { errors, type ErrorDef } from '../src/model/errors.js';
import type { Column, ExtensionModel, FunctionDef, TableDef, ViewDef } from '../src/model/types.js';

const oneLine = (text: string): string => text.trim().replace(/\s*\n\s*/g, ' ');

function functionEntry(schema: string, f: FunctionDef, h: string): string {
  const args = f.args
    .filter((a) => a.mode !== 'out')
    .map((a) => `${a.name} ${a.type}${a.default !== undefined ? ` DEFAULT ${a.default}` : ''}`)
    .join(', ');
  const lines = [`${h} \`${schema}.${f.name}(${args})\` → \`${f.returns ?? 'void'}\``, '', oneLine(f.doc)];
  const documented = f.args.filter((a) => a.doc);
  if (documented.length) {
    lines.push('', ...documented.map((a) => `- \`${a.name}\`: ${a.doc}`));
  }
  if (f.example) lines.push('', '```sql', f.example, '```');
  return lines.join('\n');
}

function columnTable(columns: readonly Column[]): string {
  return ['| column | type | meaning |', '| --- | --- | --- |',
    ...columns.map((c) => `| \`${c.name}\` | \`${c.type}\` | ${c.doc ?? ''} |`)].join('\n');
}

function relationEntry(schema: string, r: ViewDef | TableDef, what: string, h: string): string {
  return [`${h} ${what} \`${schema}.${r.name}\``, '', oneLine(r.doc), '', columnTable(r.columns)].join('\n');
}

/**
 * The reference's body: its groups are headings of `level` (2 is `##`), their entries one below.
 */
export function renderReference(model: ExtensionModel, level = 2): string {
  const s = model.schema;
  const group = '#'.repeat(level);
  const entry = '#'.repeat(level + 1);
  const fns = model.objects.filter((o): o is FunctionDef => o.kind === 'function' && !o.name.startsWith('_'));
  const user = fns.filter((f) => f.audience === 'user');
  const admin = fns.filter((f) => f.audience === 'owner');
  const views = model.objects.filter((o): o is ViewDef => o.kind === 'view');
  const settings = model.objects.filter((o): o is TableDef => o.kind === 'table' && !o.name.startsWith('_') && o.columns.length > 0);
  return [
    `Generated from \`src/\` (${model.name} ${model.version}), from the same text as the \`COMMENT\`s on the SQL objects.`,
    '',
    `${group} For every role allowed with \`grant_usage\``,
    '',
    ...user.map((f) => functionEntry(s, f, entry) + '\n'),
    `${group} For admins (the extension owner and roles that inherit its rights)`,
    '',
    ...admin.map((f) => functionEntry(s, f, entry) + '\n'),
    `${group} Views and settings`,
    '',
    ...views.map((v) => relationEntry(s, v, 'View', entry) + '\n'),
    ...settings.map((t) => relationEntry(s, t, 'Table', entry) + '\n'),
  ].join('\n').replace(/\n+$/, '\n');
}

/** docs/reference.md: the reference as a page of its own. */
export function renderReferencePage(model: ExtensionModel): string {
  return [
    mdHeader.trimEnd(),
    `# ${model.name} API reference`,
    '',
    'What to install and how to start: the [README](../README.md).',
    '',
    renderReference(model, 2),
    renderErrors(),
  ].join('\n');
}

/** pg_dispatch's own SQLSTATEs and the client class of each, from src/model/errors.ts. */
export function renderErrors(): string {
  return [
    '## Errors',
    '',
    'Conditions of pg_dispatch\'s own have SQLSTATEs of class `PD`; the Node client throws the class named',
    '(all extend `PgDispatchError`, with `sqlstate`, `detail`, `hint` and the driver\'s error as `cause`).',
    'PostgreSQL\'s own conditions keep their codes: `42501` (`PermissionDeniedError`: no `grant_usage`),',
    '`42883`/`42P01`/`3F000` about pgdispatch (`NotInstalledError`), connection failures (`ConnectionError`),',
    '`25P02` (`TransactionAbortedError`: the caller\'s transaction has failed; roll it back), and `22007`/`22008`/`22015`',
    'about an interval or timestamptz argument (`InvalidArgumentError`, naming it).',
    '',
    '| SQLSTATE | name | client class | meaning |',
    '| --- | --- | --- | --- |',
    ...Object.entries(errors).map(([name, e]: [string, ErrorDef]) =>
      `| \`${e.sqlstate}\` | ${name} | \`${e.className}\` | ${e.meaning}${e.raised === false ? ' Recorded in a job\'s `error_sqlstate`, not raised by a call.' : ''} |`),
    '',
  ].join('\n');
}

/**
 * database.dev's package README (dist-sql/README.md): the project's README, shown there outside the
 * repository, so its relative links are made absolute, and the reference appended (a visitor reads
 * everything on one page). Links to docs/reference.md point at the appended section instead.
 */
export function renderPackageReadme(model: ExtensionModel, readme: string, repoUrl: string): string {
  const absolute = readme.replace(/(!?)\[([^\]]*)\]\(([^)\s]+)\)/g, (link, bang: string, text: string, target: string) => {
    if (/^([a-z]+:|#)/i.test(target)) return link;
    if (/^(\.\/)?docs\/reference\.md(#.*)?$/.test(target)) return `[${text === target ? 'the API reference below' : text}](#api-reference)`;
    // Images from raw/ (blob/ is a page, not the file); HEAD is the default branch.
    return `${bang}[${text}](${repoUrl}/${bang ? 'raw' : 'blob'}/HEAD/${target.replace(/^\.\//, '')})`;
  });
  const [title, ...rest] = absolute.trimEnd().split('\n');
  const preface = `> This is the README of the ${model.name} package, with [the API reference](#api-reference) at the end. ` +
    `Installing it from database.dev: [docs/installing.md](${repoUrl}/blob/HEAD/docs/installing.md#supabase).`;
  return [mdHeader.trimEnd(), title, '', preface, ...rest, '', '## API reference', '', renderReference(model, 3)].join('\n');
}
