// Operators' one-row summary: counts per status and timings over the last hour.
import { dedent, view } from '../model/define.js';
import type { Column } from '../model/types.js';
import { sees } from './visibility.js';

const c = (name: string, type: string, doc: string): Column => ({ name, type, nullable: true, doc });

export const statsView = view({
  name: 'stats',
  doc: 'Counts per status, the number due and waiting for a runner, and start latency and run time percentiles over the last hour, for the jobs the current role (and end user) can see.',
  query: dedent(`
    WITH visible AS (
      SELECT j.* FROM pgdispatch._job AS j WHERE ${sees('j')}
    ), recent AS (
      SELECT v.started_at - v.run_at AS start_latency, v.finished_at - v.started_at AS run_time
        FROM visible AS v WHERE v.finished_at > pg_catalog.now() - interval '1 hour' AND v.started_at IS NOT NULL
    )
    SELECT (SELECT pg_catalog.count(*) FROM visible AS v WHERE v.status = 'scheduled') AS scheduled,
           (SELECT pg_catalog.count(*) FROM visible AS v WHERE v.status = 'scheduled' AND v.run_at <= pg_catalog.now()) AS due,
           (SELECT pg_catalog.count(*) FROM visible AS v WHERE v.status = 'running') AS running,
           (SELECT pg_catalog.count(*) FROM visible AS v WHERE v.status = 'succeeded') AS succeeded,
           (SELECT pg_catalog.count(*) FROM visible AS v WHERE v.status = 'failed') AS failed,
           (SELECT pg_catalog.count(*) FROM visible AS v WHERE v.status = 'cancelled') AS cancelled,
           (SELECT pg_catalog.count(*) FROM visible AS v WHERE v.status = 'timed_out') AS timed_out,
           r.start_latency_p50, r.start_latency_p95, r.start_latency_p99,
           r.run_time_p50, r.run_time_p95, r.run_time_p99
      FROM (SELECT pg_catalog.percentile_cont(0.5) WITHIN GROUP (ORDER BY x.start_latency) AS start_latency_p50,
                   pg_catalog.percentile_cont(0.95) WITHIN GROUP (ORDER BY x.start_latency) AS start_latency_p95,
                   pg_catalog.percentile_cont(0.99) WITHIN GROUP (ORDER BY x.start_latency) AS start_latency_p99,
                   pg_catalog.percentile_cont(0.5) WITHIN GROUP (ORDER BY x.run_time) AS run_time_p50,
                   pg_catalog.percentile_cont(0.95) WITHIN GROUP (ORDER BY x.run_time) AS run_time_p95,
                   pg_catalog.percentile_cont(0.99) WITHIN GROUP (ORDER BY x.run_time) AS run_time_p99
              FROM recent AS x) AS r
  `),
  columns: [
    c('scheduled', 'bigint', 'Jobs waiting to start (due or not).'),
    c('due', 'bigint', 'Scheduled jobs whose time has come.'),
    c('running', 'bigint', 'Jobs running now.'),
    c('succeeded', 'bigint', 'Jobs that succeeded (until purged).'),
    c('failed', 'bigint', 'Jobs that failed.'),
    c('cancelled', 'bigint', 'Jobs cancelled.'),
    c('timed_out', 'bigint', 'Jobs stopped by their timeout.'),
    c('start_latency_p50', 'interval', 'Median time from due to started, last hour.'),
    c('start_latency_p95', 'interval', '95th percentile of the same.'),
    c('start_latency_p99', 'interval', '99th percentile of the same.'),
    c('run_time_p50', 'interval', 'Median run time, last hour.'),
    c('run_time_p95', 'interval', '95th percentile of the same.'),
    c('run_time_p99', 'interval', '99th percentile of the same.'),
  ],
  audience: 'user',
});
