// pg_dispatch 1.2.0 -> 1.2.1, by model object: the generator renders the DDL and checks these lists
// against dist-sql/pg_dispatch--1.2.0.sql, naming anything left out. Hand SQL moves data only.
import type { DeltaUpgrade } from '../model/types.js';

export const to121: DeltaUpgrade = {
  from: '1.2.0',
  to: '1.2.1',
  // Performance (#17): a drained job is one transaction (its command, its outcome, the session's
  // scrub and the start of the principal's next due job).
  creates: ['_bound_session', '_over_share'],
  replaces: ['_execute', '_run', '_take_next', '_take_due', '_take', '_start', '_executor_for', '_job_after_end',
    '_arm_token', '_may_arm', '_job_before_insert'],
  drops: [],
};
