// pgdispatch._stop_runner: Interrupts (or ends) the session running a job, if it is still on that job.
import { dedent, fn } from '../model/define.js';

export const stopRunner = fn({
  name: '_stop_runner',
  args: [{ name: 'job_id', type: 'bigint' }, { name: 'pid', type: 'integer' }, { name: 'started', type: 'timestamptz' },
    { name: 'terminate', type: 'boolean' }],
  returns: 'boolean',
  language: 'sql',
  security: 'invoker',
  // Signals the session only while it is on that job ('pgdispatch job N'), or while a command has
  // renamed it (which only the job's own principal's commands can, in that principal's session:
  // see _runner_session). pg_cancel_backend first; the watchdog terminates a session still on a
  // stopped job two seconds later (a command that catches query_canceled).
  body: dedent(`
    SELECT coalesce(pg_catalog.bool_or(CASE WHEN terminate THEN pg_catalog.pg_terminate_backend(a.pid) ELSE pg_catalog.pg_cancel_backend(a.pid) END), false)
      FROM pg_catalog.pg_stat_activity AS a
     WHERE a.pid = _stop_runner.pid AND a.backend_start = _stop_runner.started
       AND (a.application_name = 'pgdispatch job ' || job_id::text OR a.application_name NOT LIKE 'pgdispatch %')
  `),
  doc: 'Interrupts (or ends) the session running a job, if it is still on that job.',
  audience: 'owner',
});
