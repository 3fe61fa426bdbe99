// pg_dispatch's own error conditions: one table drives the SQL that raises them (ERRCODE) and the
// client's error classes (src/client/generated/errors.ts), and the reference documents them. Each
// has a SQLSTATE of class PD, so a client never guesses a meaning from a generic code that other
// causes also raise (graphile-worker does the same with its GW codes).

export interface ErrorDef {
  /** The SQLSTATE: 'PD' and three characters. */
  readonly sqlstate: string;
  /** The client class that stands for it; errors of one family share a parent class. */
  readonly className: string;
  /** The client class it extends (PgDispatchError unless said). */
  readonly parent?: string;
  /** What it means, for the reference and the class's doc. */
  readonly meaning: string;
  /** False for conditions pg_dispatch records in a job's outcome instead of raising to a caller. */
  readonly raised?: boolean;
}

export const errors = {
  interrupted: { sqlstate: 'PD001', className: 'JobInterruptedError', meaning: 'Recorded when the session running a job ended before the job finished (crash, restart, terminated backend).', raised: false },
  stopped: { sqlstate: 'PD002', className: 'JobStoppedError', meaning: 'Recorded when a job was cancelled or timed out while it ran; its effects were rolled back.', raised: false },
  skipped: { sqlstate: 'PD003', className: 'OccurrenceSkippedError', meaning: 'Recorded (as `cancelled`) on an occurrence of a schedule that did not run: its previous occurrence was still running (overlap `skip`, or `queue` with one already waiting), or it was missed during downtime (misfire `skip`).', raised: false },
  role_missing: { sqlstate: 'PD004', className: 'JobRoleMissingError', meaning: 'Recorded when a job restored from a dump names a role that does not exist in the database it was restored into: it is not run.', raised: false },
  cancelled_itself: { sqlstate: 'PD005', className: 'JobCancelledItselfError', meaning: 'Raised inside a job whose own command called cancel() on it: the job ends `cancelled` and its effects roll back.' },
  dependency_failed: { sqlstate: 'PD006', className: 'DependencyFailedError', meaning: 'Recorded (as `cancelled`) on a job fired with `after` when a job it waited for ended otherwise than `succeeded` (failed, cancelled, timed out); the message names that job and how it ended. Cascades down a chain.', raised: false },
  job_not_found: { sqlstate: 'PD100', className: 'JobNotFoundError', meaning: 'No job with that id is visible to the caller: another role\'s or end user\'s, purged after retention, or never fired.' },
  job_not_committed: { sqlstate: 'PD101', className: 'JobNotCommittedError', meaning: 'wait() on a job fired in the still-open calling transaction, which can never start before it commits.' },
  job_not_retryable: { sqlstate: 'PD102', className: 'JobNotRetryableError', meaning: 'retry() of a job that has not finished, or that succeeded.' },
  schedule_not_found: { sqlstate: 'PD103', className: 'ScheduleNotFoundError', meaning: 'No schedule of that name belongs to the caller (role and end user).' },
  job_blocked_by_waiter: { sqlstate: 'PD104', className: 'JobBlockedByWaiterError', meaning: 'wait() on a running job that is waiting for a lock the waiting session holds: it could never finish while wait() waits.' },
  dependency_not_found: { sqlstate: 'PD105', className: 'DependencyNotFoundError', parent: 'JobNotFoundError', meaning: '`after` names a job that does not exist or that the caller cannot see (another role\'s or end user\'s).' },
  invalid_argument: { sqlstate: 'PD200', className: 'InvalidArgumentError', meaning: 'An argument was refused (empty command, negative delay or timeout, max_attempts below 1, NULL time, ...).' },
  label_too_long: { sqlstate: 'PD201', className: 'LabelTooLongError', parent: 'InvalidArgumentError', meaning: 'A label longer than 64 bytes.' },
  command_not_supported: { sqlstate: 'PD202', className: 'CommandNotSupportedError', meaning: 'A command that cannot run inside a transaction block (VACUUM, CREATE INDEX CONCURRENTLY, transaction control, ...), or that cannot run as a job: schedule it with pg_cron directly.' },
  invalid_schedule: { sqlstate: 'PD203', className: 'InvalidScheduleError', parent: 'InvalidArgumentError', meaning: 'A cron expression that is not understood or never matches, or a schedule option out of its range.' },
  unknown_time_zone: { sqlstate: 'PD204', className: 'UnknownTimeZoneError', parent: 'InvalidArgumentError', meaning: 'A time zone PostgreSQL does not know.' },
  args_not_supported: { sqlstate: 'PD205', className: 'ArgsNotSupportedError', parent: 'InvalidArgumentError', meaning: 'args given with a command that is not one SELECT, INSERT, UPDATE, DELETE, MERGE, VALUES or WITH statement (parameters are bound with PREPARE).' },
  invalid_queue: { sqlstate: 'PD206', className: 'InvalidQueueError', parent: 'InvalidArgumentError', meaning: 'A queue name that is empty or longer than 64 bytes, or a queue concurrency below 1.' },
  quota_exceeded: { sqlstate: 'PD300', className: 'QuotaExceededError', meaning: 'fire() would exceed a role\'s quota: its pending jobs (max_pending_jobs) or the command\'s size (max_command_bytes). An admin sets the defaults in pgdispatch.settings and per-role values in pgdispatch.role_quotas. (Results over max_result_bytes are cut, not refused.)' },
  not_allowed: { sqlstate: 'PD400', className: 'NotAllowedError', meaning: 'The role may not run jobs through pg_dispatch (no grant_usage, or usage revoked), or its executor was tampered with.' },
  admin_only: { sqlstate: 'PD401', className: 'AdminOnlyError', meaning: 'The call is for admins (the extension owner and roles with its rights).' },
  wait_not_supported: { sqlstate: 'PD402', className: 'NotSupportedError', meaning: 'wait() outside READ COMMITTED, where it would never see the job change.' },
} as const satisfies Record<string, ErrorDef>;

export type ErrorName = keyof typeof errors;

/** The SQLSTATE of a pg_dispatch error, for `RAISE ... USING ERRCODE = '...'` in TS-held SQL. */
export const sqlstate = (name: ErrorName): string => errors[name].sqlstate;

/** Fills `{{ERR:name}}` placeholders (used in .sql files) with their SQLSTATEs. */
export function fillErrorCodes(sql: string): string {
  return sql.replace(/\{\{ERR:(\w+)\}\}/g, (_, name: string) => {
    if (!(name in errors)) throw new Error(`unknown pg_dispatch error ${name} (see src/model/errors.ts)`);
    return errors[name as ErrorName].sqlstate;
  });
}
