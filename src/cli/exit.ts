// Exit codes: 0 done, 1 failed (the server refused, a check failed), 2 usage error, 3 cannot connect
// (and 141 when the reader of the output went away: broken-pipe.ts).

/** Exit codes of every command. */
export const exitCode = { ok: 0, failure: 1, usage: 2, connect: 3 } as const;

/**
 * A failure the CLI reports and exits with: the message, what to do about it, and the exit code.
 *
 * @example
 * throw new CliError('pg_dispatch is not installed', 'Run: pgdispatch install', exitCode.failure);
 */
export class CliError extends Error {
  constructor(message: string, readonly fix: string | undefined, readonly code: number) {
    super(message);
  }
}

/**
 * Bad arguments: exit code 2, with the command's usage.
 *
 * @example
 * throw new UsageError('--limit needs a value');
 */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, undefined, exitCode.usage);
  }
}
