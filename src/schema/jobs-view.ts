// What users read. A view is read with its owner's rights, which bypass row-level security, so it
// filters with the same rule itself (src/schema/visibility.ts); security_barrier keeps a reader's
// own functions in WHERE from seeing rows before that filter. The carried request settings are not
// shown: admins read them in pgdispatch._job.
import { dedent, view } from '../model/define.js';
import type { Column } from '../model/types.js';
import { sees } from './visibility.js';

const c = (name: string, type: string, nullable: boolean, doc: string): Column => ({ name, type, nullable, doc });

export const jobsView = view({
  name: 'jobs',
  doc: 'Every job the current role fired, as the same end user (JWT sub) or without one (an admin sees all), with its outcome.',
  query: dedent(`
    SELECT j.id, j.command, j.label, j.role, j.status, j.created_at, j.run_at, j.started_at, j.finished_at,
           j.attempts, j.max_attempts, j.timeout, j.row_count, j.truncated, j.rows,
           j.error_sqlstate, j.error_message, j.error_detail, j.error_hint, j.error_context, j.attempt_log, j.retry_of, j.sub, j.schedule_id,
           j.key, j.key_mode, j.priority, j.args, j.queue, j.after, j.after_left, j.after_run_at
      FROM pgdispatch._job AS j
     WHERE ${sees('j')}
  `),
  columns: [
    c('id', 'bigint', false, 'The job\'s id, as fire() returned it.'),
    c('command', 'text', false, 'The SQL it runs.'),
    c('label', 'text', true, 'The label given at fire time.'),
    c('role', 'name', false, 'The role that fired it, and that it runs as.'),
    { ...c('status', 'text', false, '`scheduled`, `running`, `succeeded`, `failed`, `cancelled` or `timed_out`.'), ts: 'JobStatus' },
    c('created_at', 'timestamptz', false, 'When it was fired.'),
    c('run_at', 'timestamptz', false, 'When it is (or was last) due.'),
    c('started_at', 'timestamptz', true, 'When its last attempt started.'),
    c('finished_at', 'timestamptz', true, 'When it finished.'),
    c('attempts', 'integer', false, 'Attempts started so far.'),
    c('max_attempts', 'integer', false, 'Attempts allowed.'),
    c('timeout', 'interval', true, 'Its time limit per attempt.'),
    c('row_count', 'bigint', true, 'Rows the command (of several statements, the last one) returned or affected.'),
    c('truncated', 'boolean', true, 'Whether `rows` holds fewer rows than `row_count`.'),
    c('rows', 'jsonb', true, 'Rows returned by a command of one statement, as JSON objects (up to settings.max_result_rows).'),
    c('error_sqlstate', 'text', true, 'SQLSTATE of the (last) error.'),
    c('error_message', 'text', true, 'Its message.'),
    c('error_detail', 'text', true, 'Its DETAIL.'),
    c('error_hint', 'text', true, 'Its HINT.'),
    c('error_context', 'text', true, 'Its CONTEXT (where in the command).'),
    c('attempt_log', 'jsonb', false, 'Every failed attempt: `[{attempt, started_at, failed_at, sqlstate, message}]`.'),
    c('retry_of', 'bigint', true, 'The job this one retries (`pgdispatch.retry()`).'),
    c('sub', 'text', true, 'The end user that fired it: the `sub` of the session\'s JWT claims (NULL without claims).'),
    c('schedule_id', 'bigint', true, 'The schedule (`pgdispatch.schedules`) this job is an occurrence of; NULL for fired jobs.'),
    c('key', 'text', true, 'Its key: while it waits, fires of the same key by the same role and end user return it instead of adding a job.'),
    c('key_mode', 'text', true, 'What the last fire of its key did to it: `keep`, `replace` or `debounce`.'),
    c('priority', 'integer', false, 'Lower starts first among its role and end user\'s due jobs.'),
    c('args', 'jsonb', true, 'The values bound to its command\'s parameters `$1`, `$2`, ... (a JSON array).'),
    c('queue', 'text', true, 'The queue of its role and end user it runs in (`pgdispatch.queues`), NULL for none.'),
    { ...c('after', 'bigint[]', true, 'The jobs it runs after (`after =>`), NULL for none.'), ts: 'string[]' },
    c('after_left', 'integer', true, 'How many of them have not finished yet: while more than 0, it waits (`run_at` infinity).'),
    c('after_run_at', 'timestamptz', true, 'With `after`: the time it was fired for, which it runs at (or when the last of them succeeded, if later).'),
  ],
  audience: 'user',
});
