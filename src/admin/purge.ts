import { fn, sqlFile } from '../model/define.js';

export const purgeInternal = fn({
  name: '_purge',
  args: [{ name: 'older_than', type: 'interval' }],
  returns: 'bigint',
  language: 'plpgsql',
  security: 'invoker',
  body: sqlFile(import.meta.url, 'purge.sql'),
  doc: 'Deletes finished jobs older than older_than (used by purge() and maintenance).',
  audience: 'owner',
});

export const purge = fn({
  name: 'purge',
  args: [{ name: 'older_than', type: 'interval' }],
  returns: 'bigint',
  language: 'sql',
  security: 'invoker',
  body: 'SELECT pgdispatch._purge(purge.older_than)\n',
  doc: 'Deletes the finished jobs that finished more than `older_than` ago and returns how many. The maintenance job does this every minute with `settings.retention`. Admin only.',
  example: "SELECT pgdispatch.purge('1 day');",
  audience: 'owner',
  surface: { client: { absent: 'an admin task: the maintenance job purges by settings.retention, the CLI on demand' }, cli: 'purge' },
});
