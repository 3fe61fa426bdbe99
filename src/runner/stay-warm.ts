// pgdispatch._stay_warm: Whether an idle runner holding a slot stays and polls for its principal's next job (settings.warm_runner).
import { fn } from '../model/define.js';

export const stayWarm = fn({
  name: '_stay_warm',
  args: [],
  returns: 'boolean',
  language: 'sql',
  volatility: 'stable',
  security: 'definer',
  body: 'SELECT s.warm_runner FROM pgdispatch.settings AS s',
  doc: 'Whether an idle runner holding a slot stays and polls for its principal\'s next job (settings.warm_runner).',
  audience: 'runner',
});
