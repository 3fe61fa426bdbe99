// The runner: what pg_cron runs for pg_dispatch (carriers, the watchdog, maintenance) and the
// steps they are made of. See run.sql for how a burst is shared among a few sessions.
import { fn, proc, sqlFile } from '../model/define.js';

const jobArg = { name: 'job', type: 'pgdispatch._job' } as const;

export const start = fn({
  name: '_start', args: [jobArg], returns: 'pgdispatch._job', language: 'plpgsql', security: 'invoker',
  body: sqlFile(import.meta.url, 'start.sql'), doc: 'Marks a locked job as running in this session.', audience: 'owner',
});

export const recordFailure = fn({
  name: '_record_failure',
  args: [jobArg, { name: 'e_sqlstate', type: 'text' }, { name: 'e_message', type: 'text' }, { name: 'e_detail', type: 'text' },
    { name: 'e_hint', type: 'text' }, { name: 'e_context', type: 'text' }],
  returns: 'text', language: 'plpgsql', security: 'invoker',
  body: sqlFile(import.meta.url, 'record-failure.sql'), doc: 'Records a failed attempt: retry later or failed.', audience: 'owner',
});

export const take = fn({
  name: '_take', args: [{ name: 'job_id', type: 'bigint' }], returns: 'pgdispatch._job', language: 'plpgsql',
  security: 'definer', body: sqlFile(import.meta.url, 'take.sql'),
  doc: 'Takes the job a carrier was made for, if it is due and free.', audience: 'runner',
});

export const takeNext = fn({
  name: '_take_next', args: [], returns: 'pgdispatch._job', language: 'plpgsql', security: 'definer',
  body: sqlFile(import.meta.url, 'take-next.sql'), doc: 'Takes the oldest due job no other session holds.', audience: 'runner',
});

export const execute = fn({
  name: '_execute', args: [jobArg], returns: 'text', language: 'plpgsql', security: 'definer',
  body: sqlFile(import.meta.url, 'execute.sql'), doc: 'Runs a started job and records its outcome.', audience: 'runner',
});

export const run = proc({
  name: '_run', args: [{ name: 'job_id', type: 'bigint' }], language: 'plpgsql', security: 'invoker', pinsPathInBody: true,
  body: sqlFile(import.meta.url, 'run.sql'), doc: 'The command of every carrier.', audience: 'runner',
});

export const watch = proc({
  name: '_watch', args: [], language: 'plpgsql', security: 'invoker', pinsPathInBody: true,
  body: sqlFile(import.meta.url, 'watch.sql'), doc: 'The watchdog: stops jobs that overrun their timeout.', audience: 'owner',
});

export const maintain = proc({
  name: '_maintain', args: [], language: 'plpgsql', security: 'invoker', pinsPathInBody: true,
  body: sqlFile(import.meta.url, 'maintain.sql'), doc: 'The maintenance job, once a minute and at server start.', audience: 'owner',
});

export const reboot = proc({
  name: '_reboot', args: [], language: 'plpgsql', security: 'invoker', pinsPathInBody: true,
  body: sqlFile(import.meta.url, 'reboot.sql'), doc: 'At server start: re-arms waiting jobs for their stored time, then maintains.', audience: 'owner',
});

export const serviceJobs = fn({
  name: '_service_jobs', args: [], returns: 'void', language: 'plpgsql', security: 'invoker',
  body: sqlFile(import.meta.url, 'service-jobs.sql'), doc: 'Schedules pg_dispatch\'s own pg_cron jobs as the settings say.', audience: 'owner',
});

export const settingsChanged = fn({
  name: '_settings_changed', args: [], returns: 'trigger', language: 'plpgsql', security: 'definer',
  body: 'BEGIN\n  PERFORM pgdispatch._service_jobs();\n  RETURN NULL;\nEND\n',
  doc: 'Applies a change of settings (the warm runner) at once.', audience: 'owner',
  triggers: 'CREATE TRIGGER _settings_changed AFTER UPDATE ON pgdispatch.settings\n  FOR EACH STATEMENT EXECUTE FUNCTION pgdispatch._settings_changed();\n',
});
