// Options shared by fire(), snooze() and fire_at(), declared once.
import type { Arg } from '../model/types.js';

export const jobOptions: readonly Arg[] = [
  { name: 'label', type: 'text', default: 'NULL', doc: 'Free text up to 64 bytes to find the job by, e.g. `billing/prod/req-8f3a`.' },
  { name: 'timeout', type: 'interval', default: 'NULL', doc: 'Stop the job and record `timed_out` when it runs longer (default: `settings.default_timeout`, none).' },
  { name: 'max_attempts', type: 'integer', default: '1', doc: 'Attempts before the job is `failed`; retries back off exponentially from `settings.retry_base_delay`.' },
  // A default is evaluated in the caller's context: this is how the caller's path is captured,
  // which the function itself cannot see behind its own pinned search_path.
  { name: 'search_path', type: 'text', default: "pg_catalog.current_setting('search_path')", doc: 'The search_path the command runs with; the caller\'s by default.' },
  { name: 'args', type: 'jsonb', default: 'NULL', ts: 'readonly unknown[]', doc: 'A JSON array of values bound as the parameters `$1`, `$2`, ... of a command of one statement (SELECT, INSERT, UPDATE, DELETE, MERGE, VALUES, WITH), typed by where they appear; never spliced into its text. A JSON string binds its text, `null` binds NULL, anything else its JSON text.' },
  { name: 'key', type: 'text', default: 'NULL', doc: 'While a job of this role and end user with this key waits (scheduled, never started), firing again adds no job: it returns that job\'s id (see `key_mode`). Up to 200 bytes.' },
  { name: 'key_mode', type: 'text', default: 'NULL', doc: 'What firing a waiting key does: `keep` (the default without `debounce`) keeps the waiting job as it is; `replace` gives it this fire\'s command, arguments, options and time; `debounce` (the default with `debounce`) moves its time to `debounce` after this fire.' },
  { name: 'debounce', type: 'interval', default: 'NULL', doc: 'With a key: run `debounce` after the last fire of the key (its time moves later at each fire, in steps of at most a second), but never later than `max_wait` after the first.' },
  { name: 'max_wait', type: 'interval', default: 'NULL', doc: 'With `debounce`: the longest a keyed job waits from its first fire, so that a constant stream of fires still runs it (default: no limit).' },
  { name: 'priority', type: 'integer', default: '0', doc: 'Lower runs first: among its role and end user\'s due jobs, a runner starts the lowest priority number first, then the oldest (as in graphile-worker and Unix nice; negative numbers for urgent work).' },
  { name: 'queue', type: 'text', default: 'NULL', doc: 'The queue (of the calling role and end user) it runs in: `pgdispatch.set_queue()` limits how many of a queue\'s jobs run at once (1: one at a time, in order) or pauses it. Up to 64 bytes; NULL for none.' },
  { name: 'after', type: 'bigint[]', default: 'NULL', ts: 'readonly (string | number | bigint)[]', doc: 'Ids of jobs (visible to the caller) this one runs after: it starts once all of them succeeded, and ends `cancelled` (SQLSTATE PD006) if one of them fails, is cancelled or times out.' },
];

/** The columns of pgdispatch._job that the options fill, in the order of the INSERT in fire_at(). */
export const jobOptionColumns = 'label, timeout, max_attempts, search_path, args, key, key_mode, debounce, key_deadline, priority, queue, after';

/** Every option passed on by name, from a function whose arguments have the options' names. */
export const jobOptionsPassed = (fnName: string): string =>
  jobOptions.map((a) => `${a.name} => ${fnName}.${a.name}`).join(', ');
