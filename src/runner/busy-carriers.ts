// pgdispatch._busy_carriers: Jobs whose carrier has a run in progress right now.
import { dedent, fn } from '../model/define.js';

export const busyCarriers = fn({
  name: '_busy_carriers',
  args: [],
  returns: 'bigint[]',
  language: 'sql',
  volatility: 'stable',
  security: 'invoker',
  // When a pg_cron job is unscheduled while its run is in progress, pg_cron drops that run's
  // connection; the session goes on, but anything it then sends to its client (a notice), or a
  // server that checks for lost clients, would end it in the middle of a job. So a carrier whose
  // run is in progress is never removed by another session: its run removes it as its last act.
  body: dedent(`
    SELECT coalesce(pg_catalog.array_agg(substring(a.query FROM 'CALL pgdispatch\\._run\\((\\d+)\\)')::bigint), '{}')
      FROM pg_catalog.pg_stat_activity AS a
     WHERE a.usesysid IN (SELECT r.runner_oid FROM pgdispatch._runner AS r)
       AND a.state <> 'idle' AND a.query LIKE 'DO $pgdispatch$%CALL pgdispatch._run(%'
  `),
  doc: 'Jobs whose carrier has a run in progress right now.',
  audience: 'owner',
});
