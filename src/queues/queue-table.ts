// Queues: a queue is named by its role (by OID), end user (JWT sub) and a name, so a queue of one
// tenant never touches another's jobs. A row holds its limits (concurrency, paused); a queue without
// a row is unlimited. Users write their own rows only (row-level security, the rule of
// src/schema/visibility.ts) through set_queue(), pause_queue() and resume_queue(); a trigger owned
// by the extension owner arms the queue's waiting jobs when a limit is lifted. The runner locks a
// limited queue's row to start one of its jobs, skipping it when locked: a role that holds a lock on
// its own queue's row only holds back that queue.
import { dedent, statement, table } from '../model/define.js';
import { sees } from '../schema/visibility.js';

export const queueTable = table({
  name: '_queue',
  doc: 'The limits of each queue (role, end user, name). Read it through the view pgdispatch.queues.',
  ddl: dedent(`
    CREATE TABLE pgdispatch._queue (
      role_oid oid NOT NULL,
      sub text NOT NULL DEFAULT '',
      name text NOT NULL,
      concurrency integer CONSTRAINT _queue_concurrency CHECK (concurrency >= 1),
      paused boolean NOT NULL DEFAULT false,
      updated_at timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
      PRIMARY KEY (role_oid, sub, name)
    );
    ALTER TABLE pgdispatch._queue ENABLE ROW LEVEL SECURITY;
  `),
  userGrants: ['SELECT', 'INSERT (role_oid, sub, name, concurrency, paused)', 'UPDATE (concurrency, paused, updated_at)'],
  columns: [],
});

// After pgdispatch._is_admin(), which the policy calls.
export const queuePolicy = statement('queue-policy', dedent(`
  CREATE POLICY _queue_own_rows ON pgdispatch._queue
    USING ${sees('')}
    WITH CHECK ${sees('')};
`));
