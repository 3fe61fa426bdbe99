// pgdispatch._max_runners: settings.max_runners for fire_many(), which runs as its caller (users
// cannot read pgdispatch.settings).
import { dedent, fn } from '../model/define.js';

export const maxRunners = fn({
  name: '_max_runners',
  args: [],
  returns: 'integer',
  language: 'sql',
  volatility: 'stable',
  security: 'definer',
  body: dedent(`
    SELECT s.max_runners FROM pgdispatch.settings AS s
  `),
  doc: 'settings.max_runners, for fire_many() (how many of a batch get a carrier).',
  audience: 'user',
});
