// pgdispatch._take_due: Takes the oldest due job of a principal that no other session holds.
import { fn, sqlFile } from '../model/define.js';
import { queueKey } from '../queues/queue-room.js';

export const takeDue = fn({
  name: '_take_due',
  args: [{ name: 'principal_role', type: 'oid' }, { name: 'principal_settings', type: 'jsonb' }, { name: 'within', type: 'interval' },
    { name: 'me_started', type: 'timestamptz' }],
  returns: 'pgdispatch._job',
  language: 'plpgsql',
  // Invoker: called by _take, _take_next and _execute (definers, which check who may take what), never granted.
  security: 'invoker',
  body: sqlFile(import.meta.url, 'take-due.sql').replaceAll('{{QUEUE_KEY}}', queueKey('k')),
  doc: 'Takes the most urgent job of a principal due now, or else the first due within `within`, that no other session holds.',
  audience: 'owner',
});
