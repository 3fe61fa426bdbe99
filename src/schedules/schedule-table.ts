// Recurring schedules: one row each, owned like jobs by a role (by OID) and end user (JWT sub).
// Users write it only through schedule(), unschedule(), pause_schedule(), resume_schedule() and
// run_schedule_now(), which are plain statements on their own rows (row-level security, the same
// rule as jobs: src/schema/visibility.ts); the columns they may write are the definition, `paused`
// and `run_requested_at`. Triggers owned by the extension owner do the rest (src/schedules/).
// Each occurrence is an ordinary job (pgdispatch._job.schedule_id): at most one waits, `pending_job`.
import { dedent, statement, table } from '../model/define.js';
import { sees } from '../schema/visibility.js';

export const overlapPolicies = ['skip', 'queue', 'allow'] as const;
export const misfirePolicies = ['run_once', 'skip'] as const;

export const scheduleTable = table({
  name: '_schedule',
  doc: 'Every recurring schedule. Read it through the view pgdispatch.schedules.',
  ddl: dedent(`
    CREATE TABLE pgdispatch._schedule (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      name text NOT NULL,
      role name NOT NULL DEFAULT CURRENT_USER,
      role_oid oid NOT NULL,
      sub text,
      expression text NOT NULL,
      time_zone text NOT NULL DEFAULT 'UTC',
      command text NOT NULL,
      label text,
      timeout interval,
      max_attempts integer NOT NULL DEFAULT 1,
      search_path text NOT NULL DEFAULT '"$user", public',
      settings jsonb NOT NULL DEFAULT '{}',
      overlap text NOT NULL DEFAULT 'skip',
      misfire text NOT NULL DEFAULT 'run_once',
      paused boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
      updated_at timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
      -- The occurrence waiting to start (a job), and its time; the time stays once it started.
      pending_job bigint,
      next_run_at timestamptz,
      run_requested_at timestamptz,
      manual_job bigint,
      -- Why the next occurrence could not be made (a quota, usage revoked); the maintenance job retries.
      last_error text
    );
    CREATE UNIQUE INDEX _schedule_name ON pgdispatch._schedule (role_oid, (coalesce(sub, '')), name);
    ALTER TABLE pgdispatch._schedule ENABLE ROW LEVEL SECURITY;
  `),
  userGrants: [
    'SELECT (id, name, role, role_oid, sub, expression, time_zone, command, label, timeout, max_attempts, search_path, '
      + 'overlap, misfire, paused, created_at, updated_at, pending_job, next_run_at, run_requested_at, manual_job, last_error)',
    'INSERT (name, expression, time_zone, command, label, timeout, max_attempts, search_path, overlap, misfire)',
    'UPDATE (expression, time_zone, command, label, timeout, max_attempts, search_path, overlap, misfire, paused, run_requested_at)',
    'DELETE',
  ],
  columns: [],
});

// After pgdispatch._is_admin(), which the policy calls.
export const schedulePolicy = statement('schedule-policy', dedent(`
  CREATE POLICY _schedule_own_rows ON pgdispatch._schedule
    USING ${sees('')}
    WITH CHECK ${sees('')};
`));
