// Per-role executors: the command of a job runs inside a SECURITY DEFINER function owned by the
// role that fired it, so it has exactly that role's rights, whoever runs the job (see executor.sql).
import { fn, sqlFile } from '../model/define.js';
import type { Arg } from '../model/types.js';

const executorArgs: readonly Arg[] = [
  { name: 'command', type: 'text' },
  { name: 'search_path', type: 'text' },
  { name: 'settings', type: 'jsonb' },
  { name: 'max_rows', type: 'integer' },
  { name: 'rows', type: 'jsonb', mode: 'out' },
  { name: 'row_count', type: 'bigint', mode: 'out' },
  { name: 'truncated', type: 'boolean', mode: 'out' },
];

export const executorTemplate = fn({
  name: '_executor_template',
  args: executorArgs,
  returns: 'record',
  language: 'plpgsql',
  security: 'invoker',
  body: sqlFile(import.meta.url, 'executor.sql'),
  doc: 'The source every per-role executor is created from (never called itself).',
  audience: 'owner',
});

export const executorFor = fn({
  name: '_executor_for',
  args: [
    { name: 'role_name', type: 'name' },
    { name: 'make', type: 'boolean' },
  ],
  returns: 'text',
  language: 'plpgsql',
  security: 'invoker',
  body: sqlFile(import.meta.url, 'executor-for.sql'),
  doc: 'The checked executor of a role; creates it when make is true and it is missing.',
  audience: 'owner',
});
