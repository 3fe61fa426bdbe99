// pgdispatch._restored_job: what pg_restore's copy of a job row becomes (see restored-job.sql).
import { dedent, fn } from '../model/define.js';

export const restoredJob = fn({
  name: '_restored_job',
  args: [{ name: 'job', type: 'pgdispatch._job' }],
  returns: 'pgdispatch._job',
  language: 'plpgsql',
  security: 'invoker',
  // Called by _job_before_insert for a row that comes with its role's OID, which fire() never
  // sets and only the owner may write: pg_restore's COPY (or INSERT, with --inserts) of a dump.
  // The row is kept as it was dumped (status, times, outcome, end user, request context), but
  // bound to no role (OID 0: no runner serves it, and only admins see it) and carried by nothing,
  // until _rehome binds it to this cluster's role of the same name. Its OID in the dumped cluster
  // may belong to another role here; its carrier in cron.job belongs to a runner identity of the
  // dumped cluster. Nothing here touches cron.job: pg_restore copies cron.job's own rows, and a
  // row made before them could collide with them.
  body: dedent(`
    BEGIN
      INSERT INTO pgdispatch._restored (job_id, role_oid, carrier) VALUES (job.id, job.role_oid, job.carrier);
      job.role_oid := 0;
      job.carrier := NULL;
      -- The dumped cluster's transaction ids mean nothing here (wait() reads this one's status).
      job.fired_xact := pg_catalog.pg_current_xact_id();
      RETURN job;
    END
  `),
  doc: 'A job row restored from a dump, made inert until _rehome binds it to this cluster\'s role of its name.',
  audience: 'owner',
});
