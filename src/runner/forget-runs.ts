// pgdispatch._forget_runs: Deletes pg_dispatch's own rows from cron.job_run_details.
import { dedent, fn } from '../model/define.js';

export const forgetRuns = fn({
  name: '_forget_runs',
  args: [{ name: 'recent', type: 'bigint' }],
  returns: 'void',
  language: 'sql',
  security: 'invoker',
  atomic: true,
  // pg_cron never cleans cron.job_run_details; pg_dispatch keeps its own record, so it removes
  // its rows (the newest `recent` run ids, found through the primary key: cheap at any size).
  // BEGIN ATOMIC: a runner identity has no USAGE on schema cron, only DELETE on its own rows.
  body: dedent(`
    DELETE FROM cron.job_run_details AS d
     WHERE d.runid > (SELECT coalesce(pg_catalog.max(r.runid), 0) FROM cron.job_run_details AS r) - recent
       AND d.username = CURRENT_USER AND d.command LIKE 'DO $pgdispatch$%';
  `),
  doc: 'Deletes pg_dispatch\'s own rows from cron.job_run_details.',
  audience: 'runner',
});
