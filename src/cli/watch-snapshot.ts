// What `watch` reads at each refresh: counts per label and status over the jobs it follows, how
// many finished lately (for the rate), and for the screen the running and latest finished jobs.
//
// The jobs followed: those fired since --since; without it, those not finished when watch
// started and every one fired since (so done/total is the burst's progress, not all of history).
import type pg from 'pg';
import { jobStatuses, type JobStatus } from '../client/generated/api.js';
import type { ListFilter } from '../client/list.js';

/** The statuses that mean finished. */
export const finishedStatuses: readonly string[] = ['succeeded', 'failed', 'cancelled', 'timed_out'];

/** How far back the rate looks, in seconds. */
export const rateWindowSeconds = 10;

/** Progress of a set of jobs (one label, or all). */
export interface Progress {
  readonly counts: Readonly<Record<JobStatus, number>>;
  readonly total: number;
  readonly done: number;
  /** Jobs finished per second over the last rateWindowSeconds (or since watch started); null before a second has passed. */
  readonly rate: number | null;
  /** Seconds until all are done at that rate; 0 when done; null when unknown (no rate yet, or nothing finishing). */
  readonly etaSeconds: number | null;
}

/** A job as the screen shows it. */
export interface WatchRow {
  id: string; status: string; label: string | null; command: string; attempts: number; max_attempts: number;
  created_at: Date; started_at: Date | null; finished_at: Date | null; error_sqlstate: string | null; error_message: string | null;
}

export interface Snapshot {
  readonly at: Date;
  readonly all: Progress;
  /** Per label ('' for jobs without one), busiest first. */
  readonly labels: ReadonlyMap<string, Progress>;
  readonly running: readonly WatchRow[];
  readonly finished: readonly WatchRow[];
}

/** The WHERE clause (after `WHERE true`) and values for the followed jobs. */
export interface Scope { readonly where: string; readonly values: readonly unknown[]; readonly from: Date }

/**
 * The jobs watch follows, from the filters and the server's time at start.
 *
 * @example
 * const scope = followed(filter, await serverNow(client));
 */
export function followed(filter: ListFilter, startedAt: Date): Scope {
  const values: unknown[] = [];
  let where = '';
  const add = (v: unknown) => { values.push(v); return `$${values.length}`; };
  if (filter.status) where += ` AND status = ANY(${add(([] as string[]).concat(filter.status))}::text[])`;
  if (filter.label !== undefined) where += ` AND label LIKE ${add(filter.label)}`;
  if (filter.since) where += ` AND created_at >= ${add(filter.since)}`;
  else where += ` AND (finished_at IS NULL OR finished_at >= ${add(startedAt)})`;
  return { where, values, from: filter.since ?? startedAt };
}

/** The server's clock (job times are the server's). */
export async function serverNow(client: pg.Client): Promise<Date> {
  return (await client.query<{ now: Date }>('SELECT clock_timestamp() AS now')).rows[0]!.now;
}

function progress(counts: Record<JobStatus, number>, recent: number, windowSeconds: number): Progress {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const done = finishedStatuses.reduce((a, s) => a + (counts[s as JobStatus] ?? 0), 0);
  const rate = windowSeconds >= 1 ? recent / windowSeconds : null;
  const left = total - done;
  const etaSeconds = left === 0 ? 0 : rate ? left / rate : null;
  return { counts, total, done, rate, etaSeconds };
}

const zero = (): Record<JobStatus, number> => Object.fromEntries(jobStatuses.map((s) => [s, 0])) as Record<JobStatus, number>;

/**
 * Reads one snapshot; `rows` is how many running and finished jobs to fetch for the screen (0: none).
 *
 * @example
 * const s = await snapshot(client, scope, 20);
 */
export async function snapshot(client: pg.Client, scope: Scope, rows: number): Promise<Snapshot> {
  const { rows: groups } = await client.query<{ label: string; status: JobStatus; n: number; recent: number; now: Date }>(`
    SELECT coalesce(label, '') AS label, status, count(*)::int AS n,
           count(*) FILTER (WHERE finished_at > clock_timestamp() - interval '${rateWindowSeconds} seconds')::int AS recent,
           clock_timestamp() AS now
      FROM pgdispatch.jobs WHERE true${scope.where} GROUP BY 1, 2`, [...scope.values]);
  const at = groups[0]?.now ?? await serverNow(client);
  const windowSeconds = Math.min(rateWindowSeconds, (at.getTime() - scope.from.getTime()) / 1000);
  const all = zero();
  let allRecent = 0;
  const byLabel = new Map<string, { counts: Record<JobStatus, number>; recent: number }>();
  for (const g of groups) {
    all[g.status] += g.n;
    allRecent += g.recent;
    const l = byLabel.get(g.label) ?? { counts: zero(), recent: 0 };
    l.counts[g.status] += g.n;
    l.recent += g.recent;
    byLabel.set(g.label, l);
  }
  const labels = new Map([...byLabel.entries()]
    .map(([k, v]) => [k, progress(v.counts, v.recent, windowSeconds)] as const)
    .sort((a, b) => (b[1].total - b[1].done) - (a[1].total - a[1].done) || a[0].localeCompare(b[0])));
  let running: WatchRow[] = [];
  let finished: WatchRow[] = [];
  if (rows > 0) {
    const cols = 'id, status, label, command, attempts, max_attempts, created_at, started_at, finished_at, error_sqlstate, error_message';
    // Running: the longest-running first (the ones to worry about); finished: the latest first.
    running = (await client.query<WatchRow>(`SELECT ${cols} FROM pgdispatch.jobs WHERE status = 'running'${scope.where} ORDER BY started_at, id LIMIT ${rows}`, [...scope.values])).rows;
    finished = (await client.query<WatchRow>(`SELECT ${cols} FROM pgdispatch.jobs WHERE finished_at IS NOT NULL${scope.where} ORDER BY finished_at DESC, id DESC LIMIT ${rows}`, [...scope.values])).rows;
  }
  return { at, all: progress(all, allRecent, windowSeconds), labels, running, finished };
}

/** A job's status, for the transitions --json prints. */
export interface JobState { id: string; status: string; label: string | null; error_sqlstate: string | null; error_message: string | null }

/**
 * The followed jobs' statuses (the newest `limit`), to tell which moved since the last refresh.
 *
 * @example
 * const states = await jobStates(client, scope, 5000);
 */
export async function jobStates(client: pg.Client, scope: Scope, limit: number): Promise<JobState[]> {
  return (await client.query<JobState>(`
    SELECT id, status, label, error_sqlstate, error_message FROM pgdispatch.jobs WHERE true${scope.where} ORDER BY id DESC LIMIT ${limit}`, [...scope.values])).rows.reverse();
}
