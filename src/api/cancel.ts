import { dedent, fn } from '../model/define.js';
import { sqlList, unfinishedStatuses } from '../model/statuses.js';
import { noSuchJob } from './status.js';

export const cancel = fn({
  name: 'cancel',
  args: [{ name: 'job_id', type: 'bigint' }],
  returns: 'boolean',
  language: 'plpgsql',
  security: 'invoker',
  // The UPDATE is checked by row-level security (own jobs only); the trigger on it does the work.
  body: dedent(`
    BEGIN
      UPDATE pgdispatch._job AS j SET cancel_requested_at = pg_catalog.clock_timestamp()
       WHERE j.id = job_id AND j.status IN ${sqlList(unfinishedStatuses)} AND j.cancel_requested_at IS NULL;
      IF FOUND THEN
        RETURN true;
      END IF;
      PERFORM 1 FROM pgdispatch._job AS j WHERE j.id = job_id;
      IF NOT FOUND THEN
        ${noSuchJob('job_id').trimEnd().replace(/\n/g, '\n        ')}
      END IF;
      RETURN false;
    END
  `),
  doc: dedent(`
    Cancels a job: one not yet started never starts; a running one is interrupted and its effects
    rolled back. Its status becomes \`cancelled\` when the calling transaction commits. Returns
    false, changing nothing, when the job had already finished.
  `),
  example: 'SELECT pgdispatch.cancel(42);',
  audience: 'user',
  surface: { client: 'cancel', cli: 'cancel' },
});

export const cancelByLabel = fn({
  name: 'cancel_by_label',
  args: [{ name: 'pattern', type: 'text' }],
  returns: 'integer',
  language: 'plpgsql',
  security: 'invoker',
  body: dedent(`
    DECLARE
      n integer;
    BEGIN
      UPDATE pgdispatch._job AS j SET cancel_requested_at = pg_catalog.clock_timestamp()
       WHERE j.label OPERATOR(pg_catalog.~~) pattern AND j.status IN ${sqlList(unfinishedStatuses)} AND j.cancel_requested_at IS NULL;
      GET DIAGNOSTICS n = ROW_COUNT;
      RETURN n;
    END
  `),
  doc: 'Cancels every unfinished job of the caller whose label matches `pattern` (LIKE); returns how many.',
  example: "SELECT pgdispatch.cancel_by_label('billing/%');",
  audience: 'user',
  surface: { client: 'cancelByLabel', cli: 'cancel' },
});
