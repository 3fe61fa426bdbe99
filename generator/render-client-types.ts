// Kysely table types for pg_dispatch's views, for the typed client: generated, so they cannot drift.
import type { Column, ExtensionModel, ViewDef } from '../src/model/types.js';
import { tsHeader } from './header.js';

/** How node-postgres returns each SQL type by default. */
const tsType: Record<string, string> = {
  bigint: 'string', integer: 'number', text: 'string', name: 'string', boolean: 'boolean',
  timestamptz: 'Date', interval: 'PgInterval', jsonb: 'unknown', 'text[]': 'string[]', 'double precision': 'number',
};

const pascal = (name: string): string => name.replace(/(^|_)([a-z])/g, (_, __, c: string) => c.toUpperCase());

function column(c: Column): string {
  const t = c.ts ?? tsType[c.type];
  if (!t) throw new Error(`no TypeScript type for SQL type ${c.type} (column ${c.name})`);
  return `  /** ${c.doc ?? ''} */\n  readonly ${c.name}: ${t}${c.nullable ? ' | null' : ''};`;
}

export function renderClientTypes(model: ExtensionModel): string {
  const views = model.objects.filter((o): o is ViewDef => o.kind === 'view');
  const interfaces = views.map((v) => `/** ${v.doc} */\nexport interface ${pascal(v.name)}Row {\n${v.columns.map(column).join('\n')}\n}`);
  const db = `/** pg_dispatch's views, for Kysely: \`new Kysely<PgDispatchDatabase>(...)\`. */\nexport interface PgDispatchDatabase {\n${views
    .map((v) => `  '${model.schema}.${v.name}': ${pascal(v.name)}Row;`)
    .join('\n')}\n}`;
  const interval = [
    '/** An interval as node-postgres returns it (postgres-interval): only the parts that are not zero. */',
    'export interface PgInterval {',
    ...['years', 'months', 'days', 'hours', 'minutes', 'seconds', 'milliseconds'].map((p) => `  readonly ${p}?: number;`),
    '  /** The interval as PostgreSQL text, e.g. `1 hour 30 minutes`. */',
    '  toPostgres(): string;',
    '}',
  ].join('\n');
  return `${tsHeader}\nimport type { JobStatus } from './api.js';\n\n${interval}\n\n${interfaces.join('\n\n')}\n\n${db}\n`;
}
