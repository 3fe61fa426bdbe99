// pgdispatch._ride: Whether a new due job can ride on drains of its principal already coming.
import { fn, sqlFile } from '../model/define.js';

export const ride = fn({
  name: '_ride',
  args: [{ name: 'principal_role', type: 'oid' }, { name: 'principal_settings', type: 'jsonb' }],
  returns: 'boolean',
  language: 'plpgsql',
  // Invoker: called by _job_arm_at_commit (a definer, as the owner) at COMMIT, never granted.
  security: 'invoker',
  body: sqlFile(import.meta.url, 'ride.sql'),
  doc: 'At COMMIT, whether a due job needs no carrier: its principal already has as many runners and carriers coming as a role may hold slots, one of which is held to look for it.',
  audience: 'owner',
});
