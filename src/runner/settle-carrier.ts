// pgdispatch._settle_carrier: The last act of a carrier's run: removes or re-arms its own carrier.
import { fn, sqlFile } from '../model/define.js';

export const settleCarrier = fn({
  name: '_settle_carrier',
  args: [{ name: 'job_id', type: 'bigint' }],
  returns: 'void',
  language: 'plpgsql',
  security: 'definer',
  body: sqlFile(import.meta.url, 'settle-carrier.sql'),
  doc: 'The last act of a carrier\'s run: removes or re-arms its own carrier.',
  audience: 'runner',
});
