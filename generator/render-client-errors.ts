// The client's classes for pg_dispatch's own errors, from the one table in src/model/errors.ts.
import { errors, type ErrorDef } from '../src/model/errors.js';
import { tsHeader } from './header.js';

export function renderClientErrors(): string {
  const defs = Object.entries(errors) as [string, ErrorDef][];
  const classes = defs.map(([name, e]) => [
    '/**',
    ` * ${e.meaning} (\`${e.sqlstate}\`, ${name}${e.raised === false ? '; recorded in a job\'s error_sqlstate, not raised by a call' : ''}).`,
    ' *',
    ' * @example',
    ` * if (e instanceof ${e.className}) console.log(e.sqlstate, e.hint); // '${e.sqlstate}'`,
    ' */',
    `export class ${e.className} extends ${e.parent ?? 'PgDispatchError'} {`,
    `  override readonly name: string = '${e.className}';`,
    '}',
  ].join('\n'));
  const map = defs.map(([, e]) => `  ${e.sqlstate}: ${e.className},`);
  return [
    tsHeader.trimEnd(),
    "import { PgDispatchError } from '../dispatch-error.js';",
    '',
    ...classes.flatMap((c) => [c, '']),
    '/** Every SQLSTATE of pg_dispatch\'s own, and the class that stands for it. */',
    'export const pgDispatchErrorClasses: Readonly<Record<string, new (m: string, o?: ConstructorParameters<typeof PgDispatchError>[1]) => PgDispatchError>> = {',
    ...map,
    '};',
    '',
  ].join('\n');
}
