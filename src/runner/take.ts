// pgdispatch._take: Takes the job a carrier was made for, if it is due and free.
import { fn, sqlFile } from '../model/define.js';

export const take = fn({
  name: '_take', args: [{ name: 'job_id', type: 'bigint' }], returns: 'pgdispatch._job', language: 'plpgsql',
  security: 'definer', body: sqlFile(import.meta.url, 'take.sql'),
  doc: 'Takes the job a carrier was made for, if it is due and free.', audience: 'runner',
});
