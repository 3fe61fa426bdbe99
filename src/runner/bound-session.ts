// pgdispatch._bound_session: this session's row of _runner_session, when it serves that principal.
import { dedent, fn } from '../model/define.js';

export const boundSession = fn({
  name: '_bound_session',
  args: [],
  returns: 'pgdispatch._runner_session',
  language: 'plpgsql',
  security: 'invoker',
  // PL/pgSQL, not SQL: called by the runner between every two jobs, and a SQL function called
  // from PL/pgSQL is planned at every call. The row counts only when it is this very session's
  // (a pid is reused by later sessions) and of the role its runner identity serves.
  body: dedent(`
    DECLARE
      bound pgdispatch._runner_session;
    BEGIN
      SELECT * INTO bound FROM pgdispatch._runner_session AS s
       WHERE s.pid = pg_catalog.pg_backend_pid()
         AND s.backend_start = (SELECT a.backend_start FROM pg_catalog.pg_stat_get_activity(pg_catalog.pg_backend_pid()) AS a)
         AND s.role_oid = pgdispatch._served_role();
      RETURN bound;
    END
  `),
  doc: 'This session\'s row of _runner_session (the principal it serves), or NULL when it has started no job.',
  audience: 'owner',
});

export const overShare = fn({
  name: '_over_share',
  args: [{ name: 'served', type: 'oid' }],
  returns: 'boolean',
  language: 'plpgsql',
  security: 'invoker',
  // A runner between jobs of a role that holds more slots than its fair share while another role
  // waits for one stops, so that its slot goes to that role (see _fair_share).
  body: dedent(`
    BEGIN
      RETURN EXISTS (SELECT 1 FROM pgdispatch._waiting_role AS w WHERE w.role_oid <> served)
         AND (SELECT pg_catalog.count(*) FROM pgdispatch._slot AS s WHERE s.pid IS NOT NULL AND s.role_oid = served)
             > pgdispatch._fair_share(served);
    END
  `),
  doc: 'Whether a role holds more runner slots than its fair share while another role waits for one.',
  audience: 'owner',
});
