// The README's API reference, from the same doc text as the COMMENTs in the SQL.
import type { Column, ExtensionModel, FunctionDef, TableDef, ViewDef } from '../src/model/types.js';

const oneLine = (text: string): string => text.trim().replace(/\s*\n\s*/g, ' ');

function functionEntry(schema: string, f: FunctionDef): string {
  const args = f.args
    .filter((a) => a.mode !== 'out')
    .map((a) => `${a.name} ${a.type}${a.default !== undefined ? ` DEFAULT ${a.default}` : ''}`)
    .join(', ');
  const lines = [`### \`${schema}.${f.name}(${args})\` → \`${f.returns ?? 'void'}\``, '', oneLine(f.doc)];
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

function relationEntry(schema: string, r: ViewDef | TableDef, what: string): string {
  return [`### ${what} \`${schema}.${r.name}\``, '', oneLine(r.doc), '', columnTable(r.columns)].join('\n');
}

export function renderReference(model: ExtensionModel): string {
  const s = model.schema;
  const fns = model.objects.filter((o): o is FunctionDef => o.kind === 'function' && !o.name.startsWith('_'));
  const user = fns.filter((f) => f.audience === 'user');
  const admin = fns.filter((f) => f.audience === 'owner');
  const views = model.objects.filter((o): o is ViewDef => o.kind === 'view');
  const settings = model.objects.filter((o): o is TableDef => o.kind === 'table' && !o.name.startsWith('_') && o.columns.length > 0);
  return [
    `Generated from \`src/\` (${model.name} ${model.version}).`,
    '',
    '#### For every role allowed with `grant_usage`',
    '',
    ...user.map((f) => functionEntry(s, f) + '\n'),
    '#### For admins (the extension owner and roles that inherit its rights)',
    '',
    ...admin.map((f) => functionEntry(s, f) + '\n'),
    '#### Views and settings',
    '',
    ...views.map((v) => relationEntry(s, v, 'View') + '\n'),
    ...settings.map((t) => relationEntry(s, t, 'Table') + '\n'),
  ].join('\n').replace(/\n+$/, '\n');
}

/** Replaces what stands between the README's reference markers. */
export function spliceReference(readme: string, reference: string): string {
  const begin = '<!-- api-reference:begin (generated from src/; do not edit by hand) -->';
  const end = '<!-- api-reference:end -->';
  const a = readme.indexOf(begin);
  const b = readme.indexOf(end);
  if (a < 0 || b < a) throw new Error(`README.md lacks the markers:\n${begin}\n${end}`);
  return readme.slice(0, a + begin.length) + '\n\n' + reference + '\n' + readme.slice(b);
}
