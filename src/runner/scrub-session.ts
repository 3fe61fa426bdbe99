// pgdispatch._scrub_session: Resets what a job may have left in the runner's session before the next job.
import { fn, sqlFile } from '../model/define.js';

export const scrubSession = fn({
  name: '_scrub_session',
  args: [],
  returns: 'void',
  language: 'plpgsql',
  security: 'invoker',
  body: sqlFile(import.meta.url, 'scrub-session.sql'),
  doc: 'Resets what a job may have left in the runner\'s session before the next job.',
  audience: 'runner',
});
