// What the dashboard reads, as the connected role, through pg_dispatch's views (pgdispatch.jobs,
// schedules, and queues when the extension has one): it sees what that role sees in SQL, nothing
// more. Every read is bounded by an index and a LIMIT, so the page stays fast with 100,000 jobs:
//   - newest-first lists pick their ids from pgdispatch._job, whose row-level security policy is
//     the views' own rule (src/schema/visibility.ts) and which, unlike the security_barrier view,
//     lets ORDER BY id DESC LIMIT n walk the primary key (0.1 ms against 260 ms for 100,000 jobs);
//     the rows themselves are then read from the view by id;
//   - counts are of unfinished jobs (the pending index) and of jobs finished in the last hour (the
//     finished_at index), not of every job kept: pgdispatch.stats counts those by scanning them all
//     (330 ms for 100,000 jobs), too slow to repeat on every live update;
//   - labels (and queues) are counted over the newest 10,000 jobs.
// Rows come back as JSON text built in SQL and are passed on unparsed, so that bigints and numbers
// in result rows reach the browser exactly as PostgreSQL wrote them.
import type pg from 'pg';
import { jobStatuses, type JobStatus } from '../../client/generated/api.js';

/** Labels (and queues) are counted over the newest this many jobs, so that the count stays cheap. */
export const labelWindow = 10_000;
/** Unfinished jobs are counted up to this many (a bigger backlog shows as this many and more). */
const maxCounted = 100_000;
/** Jobs per page at most. */
export const maxPageSize = 200;
/** Result rows a job page shows at most. */
const maxRowsShown = 200;

/** What the connected role is, may do, and what this pg_dispatch has. */
export interface Capabilities {
  readonly role: string;
  readonly database: string;
  readonly admin: boolean;
  readonly version: string | null;
  /** Functions the role may execute, among cancel, retry, pause/resume_schedule, run_schedule_now. */
  readonly may: Readonly<Record<'cancel' | 'retry' | 'pause_schedule' | 'resume_schedule' | 'run_schedule_now', boolean>>;
  /** Whether pgdispatch.schedules exists (1.2.0) and pgdispatch.queues (being built). */
  readonly schedules: boolean;
  readonly queues: boolean;
  /** Columns of pgdispatch.jobs that not every version has. */
  readonly jobColumns: readonly string[];
  /** Columns of pgdispatch._job the role may read (under its row-level security). */
  readonly jobTableColumns: readonly string[];
}

/** Reads the role, its rights and the shape of the installed pg_dispatch. */
export async function capabilities(db: pg.Pool | pg.Client): Promise<Capabilities> {
  const { rows: [r] } = await db.query<{ c: Capabilities }>(`
    SELECT pg_catalog.json_build_object(
      'role', current_user, 'database', pg_catalog.current_database(),
      'admin', CASE WHEN pg_catalog.has_function_privilege('pgdispatch._is_admin()', 'EXECUTE') THEN pgdispatch._is_admin() ELSE false END,
      'version', (SELECT extversion FROM pg_catalog.pg_extension WHERE extname = 'pg_dispatch'),
      'may', (SELECT pg_catalog.json_object_agg(f.name, coalesce(
                (SELECT pg_catalog.bool_or(pg_catalog.has_function_privilege(p.oid, 'EXECUTE'))
                   FROM pg_catalog.pg_proc AS p
                  WHERE p.pronamespace = 'pgdispatch'::regnamespace AND p.proname = f.name), false))
                FROM pg_catalog.unnest(ARRAY['cancel', 'retry', 'pause_schedule', 'resume_schedule', 'run_schedule_now']) AS f(name)),
      'schedules', pg_catalog.to_regclass('pgdispatch.schedules') IS NOT NULL
                   AND pg_catalog.has_table_privilege('pgdispatch.schedules', 'SELECT'),
      'queues', pg_catalog.to_regclass('pgdispatch.queues') IS NOT NULL
                AND pg_catalog.has_table_privilege('pgdispatch.queues', 'SELECT'),
      'jobTableColumns', coalesce((SELECT pg_catalog.json_agg(a.attname::text ORDER BY a.attnum) FROM pg_catalog.pg_attribute AS a
                           WHERE a.attrelid = 'pgdispatch._job'::regclass AND a.attnum > 0 AND NOT a.attisdropped
                             AND pg_catalog.has_column_privilege(a.attrelid, a.attnum, 'SELECT')), '[]'),
      'jobColumns', (SELECT pg_catalog.json_agg(a.attname::text ORDER BY a.attnum) FROM pg_catalog.pg_attribute AS a
                      WHERE a.attrelid = 'pgdispatch.jobs'::regclass AND a.attnum > 0 AND NOT a.attisdropped)) AS c`);
  return r!.c;
}

/** The relation to pick the newest jobs' ids (and `columns`) from: pgdispatch._job when the role may read them there. */
function newestFrom(caps: Capabilities, columns: readonly string[]): string {
  return columns.every((c) => caps.jobTableColumns.includes(c)) ? 'pgdispatch._job' : 'pgdispatch.jobs';
}

/** The filter of the job list: the same as `pgdispatch jobs` (--status, --label, --since, --cursor, --limit). */
export interface JobFilter {
  readonly status?: readonly JobStatus[];
  readonly label?: string;
  readonly since?: Date;
  readonly cursor?: string;
  readonly limit: number;
}

/** Reads a JobFilter from a query string; a message for what is wrong. */
export function parseJobFilter(q: URLSearchParams): JobFilter | string {
  const status = q.get('status');
  const statuses = status ? status.split(',').filter(Boolean) : [];
  const bad = statuses.find((s) => !(jobStatuses as readonly string[]).includes(s));
  if (bad !== undefined) return `status takes ${jobStatuses.join(', ')}, not ${JSON.stringify(bad)}`;
  const cursor = q.get('cursor') || undefined;
  if (cursor !== undefined && !/^\d{1,19}$/.test(cursor)) return 'cursor is a job id';
  const limit = Number(q.get('limit') ?? 50);
  if (!Number.isInteger(limit) || limit < 1 || limit > maxPageSize) return `limit is a whole number from 1 to ${maxPageSize}`;
  const sinceText = q.get('since') || undefined;
  let since: Date | undefined;
  if (sinceText !== undefined) {
    const m = /^(\d+)([smhdw])$/.exec(sinceText);
    since = m ? new Date(Date.now() - Number(m[1]) * { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 604800e3 }[m[2] as 's']) : new Date(sinceText);
    if (Number.isNaN(since.getTime())) return 'since is a duration back from now (30m, 12h, 7d) or a time';
  }
  const label = q.get('label') ?? '';
  return {
    ...(statuses.length ? { status: statuses as JobStatus[] } : {}),
    ...(label !== '' ? { label } : {}),
    ...(since ? { since } : {}),
    ...(cursor ? { cursor } : {}),
    limit,
  };
}

/**
 * One page of the job list, newest first, by keyset (id < cursor): a short form of each job (the
 * command and error cut to 300 characters; no rows). Returns `{"jobs": [...], "nextCursor": ...}` as JSON text.
 */
export async function jobPage(db: pg.Pool, f: JobFilter, caps: Capabilities): Promise<string> {
  const where: string[] = [];
  const values: unknown[] = [];
  const add = (cond: (p: string) => string, v: unknown) => { values.push(v); where.push(cond(`$${values.length}`)); };
  if (f.status) add((p) => `j.status = ANY(${p}::text[])`, f.status);
  if (f.label !== undefined) add((p) => `j.label LIKE ${p}`, f.label);
  if (f.since) add((p) => `j.created_at >= ${p}::timestamptz`, f.since);
  if (f.cursor) add((p) => `j.id < ${p}::bigint`, f.cursor);
  values.push(f.limit + 1);
  const queue = caps.jobColumns.includes('queue') ? `, 'queue', j.queue` : '';
  const newest = `${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY j.id DESC LIMIT $${values.length}`;
  const { rows: [r] } = await db.query<{ page: string }>(`
    WITH page AS (
      SELECT j.id, j.status, j.label, pg_catalog.left(j.command, 300) AS command, j.created_at, j.run_at, j.started_at, j.finished_at,
             j.attempts, j.max_attempts, j.error_sqlstate, pg_catalog.left(j.error_message, 300) AS error_message, j.schedule_id, j.role${queue ? ', j.queue' : ''}
        FROM pgdispatch.jobs AS j
       WHERE j.id = ANY(ARRAY(SELECT j.id FROM ${newestFrom(caps, ['id', 'status', 'label', 'created_at'])} AS j${newest}))
    ), numbered AS (SELECT p.*, pg_catalog.row_number() OVER (ORDER BY p.id DESC) AS n FROM page AS p)
    SELECT pg_catalog.json_build_object(
      'jobs', coalesce((SELECT pg_catalog.json_agg(pg_catalog.json_build_object(
                 'id', x.id::text, 'status', x.status, 'label', x.label, 'command', x.command, 'role', x.role,
                 'created_at', x.created_at, 'run_at', x.run_at, 'started_at', x.started_at, 'finished_at', x.finished_at,
                 'attempts', x.attempts, 'max_attempts', x.max_attempts, 'error_sqlstate', x.error_sqlstate,
                 'error_message', x.error_message, 'schedule_id', x.schedule_id::text${queue.replace('j.', 'x.')}) ORDER BY x.id DESC)
                 FROM numbered AS x WHERE x.n <= ${f.limit}), '[]'),
      'nextCursor', (SELECT x.id::text FROM numbered AS x WHERE x.n = ${f.limit} AND EXISTS (SELECT FROM numbered AS y WHERE y.n > ${f.limit}))
    )::text AS page`, values);
  return r!.page;
}

/**
 * One job in full: every column of pgdispatch.jobs (those added by later versions too), its rows
 * as text cells (exact numbers; at most 200), and the state of the jobs it depends on when the
 * view has such a column. JSON text, or null when the role cannot see it.
 */
export async function jobDetail(db: pg.Pool, id: string, caps: Capabilities): Promise<string | null> {
  const dependsOn = caps.jobColumns.find((c) => c === 'depends_on' || c === 'after');
  const { rows } = await db.query<{ job: string }>(`
    SELECT (pg_catalog.to_jsonb(j) - 'rows'
            || pg_catalog.jsonb_build_object('id', j.id::text, 'retry_of', j.retry_of::text, 'schedule_id', j.schedule_id::text, 'row_count', j.row_count::text)
            || pg_catalog.jsonb_build_object('rows_shown', (
                 SELECT pg_catalog.jsonb_agg((SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_array(e.key,
                            CASE pg_catalog.jsonb_typeof(e.value) WHEN 'null' THEN NULL WHEN 'string' THEN e.value ELSE pg_catalog.to_jsonb(e.value::text) END))
                          FROM pg_catalog.jsonb_each(r.value) AS e) ORDER BY r.n)
                   FROM pg_catalog.jsonb_array_elements(CASE pg_catalog.jsonb_typeof(j.rows) WHEN 'array' THEN j.rows ELSE '[]' END) WITH ORDINALITY AS r(value, n)
                  WHERE r.n <= ${maxRowsShown} AND pg_catalog.jsonb_typeof(r.value) = 'object'),
               'rows_total', pg_catalog.jsonb_array_length(CASE pg_catalog.jsonb_typeof(j.rows) WHEN 'array' THEN j.rows ELSE '[]' END))
            ${dependsOn ? `|| pg_catalog.jsonb_build_object('dependencies', (
                 SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('id', d.id::text, 'status', v.status, 'label', v.label) ORDER BY d.id)
                   FROM pg_catalog.unnest(j.${dependsOn}) AS d(id) LEFT JOIN pgdispatch.jobs AS v ON v.id = d.id))` : ''}
            || pg_catalog.jsonb_build_object('retried_by', (SELECT pg_catalog.jsonb_agg(r.id::text ORDER BY r.id) FROM pgdispatch.jobs AS r WHERE r.retry_of = j.id))
           )::text AS job
      FROM pgdispatch.jobs AS j WHERE j.id = $1::bigint`, [id]);
  return rows[0]?.job ?? null;
}

/** Counts per status, label and queue; the last hour per minute; schedules and queues. JSON text. */
export async function summary(db: pg.Pool, caps: Capabilities): Promise<string> {
  const queue = caps.jobColumns.includes('queue');
  const newest = newestFrom(caps, ['id', 'status', 'label', ...(queue ? ['queue'] : [])]);
  const { rows: [r] } = await db.query<{ s: string }>(`
    WITH recent AS (
      SELECT j.label, j.status${queue ? ', j.queue' : ''} FROM ${newest} AS j ORDER BY j.id DESC LIMIT ${labelWindow}
    ), unfinished AS (
      SELECT j.status, j.run_at FROM pgdispatch.jobs AS j WHERE j.status IN ('scheduled', 'running') LIMIT ${maxCounted}
    ), hour AS (
      SELECT j.status, j.finished_at, extract(epoch FROM j.started_at - j.run_at) AS latency, extract(epoch FROM j.finished_at - j.started_at) AS run_time
        FROM pgdispatch.jobs AS j
       WHERE j.finished_at > pg_catalog.date_trunc('minute', pg_catalog.now()) - interval '59 minutes'
    ), minutes AS (
      SELECT pg_catalog.date_trunc('minute', h.finished_at) AS m,
             pg_catalog.count(*) FILTER (WHERE h.status = 'succeeded') AS succeeded,
             pg_catalog.count(*) FILTER (WHERE h.status <> 'succeeded') AS other,
             pg_catalog.percentile_cont(0.5) WITHIN GROUP (ORDER BY h.latency) AS p50,
             pg_catalog.percentile_cont(0.95) WITHIN GROUP (ORDER BY h.latency) AS p95
        FROM hour AS h GROUP BY 1
    )
    SELECT pg_catalog.json_build_object(
      'at', pg_catalog.now(),
      'counts', (SELECT pg_catalog.json_build_object(
                   'scheduled', pg_catalog.count(*) FILTER (WHERE u.status = 'scheduled'),
                   'due', pg_catalog.count(*) FILTER (WHERE u.status = 'scheduled' AND u.run_at <= pg_catalog.now()),
                   'running', pg_catalog.count(*) FILTER (WHERE u.status = 'running'),
                   'capped', pg_catalog.count(*) >= ${maxCounted}) FROM unfinished AS u),
      'hour', (SELECT pg_catalog.json_build_object(
                 'succeeded', pg_catalog.count(*) FILTER (WHERE h.status = 'succeeded'),
                 'failed', pg_catalog.count(*) FILTER (WHERE h.status = 'failed'),
                 'cancelled', pg_catalog.count(*) FILTER (WHERE h.status = 'cancelled'),
                 'timed_out', pg_catalog.count(*) FILTER (WHERE h.status = 'timed_out'),
                 'latency', pg_catalog.percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY h.latency),
                 'run_time', pg_catalog.percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY h.run_time)) FROM hour AS h),
      'labels', (SELECT pg_catalog.json_build_object('window', ${labelWindow}, 'seen', (SELECT pg_catalog.count(*) FROM recent),
                   'rows', coalesce(pg_catalog.json_agg(pg_catalog.json_build_object('label', x.label, 'counts', x.counts) ORDER BY x.total DESC, x.label), '[]'))
                   FROM (SELECT c.label, pg_catalog.sum(c.n) AS total, pg_catalog.json_object_agg(c.status, c.n) AS counts
                           FROM (SELECT label, status, pg_catalog.count(*) AS n FROM recent GROUP BY 1, 2) AS c GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 50) AS x),
      ${queue ? `'queueCounts', (SELECT coalesce(pg_catalog.json_agg(pg_catalog.json_build_object('queue', x.queue, 'counts', x.counts) ORDER BY x.queue), '[]')
                   FROM (SELECT c.queue, pg_catalog.json_object_agg(c.status, c.n) AS counts
                           FROM (SELECT queue, status, pg_catalog.count(*) AS n FROM recent GROUP BY 1, 2) AS c GROUP BY 1 LIMIT 50) AS x),` : ''}
      'minutes', (SELECT coalesce(pg_catalog.json_agg(pg_catalog.json_build_object('m', m.m, 'succeeded', m.succeeded, 'other', m.other, 'p50', m.p50, 'p95', m.p95) ORDER BY m.m), '[]') FROM minutes AS m),
      'schedules', ${caps.schedules ? `(SELECT coalesce(pg_catalog.json_agg(pg_catalog.json_build_object(
                      'id', s.id::text, 'name', s.name, 'role', s.role, 'expression', s.expression, 'time_zone', s.time_zone, 'command', pg_catalog.left(s.command, 300),
                      'label', s.label, 'paused', s.paused, 'next_run_at', s.next_run_at, 'last_job_id', s.last_job_id::text, 'last_status', s.last_status,
                      'last_started_at', s.last_started_at, 'last_seconds', extract(epoch FROM s.last_duration),
                      'succeeded', s.succeeded, 'failed', s.failed, 'skipped', s.skipped, 'last_error', s.last_error) ORDER BY s.name, s.id), '[]')
                     FROM (SELECT * FROM pgdispatch.schedules ORDER BY name, id LIMIT 200) AS s)` : 'NULL'},
      'queues', ${caps.queues ? `(SELECT coalesce(pg_catalog.json_agg(pg_catalog.to_json(q)), '[]') FROM (SELECT * FROM pgdispatch.queues LIMIT 200) AS q)` : 'NULL'}
    )::text AS s`);
  return r!.s;
}

/** Of the jobs named, those the role sees, with their status now: `[{id, status}]` as JSON text. */
export async function visibleStatuses(db: pg.Pool, ids: readonly string[]): Promise<{ id: string; status: string }[]> {
  const { rows } = await db.query<{ id: string; status: string }>(
    'SELECT j.id::text AS id, j.status FROM pgdispatch.jobs AS j WHERE j.id = ANY($1::bigint[])', [ids]);
  return rows;
}
