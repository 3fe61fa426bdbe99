// pgdispatch._run: The command of every carrier.
import { proc, sqlFile } from '../model/define.js';

export const run = proc({
  name: '_run', args: [{ name: 'job_id', type: 'bigint' }], language: 'plpgsql', security: 'invoker', pinsPathInBody: true,
  body: sqlFile(import.meta.url, 'run.sql'), doc: 'The command of every carrier.', audience: 'runner',
});
