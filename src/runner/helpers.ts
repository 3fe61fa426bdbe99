// Small helpers of the runner, each one query.
import { dedent, fn, sqlFile } from '../model/define.js';

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

export const ensureWatchdog = fn({
  name: '_ensure_watchdog',
  args: [],
  returns: 'void',
  language: 'plpgsql',
  security: 'invoker',
  body: dedent(`
    BEGIN
      IF NOT EXISTS (SELECT 1 FROM cron.job AS c WHERE c.jobname = 'pgdispatch_watchdog' AND c.username = CURRENT_USER) THEN
        PERFORM cron.schedule('pgdispatch_watchdog', '1 seconds', pgdispatch._service_command('_watch'));
      END IF;
    END
  `),
  doc: 'Schedules the watchdog unless it is there.',
  audience: 'owner',
});

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

export const scrubSession = fn({
  name: '_scrub_session',
  args: [],
  returns: 'void',
  language: 'plpgsql',
  security: 'invoker',
  body: sqlFile(import.meta.url, 'scrub-session.sql'),
  doc: 'Resets what a job may have left in the runner\'s session before the next job.',
  audience: 'runner',
});

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
