// Dependencies (after => ARRAY[id, ...]): a job that waits for others waits parked (run_at infinity,
// holding no carrier) with a count of its unfinished dependencies (after_left); an edge per
// unfinished dependency (_job_after) leads from a finishing job to its dependents, and goes when
// that job finishes. Not an index on the array _job.after: every decrement of a fan-in's count
// would index its whole array again (1,000 finishes into one job: a million index entries).
// See src/schema/job-before-insert.sql for the checks at fire time.
import { dedent, fn, sqlFile, table } from '../model/define.js';
import { withDependencyFailed } from './dependency-failed.js';

export const jobAfterTable = table({
  name: '_job_after',
  doc: 'Which waiting job (job_id) waits for which unfinished one (after_id).',
  ddl: dedent(`
    CREATE TABLE pgdispatch._job_after (
      after_id bigint NOT NULL,
      job_id bigint NOT NULL,
      PRIMARY KEY (after_id, job_id)
    );
  `),
  columns: [],
});

export const jobAfterEnd = fn({
  name: '_job_after_end',
  args: [],
  returns: 'trigger',
  language: 'plpgsql',
  security: 'definer',
  body: withDependencyFailed(sqlFile(import.meta.url, 'job-after-end.sql')),
  doc: 'When a job finishes: releases its dependents (succeeded) or cancels them and theirs (otherwise).',
  audience: 'owner',
  triggers: dedent(`
    CREATE TRIGGER _job_after_end AFTER UPDATE ON pgdispatch._job
      FOR EACH ROW WHEN (OLD.status IN ('scheduled', 'running') AND NEW.status NOT IN ('scheduled', 'running'))
      EXECUTE FUNCTION pgdispatch._job_after_end();
  `),
});

export const afterRepair = fn({
  name: '_after_repair',
  args: [],
  returns: 'integer',
  language: 'plpgsql',
  security: 'invoker',
  body: sqlFile(import.meta.url, 'after-repair.sql'),
  doc: 'Counts again the dependencies of parked jobs whose count missed a finish (fired under REPEATABLE READ while it committed); releases or cancels them.',
  audience: 'owner',
});
