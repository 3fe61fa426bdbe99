import { dedent, fn } from '../model/define.js';
import { sqlstate } from '../model/errors.js';

/** The error raised for a job the caller cannot see, shared by every call that takes an id. */
export const noSuchJob = (idExpr: string): string => dedent(`
  RAISE EXCEPTION 'pg_dispatch: no job %', ${idExpr}
    USING ERRCODE = '${sqlstate('job_not_found')}',
          HINT = 'A role sees only the jobs it fired, an end user (JWT sub) only their own, and finished jobs are purged after settings.retention.';
`);

export const status = fn({
  name: 'status',
  args: [{ name: 'job_id', type: 'bigint' }],
  returns: 'text',
  language: 'plpgsql',
  volatility: 'stable',
  security: 'invoker',
  body: dedent(`
    DECLARE
      result text;
    BEGIN
      SELECT j.status INTO result FROM pgdispatch._job AS j WHERE j.id = job_id;
      IF NOT FOUND THEN
        ${noSuchJob('job_id').trimEnd().replace(/\n/g, '\n        ')}
      END IF;
      RETURN result;
    END
  `),
  doc: 'The job\'s status: `scheduled`, `running`, `succeeded`, `failed`, `cancelled` or `timed_out`.',
  example: 'SELECT pgdispatch.status(42);',
  audience: 'user',
  surface: { client: 'status', cli: 'show' },
});
