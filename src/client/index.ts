// pg_dispatch's Node client: explicit public exports.
export { createDispatch } from './create-dispatch.js';
export type { CallOptions, Dispatch, DispatchOptions } from './create-dispatch.js';
export type { Connection } from './connection.js';
export type { WaitOptions } from './wait.js';
export { finishedStatuses, isFinished } from './wait.js';
export type { Job, JobAttempt, JobPage, ListFilter } from './list.js';
export type { JobError, JobResult, ResultRow } from './result.js';
export type { ExactJson } from './exact-json.js';
export { parseExactJson } from './exact-json.js';
export type { JobNotice, ListenSource } from './notices.js';
export { noticeChannel } from './notices.js';
export type { Interval, JobId, JobIdInput } from './values.js';
export { ConnectionError, NotInstalledError, PermissionDeniedError, PgDispatchError, TransactionAbortedError, toDispatchError } from './errors.js';
// pg_dispatch's own conditions, one class per SQLSTATE of src/model/errors.ts.
export * from './generated/errors.js';
export { extensionVersion, jobStatuses } from './generated/api.js';
export type {
  JobStatus,
  FireOptions,
  FireAtOptions,
  SnoozeOptions,
  PgDispatchApi,
} from './generated/api.js';
export type { JobsRow, PgDispatchDatabase, PgInterval, SchedulesRow, StatsRow } from './generated/database.js';
