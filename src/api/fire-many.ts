// pgdispatch.fire_many: a batch of commands in one call, one job each.
import { dedent, fn, sqlFile } from '../model/define.js';
import { jobOptions } from './common-args.js';

const shared = (name: string) => jobOptions.find((a) => a.name === name)!;

export const fireMany = fn({
  name: 'fire_many',
  args: [
    { name: 'commands', type: 'text[]', ts: 'readonly string[]', doc: 'The commands, one job each, in this order.' },
    { name: 'delay', type: 'interval', default: 'NULL', doc: 'How long after now to run them (default: now).' },
    shared('label'),
    shared('timeout'),
    shared('max_attempts'),
    shared('search_path'),
    { name: 'args', type: 'jsonb', default: 'NULL', ts: 'readonly (readonly unknown[] | null)[]', doc: 'One element per command: its arguments (a JSON array, see fire()) or null.' },
    shared('priority'),
    shared('queue'),
  ],
  returns: 'bigint[]',
  language: 'plpgsql',
  security: 'invoker',
  body: sqlFile(import.meta.url, 'fire-many.sql').replace(/\{\{INSERT:(\w+):([^:]+):([^}]+)\}\}/g, (_, into: string, from: string, to: string) => dedent(`
    WITH inserted AS (
      INSERT INTO pgdispatch._job (command, run_at, label, timeout, max_attempts, search_path, args, priority, queue)
      SELECT c.command, pg_catalog.clock_timestamp() + coalesce(fire_many.delay, interval '0'), fire_many.label, fire_many.timeout,
             fire_many.max_attempts, fire_many.search_path, nullif(fire_many.args -> (c.n::integer - 1), 'null'::jsonb), fire_many.priority, fire_many.queue
        FROM pg_catalog.unnest(commands) WITH ORDINALITY AS c(command, n)
       WHERE c.n BETWEEN ${from} AND ${to}
       ORDER BY c.n
      RETURNING pgdispatch._job.id)
    SELECT pg_catalog.array_agg(i.id ORDER BY i.id) INTO ${into} FROM inserted AS i;
  `).trim().replace(/\n/g, '\n  ')),
  doc: dedent(`
    Like fire() for each of \`commands\` (or snooze() with \`delay\`), in one call: returns their
    job ids in the commands' order. All or none: a refused command (or quota) fires none of them.
    Keys are not taken here (fire() them one by one).
  `),
  example: "SELECT pgdispatch.fire_many(ARRAY['SELECT ship_order($1)', 'SELECT ship_order($1)'], args => '[[41], [42]]');",
  audience: 'user',
  surface: { client: 'fireMany', cli: { absent: 'jobs are fired from SQL or the client, in the transaction whose commit starts them' } },
});
