// Options shared by fire(), snooze() and fire_at(), declared once.
import type { Arg } from '../model/types.js';

export const jobOptions: readonly Arg[] = [
  { name: 'label', type: 'text', default: 'NULL', doc: 'Free text up to 64 bytes to find the job by, e.g. `billing/prod/req-8f3a`.' },
  { name: 'timeout', type: 'interval', default: 'NULL', doc: 'Stop the job and record `timed_out` when it runs longer (default: `settings.default_timeout`, none).' },
  { name: 'max_attempts', type: 'integer', default: '1', doc: 'Attempts before the job is `failed`; retries back off exponentially from `settings.retry_base_delay`.' },
  // A default is evaluated in the caller's context: this is how the caller's path is captured,
  // which the function itself cannot see behind its own pinned search_path.
  { name: 'search_path', type: 'text', default: "pg_catalog.current_setting('search_path')", doc: 'The search_path the command runs with; the caller\'s by default.' },
];

/** The columns of pgdispatch._job that the options fill, in the order of jobOptions. */
export const jobOptionColumns = 'label, timeout, max_attempts, search_path';
export const jobOptionValues = (fnName: string): string =>
  jobOptions.map((a) => `${fnName}.${a.name}`).join(', ');
