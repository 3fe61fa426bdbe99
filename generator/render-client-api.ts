// The typed client's view of pg_dispatch's public functions: for each one, the SQL it calls and the
// TypeScript shapes of its arguments and result, generated from the same FunctionDefs as the SQL,
// so that src/client cannot drift from the extension (a changed argument breaks its type-check).
import type { Arg, ExtensionModel, FunctionDef, TableDef } from '../src/model/types.js';
import { tsHeader } from './header.js';
import { jobStatuses } from '../src/model/statuses.js';

/** What a caller may pass for an argument of each SQL type (see src/client/values.ts). */
const tsIn: Record<string, string> = {
  text: 'string', name: 'string', integer: 'number', boolean: 'boolean', bigint: 'JobIdInput',
  interval: 'Interval', timestamptz: 'Date | string', jsonb: 'unknown',
};

/** How node-postgres returns each SQL type by default. */
const tsOut: Record<string, string> = {
  bigint: 'string', 'bigint[]': 'string[]', integer: 'number', text: 'string', boolean: 'boolean', jsonb: 'unknown', void: 'void',
};

const camel = (name: string): string => name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
const pascal = (name: string): string => name.replace(/(^|_)([a-z])/g, (_, __, c: string) => c.toUpperCase());
const oneLine = (text: string): string => text.trim().replace(/\s*\n\s*/g, ' ').replace(/\*\//g, '*\\/');

function typeIn(a: Arg, f: FunctionDef): string {
  const t = a.ts ?? tsIn[a.type];
  if (!t) throw new Error(`no TypeScript type for SQL type ${a.type} (argument ${a.name} of ${f.name})`);
  return t;
}

function typeOut(f: FunctionDef): string {
  const t = tsOut[f.returns ?? 'void'];
  if (!t) throw new Error(`no TypeScript type for SQL type ${f.returns} (result of ${f.name})`);
  return t;
}

function signature(schema: string, f: FunctionDef): string {
  const args = f.args.filter((a) => a.mode !== 'out')
    .map((a) => `${a.name} ${a.type}${a.default !== undefined ? ` DEFAULT ${a.default}` : ''}`).join(', ');
  return `${schema}.${f.name}(${args}) → ${f.returns ?? 'void'}`;
}

function entry(schema: string, f: FunctionDef): string {
  const ins = f.args.filter((a) => a.mode !== 'out');
  const required = ins.filter((a) => a.default === undefined);
  const optional = ins.filter((a) => a.default !== undefined);
  const P = pascal(f.name);
  const doc = `/**\n * \`${signature(schema, f).replace(/`/g, "'")}\`\n *\n * ${oneLine(f.doc)}\n */`;
  const descriptor = `${doc}
export const ${camel(f.name)} = {
  name: '${f.name}',
  call: '${schema}.${f.name}',
  audience: '${f.audience}',
  returns: '${f.returns ?? 'void'}',
  args: [
${ins.map((a) => `    { sql: '${a.name}', option: '${camel(a.name)}', type: '${a.type}', required: ${a.default === undefined} },`).join('\n')}
  ],
} as const satisfies SqlFunction;`;
  const req = `/** The arguments of \`${schema}.${f.name}\` without a default, in order. */
export type ${P}Required = readonly [${required.map((a) => `${camel(a.name)}: ${typeIn(a, f)}`).join(', ')}];`;
  const opt = `/** The arguments of \`${schema}.${f.name}\` with a default: left out, the SQL default applies. */
export interface ${P}Options {
${optional.map((a) => `  /** ${a.doc ? oneLine(a.doc) + ' ' : ''}SQL default: \`${a.default}\`. */\n  readonly ${camel(a.name)}?: ${typeIn(a, f)} | null;`).join('\n')}
}`;
  const ret = `/** What \`${schema}.${f.name}\` returns, as node-postgres reads it. */
export type ${P}Returns = ${typeOut(f)};`;
  return [descriptor, req, opt, ret].join('\n\n');
}


export function renderClientApi(model: ExtensionModel): string {
  const fns = model.objects.filter((o): o is FunctionDef => o.kind === 'function' && !o.name.startsWith('_'));
  const s = model.schema;
  const list = jobStatuses;
  const group = (audience: string, what: string) => `/** ${what} */
export const ${audience === 'user' ? 'userFunctions' : 'adminFunctions'} = {
${fns.filter((f) => f.audience === audience).map((f) => `  ${camel(f.name)},`).join('\n')}
} as const;`;
  const api = `/** Each public function's argument and result types, by its camelCase name. */
export interface PgDispatchApi {
${fns.map((f) => `  ${camel(f.name)}: { required: ${pascal(f.name)}Required; options: ${pascal(f.name)}Options; returns: ${pascal(f.name)}Returns };`).join('\n')}
}`;
  return `${tsHeader}// One entry per public function of ${model.name} ${model.version}: the SQL it calls and its TypeScript types.
// SQL types map to: text/name → string, integer → number, boolean → boolean, bigint (a job id) →
// string | number | bigint in and string out, timestamptz → Date | string, interval → Interval
// (a number of milliseconds, or PostgreSQL interval text such as '10 minutes').
import type { Interval, JobIdInput } from '../values.js';

/** The version of ${model.name} these declarations were generated from. */
export const extensionVersion = '${model.version}';

/** The schema every object of ${model.name} lives in. */
export const extensionSchema = '${s}';

/** Every status a job can have (src/model/statuses.ts). */
export const jobStatuses = [${list.map((x) => `'${x}'`).join(', ')}] as const;

/** A job's status: ${list.map((x) => `\`${x}\``).join(', ')}. */
export type JobStatus = (typeof jobStatuses)[number];

/** One argument of a SQL function: its SQL name, the client's option name, its SQL type. */
export interface SqlArg {
  readonly sql: string;
  readonly option: string;
  readonly type: string;
  readonly required: boolean;
}

/** A public SQL function of ${model.name}, as the client calls it. */
export interface SqlFunction {
  readonly name: string;
  readonly call: string;
  readonly audience: 'user' | 'owner';
  readonly returns: string;
  readonly args: readonly SqlArg[];
}

${fns.map((f) => entry(s, f)).join('\n\n')}

${group('user', 'The functions granted to every role allowed with `grant_usage`.')}

${group('owner', 'The functions for admins (the extension owner and roles that inherit its rights).')}

${api}

/** The client method of every public SQL function (src/ says why where there deliberately is none). */
export type ClientMethodName = ${clientNames(fns)};

/** The CLI command of every public SQL function that has one. */
export const cliCommandNames = [${[...new Set(fns.map((f) => f.surface?.cli).filter((c): c is string => typeof c === 'string'))].map((c) => `'${c}'`).join(', ')}] as const;
`;
}

function clientNames(fns: readonly FunctionDef[]): string {
  const names = fns.map((f) => f.surface?.client).filter((c): c is string => typeof c === 'string');
  return names.map((n) => `'${n}'`).join(' | ') || 'never';
}

/** Every public function must say how the client and the CLI offer it. */
export function surfaceProblems(model: ExtensionModel): string[] {
  return model.objects
    .filter((o): o is FunctionDef => o.kind === 'function' && !o.name.startsWith('_') && !o.surface)
    .map((f) => `src/: public function ${f.name} has no surface: give its client method and CLI command, or { absent: why }`);
}
