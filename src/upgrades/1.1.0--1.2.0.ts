// pg_dispatch 1.1.0 -> 1.2.0, by model object: the generator renders the DDL and checks these lists
// against dist-sql/pg_dispatch--1.1.0.sql, naming anything left out. Hand SQL moves data only.
import { dedent } from '../model/define.js';
import type { DeltaUpgrade } from '../model/types.js';

export const to120: DeltaUpgrade = {
  from: '1.1.0',
  to: '1.2.0',
  creates: ['_job_arm_at_commit', '_take_due'],
  replaces: ['_arm', '_take', '_take_next', '_reboot', '_job_before_insert', '_job_before_update', '_execute', 'wait', '_run', '_stay_warm'],
  drops: [],
  alters: ['settings'],
  before: dedent(`
    ALTER TABLE pgdispatch.settings
      ADD COLUMN linger interval NOT NULL DEFAULT '10 seconds' CONSTRAINT settings_linger CHECK (linger BETWEEN interval '0' AND interval '1 hour');
  `),
};
