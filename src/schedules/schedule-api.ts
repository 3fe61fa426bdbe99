// The public functions of schedules. Each is a plain statement on the caller's own rows of
// pgdispatch._schedule (row-level security, and the name looked up among the caller's own only,
// even for an admin); the triggers on that table do the work as the owner.
import { dedent, fn } from '../model/define.js';
import { sqlstate } from '../model/errors.js';
import { caller, sees } from '../schema/visibility.js';

/** The caller's own schedule of that name: same role and end user, admins included. */
const own = (alias: string, name: string): string => `${alias}.name = ${name} AND ${sees(alias, { ...caller, admin: 'false' })}`;

const notFound = (name: string): string => dedent(`
  RAISE EXCEPTION 'pg_dispatch: no schedule named %', pg_catalog.quote_literal(${name})
    USING ERRCODE = '${sqlstate('schedule_not_found')}',
          HINT = 'SELECT name FROM pgdispatch.schedules lists yours; a schedule belongs to the role (and end user) that made it.';
`);

/**
 * Locks the unfinished occurrences of the caller's schedule of that name before its row: the
 * runner locks an occurrence, then its schedule (src/schedules/occurrence-start.sql), so every
 * other path takes them in the same order, or the two would deadlock.
 */
const lockOccurrences = (name: string): string => dedent(`
  PERFORM 1 FROM pgdispatch._job AS j
   WHERE j.schedule_id = (SELECT s.id FROM pgdispatch._schedule AS s WHERE ${own('s', name)})
     AND j.status IN ('scheduled', 'running')
   ORDER BY j.id FOR UPDATE OF j;
`).trimEnd().replace(/\n/g, '\n      ');

const byName = { name: 'name', type: 'text', doc: 'The schedule\'s name (the caller\'s own).' } as const;
const cliAbsentWrite = { absent: 'schedules are defined in SQL (a migration) or from the client' } as const;

export const schedule = fn({
  name: 'schedule',
  args: [
    { name: 'name', type: 'text', doc: 'Unique per role (and end user): scheduling the same name again replaces the definition.' },
    { name: 'cron_expression', type: 'text', doc: 'Five fields (`30 2 * * *`, `*/15 9-17 * * mon-fri`), `@hourly` `@daily` `@weekly` `@monthly` `@yearly`, or `N seconds` (1 to 59).' },
    { name: 'command', type: 'text', doc: 'The SQL each occurrence runs, as a job of the calling role.' },
    { name: 'time_zone', type: 'text', default: "'UTC'", doc: 'The zone the expression is read in (IANA name, e.g. `Europe/Berlin`); daylight-saving changes are followed.' },
    { name: 'timeout', type: 'interval', default: 'NULL', doc: 'Time limit of each occurrence (default: `settings.default_timeout`).' },
    { name: 'max_attempts', type: 'integer', default: '1', doc: 'Attempts per occurrence; retries back off from `settings.retry_base_delay`.' },
    { name: 'label', type: 'text', default: 'NULL', doc: 'Label of each occurrence\'s job (up to 64 bytes).' },
    { name: 'overlap', type: 'text', default: "'skip'", doc: 'When an occurrence comes due while the previous one still runs: `skip` it (recorded as cancelled, SQLSTATE PD003), `queue` it (starts when the previous ends; at most one waits), or `allow` both to run.' },
    { name: 'misfire', type: 'text', default: "'run_once'", doc: 'After downtime that missed occurrences: `run_once` catch-up run, or `skip` them. Never a burst.' },
    { name: 'search_path', type: 'text', default: "pg_catalog.current_setting('search_path')", doc: 'The search_path the command runs with; the caller\'s by default.' },
  ],
  returns: 'bigint',
  language: 'plpgsql',
  security: 'invoker',
  // The arguments are named like the table's columns (name, label, timeout...): columns win.
  body: dedent(`
    #variable_conflict use_column
    DECLARE
      schedule_id bigint;
    BEGIN
      ${lockOccurrences('schedule.name')}
      INSERT INTO pgdispatch._schedule AS s (name, expression, time_zone, command, timeout, max_attempts, label, overlap, misfire, search_path)
      VALUES (schedule.name, schedule.cron_expression, schedule.time_zone, schedule.command, schedule.timeout, schedule.max_attempts,
              schedule.label, schedule.overlap, schedule.misfire, schedule.search_path)
      ON CONFLICT (role_oid, (coalesce(sub, '')), name) DO UPDATE
        SET expression = excluded.expression, time_zone = excluded.time_zone, command = excluded.command,
            timeout = excluded.timeout, max_attempts = excluded.max_attempts, label = excluded.label,
            overlap = excluded.overlap, misfire = excluded.misfire, search_path = excluded.search_path
      RETURNING s.id INTO schedule_id;
      RETURN schedule_id;
    END
  `),
  doc: dedent(`
    Runs \`command\` at every occurrence of \`cron_expression\` in \`time_zone\`, each occurrence an
    ordinary job of the calling role (status, rows, error, timeout, retries, in \`pgdispatch.jobs\`),
    with the calling session's request context (JWT claims). Returns the schedule's id; a schedule
    of the same name of the caller is replaced (keeping its id, history and paused state). Bad
    expressions (PD203) and unknown zones (PD204) are refused here. A waiting schedule holds no
    session and no pg_cron job.
  `),
  example: "SELECT pgdispatch.schedule('nightly-cleanup', '30 2 * * *', 'DELETE FROM sessions WHERE expires_at < now()', time_zone => 'Europe/Berlin');",
  audience: 'user',
  surface: { client: 'schedule', cli: cliAbsentWrite },
});

export const unscheduleFn = fn({
  name: 'unschedule',
  args: [byName],
  returns: 'boolean',
  language: 'plpgsql',
  security: 'invoker',
  body: dedent(`
    BEGIN
      ${lockOccurrences('unschedule.name')}
      DELETE FROM pgdispatch._schedule AS s WHERE ${own('s', 'unschedule.name')};
      IF NOT FOUND THEN
        ${notFound('unschedule.name').trimEnd().replace(/\n/g, '\n        ')}
      END IF;
      RETURN true;
    END
  `),
  doc: 'Removes a schedule of the caller: its occurrences not yet started are cancelled, a running one finishes; past occurrences stay in `pgdispatch.jobs`. PD103 if there is none of that name.',
  example: "SELECT pgdispatch.unschedule('nightly-cleanup');",
  audience: 'user',
  surface: { client: 'unschedule', cli: cliAbsentWrite },
});

const setPaused = (fnName: string, paused: boolean, doc: string, example: string) => fn({
  name: fnName,
  args: [byName],
  returns: 'boolean',
  language: 'plpgsql',
  security: 'invoker',
  body: dedent(`
    DECLARE
      was boolean;
    BEGIN
      ${lockOccurrences(`${fnName}.name`)}
      SELECT s.paused INTO was FROM pgdispatch._schedule AS s WHERE ${own('s', `${fnName}.name`)} FOR UPDATE;
      IF NOT FOUND THEN
        ${notFound(`${fnName}.name`).trimEnd().replace(/\n/g, '\n        ')}
      END IF;
      IF was = ${paused} THEN
        RETURN false;
      END IF;
      UPDATE pgdispatch._schedule AS s SET paused = ${paused} WHERE ${own('s', `${fnName}.name`)};
      RETURN true;
    END
  `),
  doc,
  example,
  audience: 'user',
  surface: { client: { absent: 'in SQL: SELECT pgdispatch.pause_schedule(name) / resume_schedule(name)' }, cli: cliAbsentWrite },
});

export const pauseSchedule = setPaused('pause_schedule', true,
  'Pauses a schedule of the caller: its waiting occurrence is cancelled and no other comes until resume_schedule(); a running one finishes. Returns false if it was paused already.',
  "SELECT pgdispatch.pause_schedule('nightly-cleanup');");

export const resumeSchedule = setPaused('resume_schedule', false,
  'Resumes a paused schedule of the caller from its next occurrence after now (none is caught up). Returns false if it was not paused.',
  "SELECT pgdispatch.resume_schedule('nightly-cleanup');");

export const runScheduleNow = fn({
  name: 'run_schedule_now',
  args: [byName],
  returns: 'bigint',
  language: 'plpgsql',
  security: 'invoker',
  body: dedent(`
    DECLARE
      job_id bigint;
    BEGIN
      ${lockOccurrences('run_schedule_now.name')}
      UPDATE pgdispatch._schedule AS s SET run_requested_at = pg_catalog.clock_timestamp()
       WHERE ${own('s', 'run_schedule_now.name')}
      RETURNING s.manual_job INTO job_id;
      IF NOT FOUND THEN
        ${notFound('run_schedule_now.name').trimEnd().replace(/\n/g, '\n        ')}
      END IF;
      RETURN job_id;
    END
  `),
  doc: 'Fires one occurrence of a schedule of the caller now, besides its regular ones (a paused schedule too), under its overlap policy; returns the job id.',
  example: "SELECT pgdispatch.run_schedule_now('nightly-cleanup');",
  audience: 'user',
  surface: { client: { absent: 'in SQL: SELECT pgdispatch.run_schedule_now(name)' }, cli: cliAbsentWrite },
});
