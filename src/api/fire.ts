import { dedent, fn, sqlFile } from '../model/define.js';
import { sqlstate } from '../model/errors.js';
import { caller, callerSub } from '../schema/visibility.js';
import { jobOptionColumns, jobOptions, jobOptionsPassed } from './common-args.js';

/** The body of fire_at() and fire(): the same statements, each function's own cached plans. */
const fireBody = (fnName: string, runAt: string): string =>
  sqlFile(import.meta.url, 'fire-at.sql')
    .replaceAll('{{COLUMNS}}', jobOptionColumns)
    .replaceAll('{{VALUES}}', `${fnName}.command, ${runAt}, `
      + ['label', 'timeout', 'max_attempts', 'search_path', 'args', 'key', 'key_mode', 'debounce'].map((a) => `${fnName}.${a}`).join(', ')
      + `, pg_catalog.clock_timestamp() + ${fnName}.max_wait, ${fnName}.priority, ${fnName}.queue, ${fnName}.after`)
    .replace('{{CALLER_ROLE}}', caller.role).replace('{{CALLER_SUB}}', callerSub)
    .replaceAll('{{FN}}', fnName);

export const fireAt = fn({
  name: 'fire_at',
  args: [
    { name: 'command', type: 'text', doc: 'The SQL to run: any text; several statements run in order, each seeing what the ones before it did.' },
    { name: 'run_at', type: 'timestamptz', doc: 'When to run it; a time in the past (or `-infinity`) means now, `infinity` never (until cancelled).' },
    ...jobOptions,
  ],
  returns: 'bigint',
  language: 'plpgsql',
  security: 'invoker',
  body: fireBody('fire_at', 'fire_at.run_at'),
  doc: dedent(`
    Runs \`command\` at \`run_at\` (or as soon as possible after it), in its own transaction, as the
    role that called fire_at(), once the calling transaction commits. Returns the job's id.
    While it waits, the job holds no connection and no pg_cron slot, and a server restart
    neither loses it nor moves its time.
  `),
  example: "SELECT pgdispatch.fire_at('CALL close_books()', date_trunc('month', now()) + interval '1 month');",
  audience: 'user',
  surface: { client: 'fireAt', cli: { absent: 'jobs are fired from SQL or the client, in the transaction whose commit starts them' } },
});

export const fire = fn({
  name: 'fire',
  args: [{ name: 'command', type: 'text', doc: 'The SQL to run: any text; several statements run in order, each seeing what the ones before it did.' }, ...jobOptions],
  returns: 'bigint',
  language: 'plpgsql',
  security: 'invoker',
  body: fireBody('fire', 'pg_catalog.clock_timestamp()'),
  doc: dedent(`
    Runs \`command\` as soon as possible (1 to 2 seconds, pg_cron's floor) after the calling
    transaction commits, in its own transaction, as the role that called fire(). Returns the job's
    id; if the calling transaction rolls back, nothing runs and no job is left. The outcome
    (status, rows, error) is kept in \`pgdispatch.jobs\`.
  `),
  example: "SELECT pgdispatch.fire('UPDATE accounts SET balance = balance - 10 WHERE id = 42', label => 'billing/req-8f3a');",
  audience: 'user',
  surface: { client: 'fire', cli: { absent: 'jobs are fired from SQL or the client, in the transaction whose commit starts them' } },
});

export const snooze = fn({
  name: 'snooze',
  args: [
    { name: 'command', type: 'text', doc: 'The SQL to run.' },
    { name: 'delay', type: 'interval', doc: 'How long after now to run it: zero seconds to months.' },
    ...jobOptions,
  ],
  returns: 'bigint',
  language: 'plpgsql',
  security: 'invoker',
  body: dedent(`
    BEGIN
      IF delay IS NULL OR delay < interval '0' THEN
        RAISE EXCEPTION 'pg_dispatch: the delay must be zero or more, not %', coalesce(delay::text, 'NULL')
          USING ERRCODE = '${sqlstate('invalid_argument')}',
                HINT = 'Pass e.g. interval ''10 minutes''; use pgdispatch.fire_at() for a point in time.';
      END IF;
      RETURN pgdispatch.fire_at(command, pg_catalog.clock_timestamp() + delay, ${jobOptionsPassed('snooze')});
    END
  `),
  doc: dedent(`
    Like fire(), not before \`delay\` has passed. A waiting job costs nothing: no session, no
    pg_cron slot (unlike pg_dispatch 0.1, whose long snoozes slept inside a running job).
  `),
  example: "SELECT pgdispatch.snooze('DELETE FROM sessions WHERE expires_at < now()', '10 minutes');",
  audience: 'user',
  surface: { client: 'snooze', cli: { absent: 'jobs are fired from SQL or the client, in the transaction whose commit starts them' } },
});
