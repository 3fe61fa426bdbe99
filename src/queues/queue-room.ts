// How many more jobs of a queue may start now: NULL without a limit, 0 while paused or full.
import { dedent, fn, sqlFile } from '../model/define.js';

export const queueRoom = fn({
  name: '_queue_room',
  args: [{ name: 'queue_role', type: 'oid' }, { name: 'queue_sub', type: 'text' }, { name: 'queue_name', type: 'text' }],
  returns: 'integer',
  language: 'sql',
  volatility: 'stable',
  security: 'invoker',
  body: dedent(`
    SELECT CASE WHEN q.paused THEN 0
                WHEN q.concurrency IS NULL THEN NULL
                ELSE greatest(0, q.concurrency - (SELECT pg_catalog.count(*)::integer FROM pgdispatch._job AS j
                                                   WHERE j.role_oid = q.role_oid AND j.queue = q.name AND j.status = 'running'
                                                     AND coalesce(j.sub, '') = q.sub)) END
      FROM pgdispatch._queue AS q
     WHERE q.role_oid = queue_role AND q.sub = coalesce(queue_sub, '') AND q.name = queue_name
  `),
  doc: 'How many more jobs of a queue may start now: NULL for no limit, 0 while it is paused or full.',
  audience: 'owner',
});

/** A queue's key in _blocked_queues(): role OID, end user ('' for none) and name. */
export const queueKey = (alias: string): string =>
  `${alias}.role_oid::text || E'\\x1f' || coalesce(${alias}.sub, '') || E'\\x1f' || ${alias}.queue`;

export const blockedQueues = fn({
  name: '_blocked_queues',
  args: [],
  returns: 'text[]',
  language: 'sql',
  volatility: 'stable',
  security: 'invoker',
  body: dedent(`
    SELECT coalesce(pg_catalog.array_agg(q.role_oid::text || E'\\x1f' || q.sub || E'\\x1f' || q.name), '{}')
      FROM pgdispatch._queue AS q
     WHERE q.paused
        OR q.concurrency <= (SELECT pg_catalog.count(*) FROM pgdispatch._job AS j
                              WHERE j.role_oid = q.role_oid AND j.queue = q.name AND j.status = 'running'
                                AND coalesce(j.sub, '') = q.sub)
  `),
  doc: 'The queues whose jobs cannot start now (paused, or as many running as their concurrency), by key (role OID, end user, name).',
  audience: 'owner',
});

export const armQueue = fn({
  name: '_arm_queue',
  args: [{ name: 'queue_role', type: 'oid' }, { name: 'queue_sub', type: 'text' }, { name: 'queue_name', type: 'text' },
    { name: 'runner_settings', type: 'jsonb' }],
  returns: 'integer',
  language: 'plpgsql',
  security: 'invoker',
  body: sqlFile(import.meta.url, 'arm-queue.sql'),
  doc: 'Arms the carriers of a queue\'s due jobs that wait without one, one per free place.',
  audience: 'owner',
});

export const jobQueuePlace = fn({
  name: '_job_queue_place',
  args: [],
  returns: 'trigger',
  language: 'plpgsql',
  security: 'definer',
  body: dedent(`
    BEGIN
      -- Its runner, finishing it, goes on with its principal's next job itself (see _arm_queue).
      PERFORM pgdispatch._arm_queue(NEW.role_oid, NEW.sub, NEW.queue,
                                    CASE WHEN OLD.runner_pid = pg_catalog.pg_backend_pid() THEN NEW.settings END);
      RETURN NULL;
    END
  `),
  doc: 'When a job of a queue stops running (finished, or waiting to retry): the queue\'s next waiting jobs are armed.',
  audience: 'owner',
  triggers: dedent(`
    CREATE TRIGGER _job_queue_place AFTER UPDATE ON pgdispatch._job
      FOR EACH ROW WHEN (OLD.status = 'running' AND NEW.status <> 'running' AND NEW.queue IS NOT NULL)
      EXECUTE FUNCTION pgdispatch._job_queue_place();
  `),
});

export const queueAfterWrite = fn({
  name: '_queue_after_write',
  args: [],
  returns: 'trigger',
  language: 'plpgsql',
  security: 'definer',
  body: dedent(`
    BEGIN
      PERFORM pgdispatch._arm_queue(NEW.role_oid, NEW.sub, NEW.name, NULL);
      RETURN NULL;
    END
  `),
  doc: 'When a queue is resumed or its concurrency raised: its waiting jobs are armed, one per free place.',
  audience: 'owner',
  triggers: dedent(`
    CREATE TRIGGER _queue_after_write AFTER INSERT OR UPDATE ON pgdispatch._queue
      FOR EACH ROW EXECUTE FUNCTION pgdispatch._queue_after_write();
  `),
});
