// pg_dispatch 1.0.0 -> 1.1.0, by model object: the generator renders the DDL and checks these lists
// against dist-sql/pg_dispatch--1.0.0.sql, naming anything left out.
import { dedent } from '../model/define.js';
import type { DeltaUpgrade } from '../model/types.js';

export const to110: DeltaUpgrade = {
  from: '1.0.0',
  to: '1.1.0',
  creates: ['retry'],
  replaces: ['_execute', '_executor_for', '_job_before_insert', '_purge', 'cancel', 'result', 'snooze', 'status', 'wait',
    'jobs', '_user_grants'],
  drops: [],
  alters: ['_job'],
  before: dedent(`
    ALTER TABLE pgdispatch._job ADD COLUMN retry_of bigint;
  `),
};
