// The name this extension was created under: pg_dispatch from files or pg_tle, but database.dev
// installs it as "<handle>@pg_dispatch". Found through the schema it owns, which is always
// pgdispatch (extnamespace is not: it is whatever schema CREATE EXTENSION was given).
import { dedent, fn } from '../model/define.js';

export const extensionName = fn({
  name: '_extension_name',
  args: [],
  returns: 'name',
  language: 'sql',
  volatility: 'stable',
  security: 'invoker',
  body: dedent(`
    SELECT e.extname
      FROM pg_catalog.pg_depend AS d
      JOIN pg_catalog.pg_extension AS e ON e.oid = d.refobjid
     WHERE d.classid = 'pg_catalog.pg_namespace'::pg_catalog.regclass
       AND d.objid = 'pgdispatch'::pg_catalog.regnamespace
       AND d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass
       AND d.deptype = 'e'
  `),
  doc: 'The name of the extension that owns schema pgdispatch (used to add and drop executors).',
  audience: 'owner',
});
