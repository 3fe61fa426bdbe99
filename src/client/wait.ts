// wait(): resolves when a job has finished, woken by pg_dispatch's completion notices; polls
// instead (and, while listening, as a slow safety net) when LISTEN is unavailable, e.g. over
// Kysely or behind a transaction-mode pooler where notices never arrive.
import type { Connection } from './connection.js';
import type { JobStatus } from './generated/api.js';
import type { NoticeListener } from './notices.js';
import type { JobIdInput } from './values.js';

/**
 * Options of `wait()`.
 *
 * @example
 * await d.wait(id, { timeoutMs: 10_000, pollIntervalMs: 2_000 });
 */
export interface WaitOptions {
  /** Give up after this long and resolve to the status then (default 30 000 ms, like the SQL wait()). */
  readonly timeoutMs?: number;
  /**
   * How often to read the status when no notice arrives (default: the client's `pollIntervalMs`,
   * 1 000 ms). With LISTEN working, a notice wakes the wait at once and polling is only a safety net.
   * Without LISTEN this is the longest pause: the first reads come sooner (see `pollPause`).
   */
  readonly pollIntervalMs?: number;
  /** Stops waiting: the promise rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /**
   * The transaction (or connection) to read the status in, as for every other method. Waiting in
   * the transaction that fired the job rejects at once with `JobNotCommittedError` (PD101): the job
   * cannot start before that transaction commits.
   */
  readonly client?: Connection;
}

/** The statuses after which a job does not change any more. */
export const finishedStatuses: readonly JobStatus[] = ['succeeded', 'failed', 'cancelled', 'timed_out'];

/**
 * Whether a status is final.
 *
 * @example
 * if (isFinished(await d.status(id))) console.log('done');
 */
export function isFinished(status: string): boolean {
  return (finishedStatuses as readonly string[]).includes(status);
}

/** The first pause between two reads of a wait that cannot listen, and how much each next one grows. */
const firstPauseMs = 10;
const pauseGrowth = 1.5;

/**
 * The pause after the `n`-th read (0 first) of a wait that cannot listen: 10 ms, then half as long
 * again each time, up to `pollMs`: a job a warm runner ends in milliseconds is seen in
 * milliseconds, and a long one is read once a `pollMs` (ten reads in the first second, at 1 000 ms).
 *
 * @example
 * pollPause(0, 1000); // 10
 * pollPause(20, 1000); // 1000
 */
export function pollPause(n: number, pollMs: number): number {
  return Math.min(pollMs, firstPauseMs * pauseGrowth ** n);
}

/**
 * Waits for a job: subscribes to notices first, then reads the status, so that no notice is missed.
 * `readStatus(n)` is called with 0 for the first read (which may check more, e.g. that the job has
 * committed), then 1, 2, ... Listening, it reads again every `pollMs` as a safety net; not
 * listening, after `pollPause(n, pollMs)`.
 *
 * @example
 * const status = await waitForJob(id, () => d.status(id), listener, { timeoutMs: 5000 }, 1000);
 */
export async function waitForJob(
  id: JobIdInput,
  readStatus: (n: number) => Promise<JobStatus>,
  listener: NoticeListener,
  options: WaitOptions,
  defaultPollMs: number,
): Promise<JobStatus> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const pollMs = Math.max(10, options.pollIntervalMs ?? defaultPollMs);
  const deadline = Date.now() + timeoutMs;
  const key = String(id);
  let wake: (() => void) | null = null;
  let woken = false;
  const unsubscribe = await listener.subscribe((n) => {
    if (n.id !== key) return;
    woken = true;
    wake?.();
  });
  const signal = options.signal;
  try {
    for (let n = 0; ; n++) {
      signal?.throwIfAborted();
      woken = false;
      const status = await readStatus(n);
      const left = deadline - Date.now();
      if (isFinished(status) || left <= 0) return status;
      if (woken) continue; // a notice came while the status was being read
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', done);
          wake = null;
          resolve();
        };
        const pause = unsubscribe ? pollMs : pollPause(n, pollMs);
        const timer = setTimeout(done, Math.min(pause, left));
        signal?.addEventListener('abort', done);
        wake = done;
      });
    }
  } finally {
    await unsubscribe?.();
  }
}
