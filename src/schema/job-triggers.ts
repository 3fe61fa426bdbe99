// The triggers on pgdispatch._job: the bridge from the firing role's rights to the owner's.
import { dedent, fn, sqlFile } from '../model/define.js';
import { callerSub, sees } from './visibility.js';
import { withDependencyFailed } from '../dependencies/dependency-failed.js';

// The job a new job retries must be one its firing role and end user could see (retry() reads it
// through row-level security; this catches a direct INSERT naming another's job in retry_of).
const seesRetriedJob = sees('o', {
  role: 'NEW.role_oid',
  sub: 'NEW.sub',
  admin: "pg_catalog.pg_has_role(NEW.role_oid, (SELECT c.relowner FROM pg_catalog.pg_class AS c WHERE c.oid = 'pgdispatch._job'::pg_catalog.regclass), 'USAGE')",
});

export const jobBeforeInsert = fn({
  name: '_job_before_insert',
  args: [],
  returns: 'trigger',
  language: 'plpgsql',
  security: 'definer',
  body: withDependencyFailed(sqlFile(import.meta.url, 'job-before-insert.sql').replace('{{SEES_RETRIED_JOB}}', seesRetriedJob).replace('{{CALLER_SUB}}', callerSub)
    .replace('{{SEES_DEPENDENCY}}', seesRetriedJob)),
  doc: 'Checks a new job and its role\'s quotas, records its end user and captures its request context.',
  audience: 'owner',
  triggers: dedent(`
    CREATE TRIGGER _job_before_insert BEFORE INSERT ON pgdispatch._job
      FOR EACH ROW EXECUTE FUNCTION pgdispatch._job_before_insert();
  `),
});

export const jobArmAtCommit = fn({
  name: '_job_arm_at_commit',
  args: [],
  returns: 'trigger',
  language: 'plpgsql',
  security: 'definer',
  body: sqlFile(import.meta.url, 'job-arm-at-commit.sql'),
  doc: 'Schedules a new job\'s carrier when its transaction commits.',
  audience: 'owner',
  // Deferred: it runs at COMMIT (or at SET CONSTRAINTS ... IMMEDIATE), as the owner (definer).
  triggers: dedent(`
    CREATE CONSTRAINT TRIGGER _job_arm_at_commit AFTER INSERT ON pgdispatch._job
      DEFERRABLE INITIALLY DEFERRED
      FOR EACH ROW EXECUTE FUNCTION pgdispatch._job_arm_at_commit();
  `),
});

export const jobBeforeUpdate = fn({
  name: '_job_before_update',
  args: [],
  returns: 'trigger',
  language: 'plpgsql',
  security: 'definer',
  body: sqlFile(import.meta.url, 'job-before-update.sql'),
  doc: 'Turns a cancel request into a cancelled job (removes its carrier, interrupts its runner); cuts a result to the max_result_bytes quota.',
  audience: 'owner',
  triggers: dedent(`
    CREATE TRIGGER _job_before_update BEFORE UPDATE OF cancel_requested_at, rows ON pgdispatch._job
      FOR EACH ROW EXECUTE FUNCTION pgdispatch._job_before_update();
  `),
});
