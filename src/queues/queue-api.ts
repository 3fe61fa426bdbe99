// The public functions of queues: plain statements on the caller's own rows of pgdispatch._queue
// (row-level security: a role and end user write only their own queues, an admin any role's).
import { dedent, fn } from '../model/define.js';
import { sqlstate } from '../model/errors.js';
import { caller, callerSub } from '../schema/visibility.js';

const queueArgs = [
  { name: 'name', type: 'text', doc: 'The queue\'s name, as jobs name it in `queue =>` (up to 64 bytes).' },
] as const;
const whose = [
  { name: 'role', type: 'name', default: 'NULL', doc: 'Whose queue: the calling role by default; another role\'s for an admin only.' },
  { name: 'sub', type: 'text', default: 'NULL', doc: 'Whose end user\'s queue (JWT sub): the caller\'s by default, none when `role` is given; another\'s for an admin only.' },
] as const;

/** Resolves and checks the target queue's owner into `target` and `target_sub`, in a function named fnName. */
const resolve = (fnName: string): string => dedent(`
  IF ${fnName}.name IS NULL OR ${fnName}.name = '' OR pg_catalog.octet_length(${fnName}.name) > 64 THEN
    RAISE EXCEPTION 'pg_dispatch: a queue name must be 1 to 64 bytes long'
      USING ERRCODE = '${sqlstate('invalid_queue')}', HINT = 'Use a short name, e.g. ''emails''.';
  END IF;
  target := pg_catalog.to_regrole(pg_catalog.quote_ident(coalesce(${fnName}.role, CURRENT_USER)));
  IF target IS NULL THEN
    RAISE EXCEPTION 'pg_dispatch: no role %', ${fnName}.role
      USING ERRCODE = '${sqlstate('invalid_argument')}', HINT = 'Name an existing role, or leave role out for your own queue.';
  END IF;
  target_sub := coalesce(${fnName}.sub, CASE WHEN ${fnName}.role IS NULL THEN ${callerSub} END, '');
  IF (target <> ${caller.role} OR target_sub <> coalesce(${callerSub}, '')) AND NOT pgdispatch._is_admin() THEN
    RAISE EXCEPTION 'pg_dispatch: only an admin may change another role''s or end user''s queue'
      USING ERRCODE = '${sqlstate('admin_only')}',
            HINT = 'Leave role and sub out to change your own queue of that name; each role and end user has queues of its own.';
  END IF;
`).trimEnd().replace(/\n/g, '\n  ');

export const setQueue = fn({
  name: 'set_queue',
  args: [
    ...queueArgs,
    { name: 'concurrency', type: 'integer', default: 'NULL', doc: 'How many of its jobs may run at once: 1 runs them one at a time, in order (priority, then time); NULL (the default) any number.' },
    { name: 'paused', type: 'boolean', default: 'false', doc: 'Whether its jobs wait (holding nothing) instead of starting; running ones finish.' },
    ...whose,
  ],
  returns: 'void',
  language: 'plpgsql',
  security: 'invoker',
  body: dedent(`
    #variable_conflict use_column
    DECLARE
      target oid;
      target_sub text;
    BEGIN
      ${resolve('set_queue')}
      IF set_queue.concurrency < 1 THEN
        RAISE EXCEPTION 'pg_dispatch: a queue''s concurrency must be 1 or more (or NULL for no limit), not %', set_queue.concurrency
          USING ERRCODE = '${sqlstate('invalid_queue')}', HINT = 'concurrency => 1 runs its jobs one at a time; pause it with pgdispatch.pause_queue(name).';
      END IF;
      INSERT INTO pgdispatch._queue AS q (role_oid, sub, name, concurrency, paused)
      VALUES (target, target_sub, set_queue.name, set_queue.concurrency, coalesce(set_queue.paused, false))
      ON CONFLICT (role_oid, sub, name) DO UPDATE
        SET concurrency = excluded.concurrency, paused = excluded.paused, updated_at = pg_catalog.clock_timestamp();
    END
  `),
  doc: dedent(`
    Sets a queue's limits: how many of its jobs run at once (\`concurrency\`) and whether it is
    \`paused\`. A queue belongs to its role and end user: another role's queue of the same name is
    another queue. Jobs that wait for their queue hold no session and no pg_cron job; lifting a
    limit starts them.
  `),
  example: "SELECT pgdispatch.set_queue('emails', concurrency => 1);",
  audience: 'user',
  surface: { client: 'setQueue', cli: { absent: 'queues are set in SQL or from the client; the CLI pauses and resumes them' } },
});

const setPaused = (fnName: string, paused: boolean, doc: string, example: string, cli: string) => fn({
  name: fnName,
  args: [...queueArgs, ...whose],
  returns: 'boolean',
  language: 'plpgsql',
  security: 'invoker',
  body: dedent(`
    #variable_conflict use_column
    DECLARE
      target oid;
      target_sub text;
      was boolean;
    BEGIN
      ${resolve(fnName)}
      SELECT q.paused INTO was FROM pgdispatch._queue AS q
       WHERE q.role_oid = target AND q.sub = target_sub AND q.name = ${fnName}.name;
      IF coalesce(was, false) = ${paused} THEN
        RETURN false;
      END IF;
      INSERT INTO pgdispatch._queue AS q (role_oid, sub, name, paused)
      VALUES (target, target_sub, ${fnName}.name, ${paused})
      ON CONFLICT (role_oid, sub, name) DO UPDATE SET paused = excluded.paused, updated_at = pg_catalog.clock_timestamp();
      RETURN true;
    END
  `),
  doc,
  example,
  audience: 'user',
  surface: { client: fnName === 'pause_queue' ? 'pauseQueue' : 'resumeQueue', cli },
});

export const pauseQueue = setPaused('pause_queue', true,
  'Pauses a queue of the caller: its jobs wait, holding nothing, until resume_queue(); running ones finish. Returns false if it was paused already.',
  "SELECT pgdispatch.pause_queue('emails');", 'queues');

export const resumeQueue = setPaused('resume_queue', false,
  'Resumes a paused queue of the caller: its waiting jobs start (within its concurrency). Returns false if it was not paused.',
  "SELECT pgdispatch.resume_queue('emails');", 'queues');
