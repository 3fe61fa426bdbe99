// pgdispatch._record_interrupted: records that a running job's session ended before it finished.
import { dedent, fn } from '../model/define.js';
import { sqlstate } from '../model/errors.js';

export const recordInterrupted = fn({
  name: '_record_interrupted',
  args: [{ name: 'job', type: 'pgdispatch._job' }],
  returns: 'text',
  language: 'plpgsql',
  security: 'invoker',
  // One wording for the three that find such a job: its carrier's next run (_take, or
  // _settle_carrier when that run found no free slot) and the maintenance job.
  body: dedent(`
    BEGIN
      RETURN pgdispatch._record_failure(job, '${sqlstate('interrupted')}',
        'interrupted: the session running this job ended before the job finished',
        'The server stopped or crashed, or the backend running the job was terminated; the command''s effects were rolled back.',
        'Make the command safe to run again and fire it with max_attempts > 1 to have it retried.', NULL);
    END
  `),
  doc: 'Records that a running job\'s session ended before the job finished (PD001): retried if attempts remain, else failed.',
  audience: 'owner',
});
