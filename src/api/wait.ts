import { fn, sqlFile } from '../model/define.js';

export const wait = fn({
  name: 'wait',
  args: [
    { name: 'job_id', type: 'bigint' },
    { name: 'timeout', type: 'interval', default: "'30 seconds'" },
  ],
  returns: 'text',
  language: 'plpgsql',
  security: 'invoker',
  body: sqlFile(import.meta.url, 'wait.sql'),
  doc: 'Waits until the job has finished or `timeout` has passed, and returns its status then. Raises when the job was fired in the still-open calling transaction (it could never start).',
  example: "SELECT pgdispatch.wait(pgdispatch.fire('SELECT 1'), '5 seconds');  -- in autocommit: fire commits first",
  audience: 'user',
});
