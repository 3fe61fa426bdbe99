// pgdispatch._start: Marks a locked job as running in this session.
import { fn, sqlFile } from '../model/define.js';

const jobArg = { name: 'job', type: 'pgdispatch._job' } as const;

export const start = fn({
  name: '_start', args: [jobArg, { name: 'me_started', type: 'timestamptz' }], returns: 'pgdispatch._job', language: 'plpgsql', security: 'invoker',
  body: sqlFile(import.meta.url, 'start.sql'), doc: 'Marks a locked job as running in this session.', audience: 'owner',
});
