// The one wording of a job cancelled because a job it runs after did not succeed (PD006), which
// three places write: fire time (_job_before_insert), the cascade when that job ends
// (_job_after_end), and the recount at COMMIT (_after_recount).

/** SQL for the message, given SQL expressions for the dependency's id and status. */
export const dependencyFailedMessage = (id: string, status: string): string =>
  `pg_catalog.format('pg_dispatch: not run: job %s, which it runs after, ended %s', ${id}, ${status})`;

/** SQL literal of the hint. */
export const dependencyFailedHint = `'Retry the job that did not succeed (pgdispatch.retry), then fire this one again after the retry.'`;

/** Fills {{DEPENDENCY_FAILED_MESSAGE:id,status}} and {{DEPENDENCY_FAILED_HINT}} in a SQL file. */
export const withDependencyFailed = (sql: string): string =>
  sql.replace(/\{\{DEPENDENCY_FAILED_MESSAGE:([^,}]+),([^}]+)\}\}/g, (_, id: string, status: string) => dependencyFailedMessage(id, status))
    .replaceAll('{{DEPENDENCY_FAILED_HINT}}', dependencyFailedHint);
