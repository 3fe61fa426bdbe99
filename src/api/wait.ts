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
  // Not wait(fire(...)): one statement is one transaction, and wait() raises PD101 (job_not_committed) on a job fired in it.
  example: "SELECT pgdispatch.wait(42, '5 seconds');  -- job 42 was fired by an earlier transaction, committed since",
  audience: 'user',
  surface: { client: 'wait', cli: 'watch' },
});
