// pgdispatch._execute: Runs a started job and records its outcome.
import { fn, sqlFile } from '../model/define.js';

const jobArg = { name: 'job', type: 'pgdispatch._job' } as const;

export const execute = fn({
  name: '_execute', args: [jobArg], returns: 'text', language: 'plpgsql', security: 'definer',
  body: sqlFile(import.meta.url, 'execute.sql'), doc: 'Runs a started job and records its outcome.', audience: 'runner',
});
