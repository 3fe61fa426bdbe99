// The admin's knobs, one row. An admin changes them with a plain UPDATE, e.g.
// UPDATE pgdispatch.settings SET max_result_rows = 5000;
import { dedent, table } from '../model/define.js';

export const settingsTable = table({
  name: 'settings',
  doc: 'Settings an admin can change with UPDATE pgdispatch.settings SET ...; one row.',
  ddl: dedent(`
    CREATE TABLE pgdispatch.settings (
      singleton boolean NOT NULL DEFAULT true PRIMARY KEY CONSTRAINT settings_one_row CHECK (singleton),
      max_result_rows integer NOT NULL DEFAULT 1000 CONSTRAINT settings_max_result_rows CHECK (max_result_rows >= 0),
      retention interval NOT NULL DEFAULT '7 days' CONSTRAINT settings_retention CHECK (retention >= interval '0'),
      default_timeout interval CONSTRAINT settings_default_timeout CHECK (default_timeout > interval '0'),
      retry_base_delay interval NOT NULL DEFAULT '10 seconds' CONSTRAINT settings_retry_base_delay CHECK (retry_base_delay >= interval '0'),
      max_runners integer NOT NULL DEFAULT 4 CONSTRAINT settings_max_runners CHECK (max_runners BETWEEN 1 AND 64),
      carried_settings text[] NOT NULL DEFAULT ARRAY['request.jwt.claims', 'request.jwt.claim.sub', 'request.jwt.claim.role', 'request.method', 'request.path'],
      warm_runner boolean NOT NULL DEFAULT false,
      max_pending_jobs integer NOT NULL DEFAULT 100000 CONSTRAINT settings_max_pending_jobs CHECK (max_pending_jobs >= 0),
      max_command_bytes integer NOT NULL DEFAULT 1048576 CONSTRAINT settings_max_command_bytes CHECK (max_command_bytes >= 1),
      max_result_bytes integer NOT NULL DEFAULT 10485760 CONSTRAINT settings_max_result_bytes CHECK (max_result_bytes >= 0),
      linger interval NOT NULL DEFAULT '10 seconds' CONSTRAINT settings_linger CHECK (linger BETWEEN interval '0' AND interval '1 hour')
    );
    INSERT INTO pgdispatch.settings DEFAULT VALUES;
  `),
  // Kept by pg_dump: the restored row replaces the one the install made (_settings_before_insert).
  dumpFilter: '',
  columns: [
    { name: 'max_result_rows', type: 'integer', nullable: false, doc: 'Rows of a result kept as JSON (default 1000); the row count stays exact.' },
    { name: 'retention', type: 'interval', nullable: false, doc: 'Finished jobs older than this are purged by the maintenance job (default 7 days).' },
    { name: 'default_timeout', type: 'interval', nullable: true, doc: 'Timeout of jobs fired without one (default none).' },
    { name: 'retry_base_delay', type: 'interval', nullable: false, doc: 'Delay before the first retry; doubles at each further attempt (default 10 s).' },
    { name: 'max_runners', type: 'integer', nullable: false, doc: 'Sessions that may run jobs at once (default 4; keep it well under half of cron.max_running_jobs), shared fairly between roles; each holds one pg_cron run slot while busy.' },
    { name: 'carried_settings', type: 'text[]', nullable: false, doc: 'Settings captured at fire time and restored inside the job (default: Supabase/PostgREST\'s JWT claims, request.method and request.path; not request.headers, which hold the bearer token and cookies). Admins only can read what was carried.' },
    { name: 'warm_runner', type: 'boolean', nullable: false, doc: 'Runners stay for ever after their last job and poll for their principal\'s next one (default off; see linger, which does this while jobs keep coming).' },
    { name: 'max_pending_jobs', type: 'integer', nullable: false, doc: 'Quota: jobs a role may have scheduled or running at once (default 100,000); fire() beyond it raises PD300. It stops jobs that fire copies of themselves (or each other) from growing long before the table, pg_cron or the disk suffer, and is far above what a sane burst waits for; a chain that keeps one job pending is not stopped. Transactions of one role firing at the same moment may pass it by their uncommitted jobs. Per role: pgdispatch.role_quotas.' },
    { name: 'max_command_bytes', type: 'integer', nullable: false, doc: 'Quota: bytes of a job\'s command (default 1 MB); fire() of a longer one raises PD300. SQL is rarely over a few kB; data belongs in tables, not in commands. Per role: pgdispatch.role_quotas.' },
    { name: 'linger', type: 'interval', nullable: false, doc: 'How long a runner stays after its last job, polling every 10 ms for its principal\'s next one (default 10 s, at most 1 hour, 0 to leave at once): under steady traffic jobs start in milliseconds, and a quiet server holds no session. A runner leaves at once when another role waits for a slot.' },
    { name: 'max_result_bytes', type: 'integer', nullable: false, doc: 'Quota: bytes of a result\'s `rows` as JSON text (default 10 MB, kept for settings.retention). A larger result keeps the rows that fit, in order, with `truncated` true; `row_count` stays exact. Per role: pgdispatch.role_quotas.' },
  ],
});
