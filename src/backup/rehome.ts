// After pg_restore: restored jobs bound to this cluster's roles, and runner identities of another
// life retired (see rehome.sql, retire-runner.sql).
import { fn, sqlFile } from '../model/define.js';

export const retireRunner = fn({
  name: '_retire_runner', args: [{ name: 'old_oid', type: 'oid' }], returns: 'void', language: 'plpgsql', security: 'invoker',
  body: sqlFile(import.meta.url, 'retire-runner.sql'),
  doc: 'Takes over a runner identity pg_dispatch did not register here (restored, or left by an earlier install): removes its carriers, and drops it when it serves no role here.',
  audience: 'owner',
});

export const rehome = fn({
  name: '_rehome', args: [], returns: 'void', language: 'plpgsql', security: 'invoker',
  body: sqlFile(import.meta.url, 'rehome.sql'),
  doc: 'Binds jobs restored from a dump to the roles of their names here, removes the carriers they came with and arms the pending ones; retires runner identities of another life.',
  audience: 'owner',
});
