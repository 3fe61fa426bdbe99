import { dedent, fn } from '../model/define.js';
import { noSuchJob } from './status.js';

export const result = fn({
  name: 'result',
  args: [{ name: 'job_id', type: 'bigint' }],
  returns: 'jsonb',
  language: 'plpgsql',
  volatility: 'stable',
  security: 'invoker',
  body: dedent(`
    DECLARE
      doc jsonb;
    BEGIN
      SELECT pg_catalog.jsonb_build_object(
               'job_id', j.id, 'status', j.status, 'command', j.command, 'label', j.label,
               'rows', j.rows, 'row_count', j.row_count, 'truncated', j.truncated,
               'error', CASE WHEN j.error_sqlstate IS NOT NULL THEN pg_catalog.jsonb_build_object(
                          'sqlstate', j.error_sqlstate, 'message', j.error_message, 'detail', j.error_detail,
                          'hint', j.error_hint, 'context', j.error_context) END,
               'attempts', j.attempts, 'started_at', j.started_at, 'finished_at', j.finished_at)
        INTO doc
        FROM pgdispatch._job AS j WHERE j.id = job_id;
      IF NOT FOUND THEN
        ${noSuchJob('job_id').trimEnd().replace(/\n/g, '\n        ')}
      END IF;
      RETURN doc;
    END
  `),
  doc: dedent(`
    The job's outcome as one document: \`{job_id, status, command, label, rows, row_count,
    truncated, error, attempts, started_at, finished_at}\`. \`rows\` holds up to
    \`settings.max_result_rows\` rows as JSON objects when the command is one statement that
    returns rows (null otherwise); \`row_count\` is always exact (of several statements, the
    last one's); \`error\` is null or
    \`{sqlstate, message, detail, hint, context}\` (the last error while a retry is pending).
    Reading does not consume it.
  `),
  example: "SELECT pgdispatch.result(42) -> 'rows';",
  audience: 'user',
  surface: { client: 'result', cli: 'show' },
});
