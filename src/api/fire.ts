import { dedent, fn } from '../model/define.js';
import { sqlstate } from '../model/errors.js';
import { jobOptionColumns, jobOptionValues, jobOptions } from './common-args.js';

export const fireAt = fn({
  name: 'fire_at',
  args: [
    { name: 'command', type: 'text', doc: 'The SQL to run: any text; several statements run in order, each seeing what the ones before it did.' },
    { name: 'run_at', type: 'timestamptz', doc: 'When to run it; a time in the past (or `-infinity`) means now, `infinity` never (until cancelled).' },
    ...jobOptions,
  ],
  returns: 'bigint',
  // PL/pgSQL, not SQL: its INSERT keeps a cached plan, where a SQL function's is planned anew at
  // every call, row-level security and all (fire() is hot: one trigger may fire 10,000 jobs).
  language: 'plpgsql',
  security: 'invoker',
  body: dedent(`
    DECLARE
      new_id bigint;
    BEGIN
      INSERT INTO pgdispatch._job (command, run_at, ${jobOptionColumns})
      VALUES (fire_at.command, fire_at.run_at, ${jobOptionValues('fire_at')})
      RETURNING pgdispatch._job.id INTO new_id;
      RETURN new_id;
    END
  `),
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
  language: 'sql',
  security: 'invoker',
  body: dedent(`
    SELECT pgdispatch.fire_at(fire.command, pg_catalog.clock_timestamp(), label => fire.label, timeout => fire.timeout,
                              max_attempts => fire.max_attempts, search_path => fire.search_path)
  `),
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
      RETURN pgdispatch.fire_at(command, pg_catalog.clock_timestamp() + delay, label => label, timeout => timeout,
                                max_attempts => max_attempts, search_path => search_path);
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
