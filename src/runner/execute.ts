// pgdispatch._execute: Runs a started job and records its outcome.
import { fn, sqlFile } from '../model/define.js';

const jobArg = { name: 'job', type: 'pgdispatch._job' } as const;

export const execute = fn({
  name: '_execute',
  args: [jobArg, { name: 'draining', type: 'boolean' },
    { name: 'outcome', type: 'text', mode: 'out' }, { name: 'next', type: 'pgdispatch._job', mode: 'out' }],
  returns: 'record',
  language: 'plpgsql',
  security: 'definer',
  body: sqlFile(import.meta.url, 'execute.sql'),
  doc: 'Runs a started job and records its outcome; while the runner drains, starts the principal\'s next due job in the same transaction, its settings reset first.',
  audience: 'runner',
});
