// pgdispatch._pass_promise: Gives a job promised to this runner, which it is not taking, a carrier.
import { dedent, fn } from '../model/define.js';

export const passPromise = fn({
  name: '_pass_promise',
  args: [{ name: 'promised', type: 'bigint' }],
  returns: 'void',
  language: 'sql',
  security: 'invoker',
  atomic: true,
  // A job promised to a runner at its COMMIT (see _job_arm_at_commit) has no carrier. When that
  // runner takes another job first (priority, or one it had chosen as the promise came), or finds
  // the promised one held elsewhere, the job gets its carrier now rather than wait for this
  // runner's next job. (Unless it has one, or is no longer waiting; a row held elsewhere, by a
  // runner starting it say, is passed over.)
  body: dedent(`
    UPDATE pgdispatch._job AS k SET carrier = pgdispatch._arm(k.id, pg_catalog.clock_timestamp(), k.role_oid)
     WHERE k.id = (SELECT p.id FROM pgdispatch._job AS p
                    WHERE p.id = _pass_promise.promised AND p.status = 'scheduled' AND p.carrier IS NULL
                      FOR UPDATE SKIP LOCKED);
  `),
  doc: 'Gives a job promised to this runner at its COMMIT, which the runner is not taking, a carrier.',
  audience: 'owner',
});
