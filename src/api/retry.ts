import { fn, sqlFile } from '../model/define.js';

export const retry = fn({
  name: 'retry',
  args: [{ name: 'job_id', type: 'bigint', doc: 'A job that ended `failed`, `cancelled` or `timed_out`.' }],
  returns: 'bigint',
  language: 'plpgsql',
  security: 'invoker',
  body: sqlFile(import.meta.url, 'retry.sql'),
  doc: 'Fires a finished job that did not succeed again, as a new job linked to it (`retry_of`), with the same command, label, timeout, attempts and search_path, as the caller and with the caller\'s request context. Returns the new job\'s id.',
  example: "SELECT pgdispatch.retry(id) FROM pgdispatch.jobs WHERE status = 'failed' AND label LIKE 'billing/%';",
  audience: 'user',
  surface: { client: 'retry', cli: 'retry' },
});
