// The install script, pg_dispatch--<version>.sql, from the model.
import type { ExtensionModel, FunctionDef, SqlObject, TableDef, ViewDef } from '../src/model/types.js';
import { sqlHeader } from './header.js';
import { fillErrorCodes } from '../src/model/errors.js';
import { fillStatuses } from '../src/model/statuses.js';
import { RUNNER_GROUP } from '../src/runner/runner-group.js';

export const PINNED_PATH = 'pg_catalog, pg_temp';

/** A SQL string literal. */
export const literal = (text: string): string => `'${text.replace(/'/g, "''")}'`;

/** The argument types that identify a function, e.g. `pgdispatch.fire(text, text, interval)`. */
export function signature(schema: string, f: FunctionDef): string {
  const types = f.args.filter((a) => a.mode !== 'out').map((a) => a.type);
  return `${schema}.${f.name}(${types.join(', ')})`;
}

/** A dollar-quote tag that the body does not contain. */
function dollarTag(body: string): string {
  for (let i = 0; ; i++) {
    const tag = i === 0 ? '$fn$' : `$fn${i}$`;
    if (!body.includes(tag)) return tag;
  }
}

function renderFunction(schema: string, f: FunctionDef): string {
  const args = f.args
    .map((a) => `${a.mode === 'out' ? 'OUT ' : ''}${a.name} ${a.type}${a.default !== undefined ? ` DEFAULT ${a.default}` : ''}`)
    .join(', ');
  const lines = [`CREATE ${f.kind === 'function' ? 'FUNCTION' : 'PROCEDURE'} ${schema}.${f.name}(${args})`];
  if (f.kind === 'function') lines.push(`RETURNS ${f.returns}`);
  const attrs = [`LANGUAGE ${f.language}`];
  if (f.kind === 'function') attrs.push((f.volatility ?? 'volatile').toUpperCase());
  if (f.strict) attrs.push('STRICT');
  attrs.push(`SECURITY ${f.security.toUpperCase()}`);
  lines.push(attrs.join(' '));
  if (!f.pinsPathInBody) lines.push(`SET search_path = ${PINNED_PATH}`);
  if (f.atomic) lines.push('BEGIN ATOMIC', f.body.replace(/\n$/, ''), 'END;');
  else {
    const tag = dollarTag(f.body);
    lines.push(`AS ${tag}`, f.body.replace(/\n$/, ''), `${tag};`);
  }
  const kindWord = f.kind === 'function' ? 'FUNCTION' : 'PROCEDURE';
  lines.push(`COMMENT ON ${kindWord} ${signature(schema, f)} IS ${literal(f.doc.trim())};`);
  // Functions are executable by PUBLIC by default: nothing of pg_dispatch is.
  lines.push(`REVOKE ALL ON ${kindWord} ${signature(schema, f)} FROM PUBLIC;`);
  // Runner identities get theirs through the group they are members of (see runner-group.ts).
  if (f.audience === 'runner') lines.push(`GRANT EXECUTE ON ${kindWord} ${signature(schema, f)} TO ${RUNNER_GROUP};`);
  if (f.triggers) lines.push(f.triggers.replace(/\n$/, ''));
  return lines.join('\n');
}

/**
 * pg_dump leaves out the rows of an extension's tables unless they are registered as its
 * configuration: a table with a `dumpFilter` is, and so is the sequence of its identity column,
 * so that ids go on past the restored ones.
 */
export function configDump(schema: string, t: TableDef): string[] {
  if (t.dumpFilter === undefined) return [];
  const name = `${schema}.${t.name}`;
  const lines = [`SELECT pg_catalog.pg_extension_config_dump(${literal(name)}, ${literal(t.dumpFilter)});`];
  for (const m of t.ddl.matchAll(/^\s*(\w+) \w+ GENERATED (?:ALWAYS|BY DEFAULT) AS IDENTITY/gm)) {
    lines.push(`SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence(${literal(name)}, ${literal(m[1]!)})::pg_catalog.regclass, '');`);
  }
  return lines;
}

function renderTable(schema: string, t: TableDef): string {
  const lines = [t.ddl.replace(/\n$/, '')];
  if (!t.ddl.includes('CREATE SCHEMA')) {
    lines.push(`COMMENT ON TABLE ${schema}.${t.name} IS ${literal(t.doc)};`);
    lines.push(`REVOKE ALL ON TABLE ${schema}.${t.name} FROM PUBLIC;`);
  }
  lines.push(...configDump(schema, t));
  return lines.join('\n');
}

function renderView(schema: string, v: ViewDef): string {
  return [
    `CREATE VIEW ${schema}.${v.name} WITH (security_barrier) AS`,
    v.query.replace(/\n$/, '') + ';',
    `COMMENT ON VIEW ${schema}.${v.name} IS ${literal(v.doc)};`,
    `REVOKE ALL ON TABLE ${schema}.${v.name} FROM PUBLIC;`,
  ].join('\n');
}

/**
 * Every privilege grant_usage() gives a role, as format() templates: %s is GRANT or REVOKE,
 * the second %s is TO or FROM, %I the role.
 */
export function userGrants(model: ExtensionModel): string[] {
  const s = model.schema;
  const grants = [`%s USAGE ON SCHEMA ${s} %s %I`];
  for (const o of model.objects) {
    if ((o.kind === 'function' || o.kind === 'procedure') && o.audience === 'user') {
      grants.push(`%s EXECUTE ON ${o.kind === 'function' ? 'FUNCTION' : 'PROCEDURE'} ${signature(s, o)} %s %I`);
    } else if (o.kind === 'view' && o.audience === 'user') {
      grants.push(`%s SELECT ON TABLE ${s}.${o.name} %s %I`);
    } else if (o.kind === 'table') {
      for (const g of o.userGrants ?? []) grants.push(`%s ${g} ON TABLE ${s}.${o.name} %s %I`);
    }
  }
  return grants;
}

function fillPlaceholders(model: ExtensionModel, sql: string): string {
  const array = (list: string[]): string => `ARRAY[\n    ${list.map(literal).join(',\n    ')}\n  ]`;
  return fillStatuses(fillErrorCodes(sql.replaceAll('{{USER_GRANTS}}', array(userGrants(model)))));
}

export function renderObject(model: ExtensionModel, o: SqlObject): string {
  switch (o.kind) {
    case 'function':
    case 'procedure':
      return renderFunction(model.schema, { ...o, body: fillPlaceholders(model, o.body) });
    case 'table':
      return renderTable(model.schema, o);
    case 'view':
      return renderView(model.schema, o);
    case 'statement':
      return fillPlaceholders(model, o.sql).replace(/\n$/, '');
  }
}

/** The objects of the model as SQL, in order, less those named in `omit`. */
export function renderObjects(model: ExtensionModel, omit: readonly string[] = []): string[] {
  return model.objects
    .filter((o) => !omit.includes(o.name))
    .map((o) => `-- ${o.kind} ${o.name}\n${renderObject(model, o)}`);
}

export function renderInstall(model: ExtensionModel): string {
  const parts = [
    sqlHeader +
      `-- ${model.name} ${model.version}: ${model.comment}.\n` +
      `-- Install with CREATE EXTENSION ${model.name}; upgrade with ALTER EXTENSION ${model.name} UPDATE.`,
    ...renderObjects(model),
  ];
  return parts.join('\n\n') + '\n';
}
