// Who sees a job: the one rule, written once here and rendered into every place that filters jobs
// (the table's row-level security policy, the views, the check on retry_of in the insert trigger).
//
//   An admin sees every job. Anyone else sees a job iff it is of the same role (by OID: a role
//   dropped and made again under the same name sees nothing of the old one) AND of the same end
//   user: the job's `sub` (the JWT subject of the session that fired it, NULL without claims) is
//   the session's own, NULL matching NULL only.
//
// So on Supabase, where every signed-in user is the role `authenticated`, user 2 does not see user
// 1's jobs, and a session of `authenticated` without claims sees only jobs fired without claims.
//
// Why rendered SQL and not a function called per row: every pg_dispatch function pins search_path,
// which keeps PostgreSQL from inlining it, and a pinned function call costs ~3.5 us per row (a
// 20,000-row scan of the jobs view went from 10 ms to 80 ms). Rendered, the rule is two comparisons
// per row against values computed once per statement (initplans): the caller's role OID and sub.
// Nor is the caller's sub read by a function: a pinned SQL function costs ~50 us per statement
// (planned anew each time), which fire(), whose INSERT passes the policy, would pay twice per job.
// The own-job test comes first, so the admin check runs only for other roles' or users' jobs.
import { dedent } from '../model/define.js';

/**
 * The end user of this session: the `sub` of its JWT claims, NULL without one. PostgREST 9+ sets
 * request.jwt.claims (JSON); older versions set one setting per claim (request.jwt.claim.sub).
 */
export const callerSub = dedent(`
  coalesce(nullif(nullif(pg_catalog.current_setting('request.jwt.claims', true), '')::pg_catalog.jsonb ->> 'sub', ''),
           nullif(pg_catalog.current_setting('request.jwt.claim.sub', true), ''))
`).trim().replace(/\n\s*/g, ' ');

export interface Viewer {
  /** The viewer's role OID. */
  readonly role: string;
  /** The viewer's end user (text, NULL for none). */
  readonly sub: string;
  /** Whether the viewer is an admin. */
  readonly admin: string;
}

/** The calling session, each part computed once per statement. */
export const caller: Viewer = {
  // Not a query of pg_roles: fire()'s INSERT is planned at every call, and a join to plan twice
  // (policy and RETURNING) per job cost more than the rest of the check.
  role: '(SELECT pg_catalog.to_regrole(pg_catalog.quote_ident(CURRENT_USER))::pg_catalog.oid)',
  sub: `(SELECT ${callerSub})`,
  admin: '(SELECT pgdispatch._is_admin())',
};

/** The rule as a SQL condition on the job row `job` (an alias, or empty for unqualified columns). */
export function sees(job: string, viewer: Viewer = caller): string {
  const col = (name: string): string => (job ? `${job}.${name}` : name);
  return `((${col('role_oid')} = ${viewer.role} AND coalesce(${col('sub')}, '') = coalesce(${viewer.sub}, '')) OR ${viewer.admin})`;
}
