// The queues a role sees: its own and its end user's (an admin: all), filtered like the jobs view:
// those with limits set and those with jobs waiting or running, with their counts.
import { dedent, view } from '../model/define.js';
import type { Column } from '../model/types.js';
import { sees } from '../schema/visibility.js';

const c = (name: string, type: string, nullable: boolean, doc: string): Column => ({ name, type, nullable, doc });

export const queuesView = view({
  name: 'queues',
  doc: 'Every queue of the current role and end user (an admin sees all): its limits and how many of its jobs wait and run.',
  query: dedent(`
    SELECT k.name, pg_catalog.pg_get_userbyid(k.role_oid)::name AS role, nullif(k.sub, '') AS sub,
           q.concurrency, coalesce(q.paused, false) AS paused,
           coalesce(n.waiting, 0) AS waiting, coalesce(n.running, 0) AS running, q.updated_at
      FROM (SELECT q.role_oid, q.sub, q.name FROM pgdispatch._queue AS q
            UNION
            SELECT j.role_oid, coalesce(j.sub, ''), j.queue FROM pgdispatch._job AS j
             WHERE j.queue IS NOT NULL AND j.status IN ('scheduled', 'running') AND j.role_oid <> 0) AS k
      LEFT JOIN pgdispatch._queue AS q ON q.role_oid = k.role_oid AND q.sub = k.sub AND q.name = k.name
      LEFT JOIN LATERAL (SELECT pg_catalog.count(*) FILTER (WHERE j.status = 'scheduled') AS waiting,
                                pg_catalog.count(*) FILTER (WHERE j.status = 'running') AS running
                           FROM pgdispatch._job AS j
                          WHERE j.role_oid = k.role_oid AND j.queue = k.name AND j.status IN ('scheduled', 'running')
                            AND coalesce(j.sub, '') = k.sub) AS n ON true
     WHERE ${sees('k')}
  `),
  columns: [
    c('name', 'text', false, 'The queue\'s name.'),
    c('role', 'name', false, 'The role it belongs to; another role\'s queue of the same name is another queue.'),
    c('sub', 'text', true, 'The end user it belongs to (JWT sub), NULL for none.'),
    c('concurrency', 'integer', true, 'How many of its jobs may run at once; NULL for no limit.'),
    c('paused', 'boolean', false, 'Whether it is paused.'),
    c('waiting', 'bigint', false, 'Its jobs waiting to start (scheduled, due or not, or waiting for dependencies).'),
    c('running', 'bigint', false, 'Its jobs running.'),
    c('updated_at', 'timestamptz', true, 'When its limits last changed; NULL if never set.'),
  ],
  audience: 'user',
});
