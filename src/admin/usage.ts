// Who may use pg_dispatch: nothing that executes SQL is granted to PUBLIC; an admin allows a role
// with one call. The list of grants is derived from the model by the generator.
import { fn, sqlFile } from '../model/define.js';

export const userGrants = fn({
  name: '_user_grants',
  args: [],
  returns: 'text[]',
  language: 'sql',
  volatility: 'immutable',
  security: 'invoker',
  // {{USER_GRANTS}} is filled in by the generator from the model: every privilege users get.
  body: 'SELECT {{USER_GRANTS}}::text[]\n',
  doc: 'Every privilege grant_usage() gives, as format() templates (GRANT|REVOKE, TO|FROM, role).',
  audience: 'owner',
});

export const grantUsage = fn({
  name: 'grant_usage',
  args: [{ name: 'role_name', type: 'name' }],
  returns: 'void',
  language: 'plpgsql',
  security: 'invoker',
  body: sqlFile(import.meta.url, 'grant-usage.sql'),
  doc: 'Allows a role to fire jobs and to see, wait on and cancel its own. Its jobs run with exactly its rights. Admin only; the extension owner must be a member of the role (on Supabase, `postgres` is a member of `anon`, `authenticated` and `service_role`).',
  example: "SELECT pgdispatch.grant_usage('authenticated');",
  audience: 'owner',
  surface: { client: { absent: 'an admin grant, made once per role in SQL or a migration' }, cli: { absent: 'an admin grant, made once per role in SQL or a migration' } },
});

export const revokeUsage = fn({
  name: 'revoke_usage',
  args: [{ name: 'role_name', type: 'name' }],
  returns: 'void',
  language: 'plpgsql',
  security: 'invoker',
  body: sqlFile(import.meta.url, 'revoke-usage.sql'),
  doc: 'Takes back what grant_usage() gave; the role\'s jobs not yet started fail with an error that says why. Admin only.',
  example: "SELECT pgdispatch.revoke_usage('anon');",
  audience: 'owner',
  surface: { client: { absent: 'an admin grant, made once per role in SQL or a migration' }, cli: { absent: 'an admin grant, made once per role in SQL or a migration' } },
});
