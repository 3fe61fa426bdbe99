// pg_dispatch 1.1.0 -> 1.2.0, by model object: the generator renders the DDL and checks these lists
// against dist-sql/pg_dispatch--1.1.0.sql, naming anything left out. Hand SQL moves data only.
import type { DeltaUpgrade } from '../model/types.js';

export const to120: DeltaUpgrade = {
  from: '1.1.0',
  to: '1.2.0',
  // Schedules (#16).
  creates: ['_schedule', 'schedule-policy', '_cron_field', '_next_occurrence', '_schedule_occurrence', '_schedule_chain',
    '_maintain_schedules', '_occurrence_start', '_occurrence_end', '_schedule_before_write', '_schedule_after_write',
    '_schedule_after_delete', 'schedule', 'unschedule', 'pause_schedule', 'resume_schedule', 'run_schedule_now', 'schedules'],
  replaces: ['_maintain', '_user_grants', 'jobs'],
  drops: [],
  alters: ['_job'],
  before: `
    ALTER TABLE pgdispatch._job ADD COLUMN schedule_id bigint;
    CREATE INDEX _job_schedule ON pgdispatch._job (schedule_id, id) WHERE schedule_id IS NOT NULL;
    CREATE INDEX _job_schedule_unfinished ON pgdispatch._job (schedule_id) WHERE schedule_id IS NOT NULL AND status IN ('scheduled', 'running');
  `,
};
