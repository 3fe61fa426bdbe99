// `pgdispatch doctor | head -1`: once the reader has gone, writing fails with EPIPE. A Unix tool
// is then ended by SIGPIPE, silently; Node ignores SIGPIPE and would instead die of an unhandled
// 'error' event with a stack trace. So: stop at once, say nothing (nobody reads stdout, and stderr
// may be the broken one), with the status a shell gives a tool ended by SIGPIPE (128 + 13).

/** The exit status for a broken pipe. */
export const brokenPipeStatus = 141;

/**
 * Makes EPIPE on stdout or stderr end the process quietly.
 *
 * @example
 * exitQuietlyOnBrokenPipe(); // first thing in main
 */
export function exitQuietlyOnBrokenPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(brokenPipeStatus);
      throw e; // any other failure to write stays loud
    });
  }
}
