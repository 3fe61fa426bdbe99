// pgdispatch._service_command: The pg_cron command of one of pg_dispatch's own service jobs.
import { dedent, fn } from '../model/define.js';

export const serviceCommand = fn({
  name: '_service_command',
  args: [{ name: 'procedure', type: 'text' }],
  returns: 'text',
  language: 'sql',
  volatility: 'immutable',
  security: 'invoker',
  // Like a carrier's command: removes its own pg_cron job once pg_dispatch is gone.
  body: dedent(`
    SELECT pg_catalog.format(
      'DO $pgdispatch$BEGIN IF pg_catalog.to_regprocedure(%L) IS NULL '
      'THEN PERFORM cron.unschedule(c.jobid) FROM cron.job AS c WHERE c.jobname LIKE %L AND c.username = CURRENT_USER; '
      'ELSE CALL pgdispatch.%I(); END IF; END$pgdispatch$',
      'pgdispatch.' || procedure || '()', 'pgdispatch\\_%', procedure)
  `),
  doc: 'The pg_cron command of one of pg_dispatch\'s own service jobs.',
  audience: 'owner',
});
