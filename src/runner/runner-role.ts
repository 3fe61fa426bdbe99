// Runner identities: the login role as which pg_cron runs each role's carriers (see runner-for.sql).
import { dedent, fn, sqlFile, table } from '../model/define.js';

export const runnerTable = table({
  name: '_runner',
  doc: 'The runner identity of each role that fires jobs, and the key of its carriers\' tokens.',
  ddl: dedent(`
    CREATE TABLE pgdispatch._runner (
      role_oid oid PRIMARY KEY,
      runner_oid oid NOT NULL UNIQUE,
      arm_key text NOT NULL
    );
  `),
  columns: [],
});

export const runnerFor = fn({
  name: '_runner_for',
  args: [{ name: 'served', type: 'oid' }, { name: 'make', type: 'boolean' }],
  returns: 'name',
  language: 'plpgsql',
  security: 'invoker',
  body: sqlFile(import.meta.url, 'runner-for.sql'),
  doc: 'The runner identity of a role (a login role that holds nothing); made with its pg_cron wrappers when make is true.',
  audience: 'owner',
});

export const servedRole = fn({
  name: '_served_role',
  args: [],
  returns: 'oid',
  language: 'plpgsql',
  volatility: 'stable',
  security: 'invoker',
  // SESSION_USER, not CURRENT_USER: inside pg_dispatch's SECURITY DEFINER functions the current
  // user is the owner, while the session user is who pg_cron connected as.
  // (to_regrole: a syscache lookup, where the pg_roles view joins. PL/pgSQL, not SQL: called
  // twice a job from PL/pgSQL, a SQL function was planned at every call, 120 µs a call.)
  body: dedent(`
    BEGIN
      RETURN (SELECT r.role_oid FROM pgdispatch._runner AS r
               WHERE r.runner_oid = pg_catalog.to_regrole(pg_catalog.quote_ident(SESSION_USER)));
    END
  `),
  doc: 'The role whose jobs this session may run, when its session user is a runner identity; NULL otherwise.',
  audience: 'owner',
});

export const armToken = fn({
  name: '_arm_token',
  args: [{ name: 'job_id', type: 'bigint' }, { name: 'job_role', type: 'oid' }],
  returns: 'text',
  // PL/pgSQL, not SQL: called from PL/pgSQL at every carrier armed, and a SQL function called from
  // PL/pgSQL is planned at every call.
  language: 'plpgsql',
  volatility: 'stable',
  security: 'invoker',
  body: dedent(`
    BEGIN
      RETURN (SELECT pg_catalog.md5(r.arm_key || ':' || job_id::text) FROM pgdispatch._runner AS r WHERE r.role_oid = job_role);
    END
  `),
  doc: 'The token that lets a runner\'s wrapper schedule the carrier of one job.',
  audience: 'owner',
});

export const mayArm = fn({
  name: '_may_arm',
  args: [{ name: 'job_id', type: 'bigint' }, { name: 'token', type: 'text' }, { name: 'runner', type: 'name' }],
  returns: 'boolean',
  language: 'plpgsql',  // (see _arm_token)
  volatility: 'stable',
  security: 'definer',
  body: dedent(`
    BEGIN
      RETURN coalesce((SELECT pgdispatch._arm_token(job_id, r.role_oid) = token
                         FROM pgdispatch._runner AS r
                        WHERE r.runner_oid = pg_catalog.to_regrole(pg_catalog.quote_ident(runner))), false);
    END
  `),
  doc: 'Whether a runner\'s wrapper may schedule the carrier of a job: only with the owner\'s token for it.',
  audience: 'runner',
});

export const runnerSessionTable = table({
  name: '_runner_session',
  doc: 'Whose jobs each runner session runs: the role and request settings of the first job it took.',
  // A session runs the jobs of one principal (role and carried request settings, e.g. one end
  // user's JWT claims) and no other: what a job leaves behind in its session (temp tables that
  // shadow real ones, settings, work queued for COMMIT running as the runner identity) then only
  // ever meets jobs of the same principal. Recorded here, where only pg_dispatch's definer
  // functions write, because anything kept in the session itself a command could change.
  // A session that drained its principal's jobs and lingers is idle (idle_since); a new due job
  // of that principal may be promised to it at COMMIT instead of getting a carrier (promised: see
  // _job_arm_at_commit, _take_next).
  // executor_seen: the version (xmin and ctid of its pg_proc row) of the executor this session
  // last checked in full (see _execute): unchanged, it is not checked again.
  // leaving_at: when it began to give its slot back (see _release_slot); from then on no job is
  // promised to it nor rides on it (see _ride).
  ddl: dedent(`
    CREATE TABLE pgdispatch._runner_session (
      pid integer PRIMARY KEY,
      backend_start timestamptz NOT NULL,
      role_oid oid NOT NULL,
      settings jsonb NOT NULL,
      idle_since timestamptz,
      promised bigint,
      executor_seen text,
      leaving_at timestamptz
    );
  `),
  columns: [],
});
