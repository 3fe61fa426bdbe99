// pgdispatch._alive: Whether the session that started a job is still there.
import { dedent, fn } from '../model/define.js';

export const alive = fn({
  name: '_alive',
  args: [
    { name: 'pid', type: 'integer' },
    { name: 'started', type: 'timestamptz' },
  ],
  returns: 'boolean',
  language: 'sql',
  volatility: 'stable',
  security: 'invoker',
  // The start time tells a live runner from a new session that reused its pid.
  body: dedent(`
    SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_stat_activity AS a WHERE a.pid = _alive.pid AND a.backend_start = _alive.started)
  `),
  doc: 'Whether the session that started a job is still there.',
  audience: 'owner',
});
