// pg_dispatch 1.2.1 -> 1.2.2, by model object: the generator renders the DDL and checks these lists
// against dist-sql/pg_dispatch--1.2.1.sql, naming anything left out. Hand SQL moves data only.
import { dedent } from '../model/define.js';
import type { DeltaUpgrade } from '../model/types.js';

export const to122: DeltaUpgrade = {
  from: '1.2.1',
  to: '1.2.2',
  // Performance (#17): a job due at its COMMIT rides on the runners and carriers of its principal
  // already coming, once they are as many as a role may hold slots (_ride), instead of scheduling
  // a pg_cron job of its own; a runner going idle or leaving waits for riders (_take_next,
  // _release_slot), and one leaving arms what they left. _fair_share in PL/pgSQL (planned once).
  creates: ['_ride'],
  replaces: ['_job_arm_at_commit', '_release_slot', '_start', '_fair_share', '_take_next'],
  drops: [],
  alters: ['_job', '_runner_session'],
  // Due jobs with a carrier not started yet are found by index (_job_armed); a runner's row says
  // when it began to leave (leaving_at).
  before: dedent(`
    CREATE INDEX _job_armed ON pgdispatch._job (role_oid, run_at) WHERE status = 'scheduled' AND carrier IS NOT NULL;
    ALTER TABLE pgdispatch._runner_session ADD COLUMN leaving_at timestamptz;
  `),
};
