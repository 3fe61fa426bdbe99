// The pending-jobs quota without counting a role's pending jobs at every fire (a bulk UPDATE whose
// trigger fires 10,000 jobs would count 50 million index entries). One row per role that fired:
// its pending jobs counted exactly when job base_id was fired (base_count, that job included).
// The role's jobs fired since number at most (new id - base_id), ids being shared by all roles, so
// base_count + that difference bounds its pending jobs. fire() reads this row (one primary-key
// probe) and counts again only when the bound passes the quota; the count becomes the new base.
// Written only then, so fire() takes no lock here in the common case (src/schema/job-before-insert.sql).
import { dedent, table } from '../model/define.js';

export const pendingBoundTable = table({
  name: '_pending_bound',
  doc: 'Per role, the last exact count of its pending jobs, from which fire() bounds them (the max_pending_jobs quota).',
  ddl: dedent(`
    CREATE TABLE pgdispatch._pending_bound (
      role_oid oid PRIMARY KEY,
      base_id bigint NOT NULL,
      base_count integer NOT NULL
    );
  `),
  columns: [],
});
