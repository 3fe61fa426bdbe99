// pgdispatch._bind_args: a job's arguments as the EXECUTE of its prepared command.
import { dedent, fn } from '../model/define.js';

export const bindArgs = fn({
  name: '_bind_args',
  args: [{ name: 'args', type: 'jsonb' }],
  returns: 'text',
  language: 'sql',
  volatility: 'immutable',
  security: 'invoker',
  // Each value is a quoted literal (or NULL), never SQL: an untyped literal takes the type that
  // PREPARE gave its parameter, as a client's bound parameter does. A JSON string binds its text,
  // any other JSON value its JSON text ('42', 'true', '{"a": 1}').
  body: dedent(`
    SELECT 'EXECUTE pgdispatch_args' || coalesce(
      '(' || (SELECT pg_catalog.string_agg(
                       CASE pg_catalog.jsonb_typeof(a.v)
                         WHEN 'null' THEN 'NULL'
                         WHEN 'string' THEN pg_catalog.quote_literal(a.v #>> '{}')
                         ELSE pg_catalog.quote_literal(a.v::text) END, ', ' ORDER BY a.i)
                FROM pg_catalog.jsonb_array_elements(args) WITH ORDINALITY AS a(v, i)) || ')', '')
  `),
  doc: 'The EXECUTE statement that runs a job\'s prepared command with its arguments, each a quoted literal.',
  audience: 'owner',
});
