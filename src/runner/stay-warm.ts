// pgdispatch._stay_warm: Whether an idle runner holding a slot stays and polls for its principal's next job (settings.warm_runner).
import { dedent, fn } from '../model/define.js';

export const stayWarm = fn({
  name: '_stay_warm',
  args: [],
  returns: 'boolean',
  language: 'sql',
  volatility: 'stable',
  security: 'definer',
  // Not while another role waits for a slot.
  body: dedent(`
    SELECT s.warm_runner AND NOT EXISTS (SELECT 1 FROM pgdispatch._waiting_role AS w WHERE w.role_oid <> pgdispatch._served_role())
      FROM pgdispatch.settings AS s
  `),
  doc: 'Whether an idle runner holding a slot stays and polls for its principal\'s next job (settings.warm_runner).',
  audience: 'runner',
});
