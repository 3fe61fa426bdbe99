// pgdispatch._fire_waiting_key: a fire of a key whose job still waits (see fire-waiting-key.sql).
import { fn, sqlFile } from '../model/define.js';

export const fireWaitingKey = fn({
  name: '_fire_waiting_key',
  args: [{ name: 'waiting', type: 'pgdispatch._job' }, { name: 'fired', type: 'pgdispatch._job' }],
  returns: 'void',
  language: 'plpgsql',
  security: 'invoker',
  body: sqlFile(import.meta.url, 'fire-waiting-key.sql'),
  doc: 'Applies a keyed fire\'s key_mode (keep, replace, debounce) to the key\'s waiting job.',
  audience: 'owner',
});
