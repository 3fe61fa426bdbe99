// pg_dispatch 1.1.0 -> 1.2.0, by model object: the generator renders the DDL and checks these lists
// against dist-sql/pg_dispatch--1.1.0.sql, naming anything left out. Hand SQL moves data only.
import { dedent } from '../model/define.js';
import type { DeltaUpgrade } from '../model/types.js';

export const to120: DeltaUpgrade = {
  from: '1.1.0',
  to: '1.2.0',
  // On time (#14): carriers armed at COMMIT and shared per second, runners that linger; backups
  // (#14): jobs, settings and quotas in pg_dump, restored jobs bound again by _rehome; schedules (#16);
  // controls (#15): keys, debounce, arguments, priority, batches.
  creates: ['_job_arm_at_commit', '_take_due', '_settings_before_insert', '_restored', '_restored_job', '_retire_runner', '_rehome',
    '_schedule', 'schedule-policy', '_cron_field', '_next_occurrence', '_schedule_occurrence', '_schedule_chain',
    '_maintain_schedules', '_occurrence_start', '_occurrence_end', '_schedule_before_write', '_schedule_after_write',
    '_schedule_after_delete', 'schedule', 'unschedule', 'pause_schedule', 'resume_schedule', 'run_schedule_now', 'schedules',
    '_fire_waiting_key', '_bind_args', 'fire_many',
    // queues and dependencies (#15)
    '_queue', 'queue-policy', '_queue_room', '_blocked_queues', '_arm_queue', '_job_queue_place', '_queue_after_write',
    'set_queue', 'pause_queue', 'resume_queue', 'queues', '_job_after', '_job_after_end', '_after_recount', '_after_repair',
    '_pass_promise'],
  replaces: ['_record_failure', '_served_role', '_may_arm', '_arm', '_take', '_take_next', '_reboot', '_job_before_insert', '_job_before_update', '_execute', 'wait', '_run',
    '_stay_warm', '_maintain', '_executor_for', '_user_grants', 'jobs', '_arm_waiting', 'fire_at', 'fire', 'snooze', 'retry',
    '_settle_carrier', '_start', '_release_slot'],
  drops: [],
  alters: ['_job', 'settings', 'role_quotas', '_runner_session'],
  before: dedent(`
    ALTER TABLE pgdispatch._runner_session ADD COLUMN idle_since timestamptz, ADD COLUMN promised bigint;
    ALTER TABLE pgdispatch.settings
      ADD COLUMN linger interval NOT NULL DEFAULT '10 seconds' CONSTRAINT settings_linger CHECK (linger BETWEEN interval '0' AND interval '1 hour');
    ALTER TABLE pgdispatch._job ADD COLUMN schedule_id bigint;
    CREATE INDEX _job_schedule ON pgdispatch._job (schedule_id, id) WHERE schedule_id IS NOT NULL;
    CREATE INDEX _job_schedule_unfinished ON pgdispatch._job (schedule_id) WHERE schedule_id IS NOT NULL AND status IN ('scheduled', 'running');
    ALTER TABLE pgdispatch._job
      ADD COLUMN key text,
      ADD COLUMN key_mode text CONSTRAINT _job_key_mode CHECK (key_mode IN ('keep', 'replace', 'debounce')),
      ADD COLUMN debounce interval,
      ADD COLUMN key_deadline timestamptz,
      ADD COLUMN args jsonb,
      ADD COLUMN priority integer NOT NULL DEFAULT 0,
      ADD COLUMN queue text,
      ADD COLUMN after bigint[],
      ADD COLUMN after_left integer,
      ADD COLUMN after_run_at timestamptz;
    CREATE INDEX _job_queue ON pgdispatch._job (role_oid, queue, status) WHERE queue IS NOT NULL AND status IN ('scheduled', 'running');
    CREATE INDEX _job_after_left ON pgdispatch._job (id) WHERE after_left > 0 AND status = 'scheduled';
    CREATE UNIQUE INDEX _job_key ON pgdispatch._job (role_oid, (coalesce(sub, '')), key)
      WHERE key IS NOT NULL AND status = 'scheduled' AND attempts = 0;
    CREATE INDEX _job_next ON pgdispatch._job (role_oid, priority, run_at, id) WHERE status = 'scheduled';
    ALTER TABLE pgdispatch._job SET (fillfactor = 80);
    SELECT pg_catalog.pg_extension_config_dump('pgdispatch._job', '');
    SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('pgdispatch._job', 'id')::pg_catalog.regclass, '');
    SELECT pg_catalog.pg_extension_config_dump('pgdispatch.settings', '');
    SELECT pg_catalog.pg_extension_config_dump('pgdispatch.role_quotas', '');
  `),
  // Executors made before 1.2.0 joined the extension before they changed owner: their recorded
  // initial privileges name the extension owner, so pg_dump dumped a REVOKE and a GRANT on each,
  // which failed the restore (the function is not there). Joined again, as they are now.
  after: dedent(`
    DO $rejoin_executors$
    DECLARE
      f regprocedure;
    BEGIN
      FOR f IN SELECT p.oid FROM pg_catalog.pg_proc AS p
                WHERE p.pronamespace = 'pgdispatch_exec'::pg_catalog.regnamespace AND p.proname ~ '^run_as_[0-9]+$' LOOP
        EXECUTE pg_catalog.format('ALTER EXTENSION %I DROP FUNCTION %s', pgdispatch._extension_name(), f);
        EXECUTE pg_catalog.format('ALTER EXTENSION %I ADD FUNCTION %s', pgdispatch._extension_name(), f);
      END LOOP;
    END
    $rejoin_executors$;
  `),
};
