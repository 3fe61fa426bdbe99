// The schedules a role sees: its own (an admin: all), filtered like the jobs view, with the next
// run, the last run and counts over the occurrences still kept (settings.retention).
import { dedent, view } from '../model/define.js';
import type { Column } from '../model/types.js';
import { sees } from '../schema/visibility.js';
import { sqlstate } from '../model/errors.js';

const c = (name: string, type: string, nullable: boolean, doc: string, ts?: string): Column => ({ name, type, nullable, doc, ...(ts ? { ts } : {}) });

export const schedulesView = view({
  name: 'schedules',
  doc: 'Every schedule of the current role and end user (an admin sees all): definition, next run, last run, counts of kept occurrences.',
  query: dedent(`
    SELECT s.id, s.name, s.role, s.expression, s.time_zone, s.command, s.label, s.overlap, s.misfire, s.paused,
           s.timeout, s.max_attempts,
           p.run_at AS next_run_at,
           l.id AS last_job_id, l.status AS last_status, l.started_at AS last_started_at, l.finished_at - l.started_at AS last_duration,
           coalesce(n.succeeded, 0) AS succeeded, coalesce(n.failed, 0) AS failed, coalesce(n.skipped, 0) AS skipped,
           s.last_error, s.created_at, s.updated_at, s.sub
      FROM pgdispatch._schedule AS s
      LEFT JOIN pgdispatch._job AS p ON p.id = s.pending_job AND p.status = 'scheduled'
      LEFT JOIN LATERAL (SELECT j.id, j.status, j.started_at, j.finished_at FROM pgdispatch._job AS j
                          WHERE j.schedule_id = s.id AND j.started_at IS NOT NULL
                          ORDER BY j.id DESC LIMIT 1) AS l ON true
      LEFT JOIN LATERAL (SELECT pg_catalog.count(*) FILTER (WHERE j.status = 'succeeded') AS succeeded,
                                pg_catalog.count(*) FILTER (WHERE j.status IN ('failed', 'timed_out')) AS failed,
                                pg_catalog.count(*) FILTER (WHERE j.error_sqlstate = '${sqlstate('skipped')}') AS skipped
                           FROM pgdispatch._job AS j WHERE j.schedule_id = s.id) AS n ON true
     WHERE ${sees('s')}
  `),
  columns: [
    c('id', 'bigint', false, 'The schedule\'s id, as schedule() returned it; its occurrences carry it (`pgdispatch._job.schedule_id`).'),
    c('name', 'text', false, 'Its name, unique per role and end user.'),
    c('role', 'name', false, 'The role that made it, and that its occurrences run as.'),
    c('expression', 'text', false, 'The cron expression.'),
    c('time_zone', 'text', false, 'The zone it is read in.'),
    c('command', 'text', false, 'The SQL each occurrence runs.'),
    c('label', 'text', true, 'The label of each occurrence\'s job.'),
    c('overlap', 'text', false, '`skip`, `queue` or `allow`.', "'skip' | 'queue' | 'allow'"),
    c('misfire', 'text', false, '`run_once` or `skip`.', "'run_once' | 'skip'"),
    c('paused', 'boolean', false, 'Whether it is paused.'),
    c('timeout', 'interval', true, 'Time limit of each occurrence.'),
    c('max_attempts', 'integer', false, 'Attempts per occurrence.'),
    c('next_run_at', 'timestamptz', true, 'When the next occurrence is due (NULL while paused).'),
    c('last_job_id', 'bigint', true, 'The job of the last occurrence that started.'),
    { ...c('last_status', 'text', true, 'Its status.'), ts: 'JobStatus' },
    c('last_started_at', 'timestamptz', true, 'When it started.'),
    c('last_duration', 'interval', true, 'How long it ran (NULL while running).'),
    c('succeeded', 'bigint', false, 'Occurrences that succeeded, among those kept (settings.retention).'),
    c('failed', 'bigint', false, 'Occurrences that failed or timed out, among those kept.'),
    c('skipped', 'bigint', false, 'Occurrences skipped by the overlap or misfire policy (cancelled, SQLSTATE PD003), among those kept.'),
    c('last_error', 'text', true, 'Why its next occurrence could not be made (a quota, usage revoked); retried every minute.'),
    c('created_at', 'timestamptz', false, 'When it was first made.'),
    c('updated_at', 'timestamptz', false, 'When its definition last changed.'),
    c('sub', 'text', true, 'The end user that made it (JWT sub), NULL without claims.'),
  ],
  audience: 'user',
});
