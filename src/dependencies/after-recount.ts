// pgdispatch._after_recount: Counts a parked job's unfinished dependencies again; releases or cancels it.
import { fn, sqlFile } from '../model/define.js';
import { withDependencyFailed } from './dependency-failed.js';

export const afterRecount = fn({
  name: '_after_recount',
  args: [{ name: 'job_id', type: 'bigint' }, { name: 'at_commit', type: 'boolean' }],
  returns: 'timestamptz',
  language: 'plpgsql',
  // Invoker: called by _job_arm_at_commit (a definer) and the maintenance job, never granted.
  security: 'invoker',
  body: withDependencyFailed(sqlFile(import.meta.url, 'after-recount.sql')),
  doc: 'Counts a parked job\'s unfinished dependencies again (at its COMMIT, locking them); returns when it is due once released.',
  audience: 'owner',
});
