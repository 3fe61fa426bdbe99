// pgdispatch._take_next: Takes the oldest due job no other session holds.
import { fn, sqlFile } from '../model/define.js';

export const takeNext = fn({
  name: '_take_next', args: [], returns: 'pgdispatch._job', language: 'plpgsql', security: 'definer',
  body: sqlFile(import.meta.url, 'take-next.sql'), doc: 'Takes the oldest due job no other session holds.', audience: 'runner',
});
