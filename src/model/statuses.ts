// The statuses of a job, once: the job table's CHECK constraint, the SQL that tests for
// unfinished jobs, and the client's JobStatus type are all made from these lists.
export const jobStatuses = ['scheduled', 'running', 'succeeded', 'failed', 'cancelled', 'timed_out'] as const;

/** Statuses of a job that may still run. */
export const unfinishedStatuses = ['scheduled', 'running'] as const;

/** Statuses of a job that has finished, for good. */
export const finishedStatuses = jobStatuses.filter((s) => !(unfinishedStatuses as readonly string[]).includes(s));

/** `{{STATUSES:unfinished}}` and `{{STATUSES:finished}}` in .sql bodies, filled by the generator. */
export const fillStatuses = (sql: string): string =>
  sql.replaceAll('{{STATUSES:unfinished}}', sqlList(unfinishedStatuses)).replaceAll('{{STATUSES:finished}}', sqlList(finishedStatuses));

/** A SQL list of statuses, e.g. `('scheduled', 'running')`. */
export const sqlList = (list: readonly string[]): string => `(${list.map((s) => `'${s}'`).join(', ')})`;
