// pgdispatch._record_failure: Records a failed attempt: retry later or failed.
import { fn, sqlFile } from '../model/define.js';

const jobArg = { name: 'job', type: 'pgdispatch._job' } as const;

export const recordFailure = fn({
  name: '_record_failure',
  args: [jobArg, { name: 'e_sqlstate', type: 'text' }, { name: 'e_message', type: 'text' }, { name: 'e_detail', type: 'text' },
    { name: 'e_hint', type: 'text' }, { name: 'e_context', type: 'text' }],
  returns: 'text', language: 'plpgsql', security: 'invoker',
  body: sqlFile(import.meta.url, 'record-failure.sql'), doc: 'Records a failed attempt: retry later or failed.', audience: 'owner',
});
