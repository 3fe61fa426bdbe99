// pg_dispatch 1.2.0 -> 1.2.1, by model object: the generator renders the DDL and checks these lists
// against dist-sql/pg_dispatch--1.2.0.sql, naming anything left out. Hand SQL moves data only.
import { dedent } from '../model/define.js';
import type { DeltaUpgrade } from '../model/types.js';

export const to121: DeltaUpgrade = {
  from: '1.2.0',
  to: '1.2.1',
  // Performance (#17): a drained job is one transaction (its command, its outcome and the start
  // of the principal's next due job; the session's scrub follows in one that writes nothing).
  creates: ['_over_share', '_record_interrupted'],
  replaces: ['_after_repair', '_execute', '_run', '_take_next', '_take_due', '_take', '_start', '_executor_for', '_job_after_end',
    '_arm_token', '_may_arm', '_job_before_insert', '_maintain', '_settle_carrier'],
  drops: [],
  alters: ['_job', '_runner_session'],
  // Two indexes fewer on _job, which every INSERT and UPDATE of a job opens: _job_role (by role
  // name, which no query uses since jobs are bound to role OIDs) and _job_after_left (parked
  // dependents are found by run_at infinity, through _job_due). Runner sessions keep the version
  // of the executor they checked (executor_seen).
  before: dedent(`
    DROP INDEX pgdispatch._job_role;
    DROP INDEX pgdispatch._job_after_left;
    ALTER TABLE pgdispatch._runner_session ADD COLUMN executor_seen text;
  `),
};
