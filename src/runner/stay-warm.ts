// pgdispatch._stay_warm: Whether an idle runner stays and polls for its principal's next job.
import { dedent, fn } from '../model/define.js';

export const stayWarm = fn({
  name: '_stay_warm',
  args: [{ name: 'idle', type: 'interval' }],
  returns: 'boolean',
  language: 'sql',
  volatility: 'stable',
  security: 'definer',
  // Never while a due job of any principal waits for a slot: the slot is that job's. (Another end
  // user of the same role is another principal, which this session may not serve.)
  body: dedent(`
    SELECT (s.warm_runner OR idle < s.linger) AND NOT EXISTS (SELECT 1 FROM pgdispatch._waiting_role AS w)
      FROM pgdispatch.settings AS s
  `),
  doc: 'Whether a runner idle for `idle` stays and polls for its principal\'s next job (settings.linger, settings.warm_runner).',
  audience: 'runner',
});
