// pg_dispatch 1.1.0 -> 1.2.0, by model object: the generator renders the DDL and checks these lists
// against dist-sql/pg_dispatch--1.1.0.sql, naming anything left out. Hand SQL moves data only.
import { dedent } from '../model/define.js';
import type { DeltaUpgrade } from '../model/types.js';

export const to120: DeltaUpgrade = {
  from: '1.1.0',
  to: '1.2.0',
  // Controls (#15): keys, debounce, arguments, priority.
  creates: ['_fire_waiting_key', '_bind_args', 'fire_many', '_max_runners'],
  replaces: ['_arm_waiting', '_take_next', '_execute', '_job_before_insert', '_job_before_update', 'fire_at', 'fire', 'snooze', 'retry', '_user_grants', 'jobs'],
  drops: [],
  alters: ['_job'],
  before: dedent(`
    -- Controls (#15): keys, debounce, arguments, priority.
    ALTER TABLE pgdispatch._job
      ADD COLUMN key text,
      ADD COLUMN key_mode text CONSTRAINT _job_key_mode CHECK (key_mode IN ('keep', 'replace', 'debounce')),
      ADD COLUMN debounce interval,
      ADD COLUMN key_deadline timestamptz,
      ADD COLUMN args jsonb,
      ADD COLUMN priority integer NOT NULL DEFAULT 0;
    CREATE UNIQUE INDEX _job_key ON pgdispatch._job (role_oid, (coalesce(sub, '')), key)
      WHERE key IS NOT NULL AND status = 'scheduled' AND attempts = 0;
    CREATE INDEX _job_next ON pgdispatch._job (role_oid, priority, run_at, id) WHERE status = 'scheduled';
  `),
};
