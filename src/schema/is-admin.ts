import { dedent, fn } from '../model/define.js';

export const isAdmin = fn({
  name: '_is_admin',
  args: [],
  returns: 'boolean',
  language: 'sql',
  volatility: 'stable',
  security: 'invoker',
  // Admins are the extension owner and the roles that inherit its rights (superusers included).
  body: dedent(`
    SELECT pg_catalog.pg_has_role(CURRENT_USER, c.relowner, 'USAGE')
      FROM pg_catalog.pg_class AS c WHERE c.oid = 'pgdispatch._job'::pg_catalog.regclass
  `),
  doc: 'Whether the current role sees every job (used by row-level security and the views).',
  audience: 'user',
});
