// The record of every job: one row per fire()/snooze()/fire_at(), kept until retention purges it.
// Users never write it freely: they may INSERT only the columns fire() sets (the owning role is a
// column DEFAULT they cannot override, since they hold no privilege on that column) and UPDATE only
// cancel_requested_at; row-level security limits every role to its own rows, and every end user of
// a role to their own (src/schema/visibility.ts). Triggers owned by the extension owner do the
// rest (validation, quotas, scheduling, cancelling). The carried request settings are for admins'
// eyes only: users may read every column but `settings`.
import { dedent, statement, table } from '../model/define.js';
import { jobStatuses, sqlList } from '../model/statuses.js';
import { sees } from './visibility.js';

export const jobTable = table({
  name: '_job',
  doc: 'Every job and its outcome. Read it through the view pgdispatch.jobs.',
  ddl: dedent(`
    CREATE TABLE pgdispatch._job (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      command text NOT NULL,
      label text,
      role name NOT NULL DEFAULT CURRENT_USER,
      status text NOT NULL DEFAULT 'scheduled'
        CONSTRAINT _job_status CHECK (status IN ${sqlList(jobStatuses)}),
      run_at timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
      created_at timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
      started_at timestamptz,
      finished_at timestamptz,
      attempts integer NOT NULL DEFAULT 0,
      max_attempts integer NOT NULL DEFAULT 1,
      timeout interval,
      search_path text NOT NULL DEFAULT '"$user", public',
      settings jsonb NOT NULL DEFAULT '{}',
      fired_xact xid8 NOT NULL DEFAULT pg_catalog.pg_current_xact_id(),
      carrier bigint,
      runner_pid integer,
      runner_started timestamptz,
      cancel_requested_at timestamptz,
      row_count bigint,
      rows jsonb,
      truncated boolean,
      error_sqlstate text,
      error_message text,
      error_detail text,
      error_hint text,
      error_context text,
      attempt_log jsonb NOT NULL DEFAULT '[]',
      retry_of bigint,
      -- The firing role's identity: a job never runs as, nor is seen by, a later role of the same name.
      role_oid oid NOT NULL,
      -- The end user that fired it (JWT sub), NULL without claims: only the same end user sees it.
      sub text,
      -- The schedule this job is an occurrence of (src/schedules/), NULL for fired jobs.
      schedule_id bigint,
      -- Controls (src/api/common-args.ts): a key coalesces fires while its job waits; args are bound
      -- as parameters; lower priority numbers start first.
      key text,
      key_mode text CONSTRAINT _job_key_mode CHECK (key_mode IN ('keep', 'replace', 'debounce')),
      debounce interval,
      key_deadline timestamptz,
      args jsonb,
      priority integer NOT NULL DEFAULT 0,
      -- Queues (src/queues/): the job's queue of its role and end user, NULL for none.
      queue text,
      -- Dependencies: the jobs it runs after; while some have not finished (after_left of them),
      -- it waits parked (run_at infinity) and after_run_at keeps the time it was fired for.
      after bigint[],
      after_left integer,
      after_run_at timestamptz
    )
    -- Room on each page for the row's next version: a job's updates then mostly stay in place
    -- (HOT), without a new entry in each of the indexes.
    WITH (fillfactor = 80);
    -- One waiting (scheduled, never started) job per key, role and end user: fire() with a key
    -- finds it, and two sessions firing one key at once make one job (the second waits, then finds it).
    CREATE UNIQUE INDEX _job_key ON pgdispatch._job (role_oid, (coalesce(sub, '')), key)
      WHERE key IS NOT NULL AND status = 'scheduled' AND attempts = 0;
    -- A draining runner's next job: its principal's due jobs by priority, then time.
    CREATE INDEX _job_next ON pgdispatch._job (role_oid, priority, run_at, id) WHERE status = 'scheduled';
    -- The runners' queue: due jobs in order.
    CREATE INDEX _job_due ON pgdispatch._job (run_at, id) WHERE status = 'scheduled';
    -- Recovery and the watchdog look only at running jobs.
    CREATE INDEX _job_running ON pgdispatch._job (id) WHERE status = 'running';
    -- Retention purges by age of finished jobs.
    CREATE INDEX _job_finished ON pgdispatch._job (finished_at) WHERE finished_at IS NOT NULL;
    CREATE INDEX _job_label ON pgdispatch._job (label text_pattern_ops) WHERE label IS NOT NULL;
    -- The pending-jobs quota's exact count, when needed (src/schema/pending-bound-table.ts).
    CREATE INDEX _job_pending ON pgdispatch._job (role_oid, id) WHERE status IN ('scheduled', 'running');
    -- A schedule's occurrences: its history, and the ones waiting or running (overlap checks).
    CREATE INDEX _job_schedule ON pgdispatch._job (schedule_id, id) WHERE schedule_id IS NOT NULL;
    -- A queue's running and waiting jobs. (Few indexes, each for a query that needs it: every
    -- INSERT and UPDATE of a job opens each one, and checks each partial one's condition, even
    -- where the row has no entry in it. Parked dependents are found through _job_due: run_at
    -- infinity.)
    CREATE INDEX _job_queue ON pgdispatch._job (role_oid, queue, status) WHERE queue IS NOT NULL AND status IN ('scheduled', 'running');
    -- Jobs waiting with a carrier: the due ones are drains coming, which a new job of the same
    -- principal can ride on (see _ride). Few rows: carriers are made only up to a share.
    CREATE INDEX _job_armed ON pgdispatch._job (role_oid, run_at) WHERE status = 'scheduled' AND carrier IS NOT NULL;
    CREATE INDEX _job_schedule_unfinished ON pgdispatch._job (schedule_id) WHERE schedule_id IS NOT NULL AND status IN ('scheduled', 'running');
  `),
  userGrants: [
    // Every column but settings (the carried request context: admins only).
    'SELECT (id, command, label, role, status, run_at, created_at, started_at, finished_at, attempts, max_attempts, timeout, '
      + 'search_path, fired_xact, carrier, runner_pid, runner_started, cancel_requested_at, row_count, rows, truncated, '
      + 'error_sqlstate, error_message, error_detail, error_hint, error_context, attempt_log, retry_of, role_oid, sub, schedule_id, '
      + 'key, key_mode, debounce, key_deadline, args, priority, queue, after, after_left, after_run_at)',
    'INSERT (command, label, run_at, max_attempts, timeout, search_path, retry_of, key, key_mode, debounce, key_deadline, args, priority, queue, after)',
    'UPDATE (cancel_requested_at)',
  ],
  // Jobs are kept by pg_dump; restored ones are bound again by src/backup/rehome.sql.
  dumpFilter: '',
  columns: [],
});

// After pgdispatch._is_admin(), which the policy calls and which itself names the table.
export const jobPolicySql = dedent(`
  CREATE POLICY _job_own_rows ON pgdispatch._job
    USING ${sees('')}
    WITH CHECK ${sees('')};
`);
export const jobPolicy = statement('job-policy', 'ALTER TABLE pgdispatch._job ENABLE ROW LEVEL SECURITY;\n' + jobPolicySql);
