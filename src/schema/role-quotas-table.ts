// Per-role quotas, overriding the defaults in pgdispatch.settings. An admin edits it with plain SQL:
//   INSERT INTO pgdispatch.role_quotas (role, max_pending_jobs) VALUES ('authenticated', 1000)
//     ON CONFLICT (role) DO UPDATE SET max_pending_jobs = excluded.max_pending_jobs;
// Keyed by the role's OID (regrole): renaming a role keeps its quotas, and a role dropped and made
// again under the same name does not inherit them. Like settings, it is granted to no one: admins
// (the extension owner and the roles that inherit its rights) own it.
import { dedent, table } from '../model/define.js';

export const roleQuotasTable = table({
  name: 'role_quotas',
  doc: 'Per-role quotas an admin sets; NULL (or no row) means the default in pgdispatch.settings.',
  ddl: dedent(`
    CREATE TABLE pgdispatch.role_quotas (
      role regrole PRIMARY KEY,
      max_pending_jobs integer CONSTRAINT role_quotas_max_pending_jobs CHECK (max_pending_jobs >= 0),
      max_command_bytes integer CONSTRAINT role_quotas_max_command_bytes CHECK (max_command_bytes >= 1),
      max_result_bytes integer CONSTRAINT role_quotas_max_result_bytes CHECK (max_result_bytes >= 0)
    );
  `),
  // Kept by pg_dump; a regrole is dumped as the role's name, so a restore binds it by name.
  dumpFilter: '',
  columns: [
    { name: 'role', type: 'regrole', nullable: false, doc: 'The role (stored as its OID; write its name).' },
    { name: 'max_pending_jobs', type: 'integer', nullable: true, doc: 'Its jobs scheduled or running at once; 0 stops it firing (NULL: settings.max_pending_jobs).' },
    { name: 'max_command_bytes', type: 'integer', nullable: true, doc: 'Bytes of one command (NULL: settings.max_command_bytes).' },
    { name: 'max_result_bytes', type: 'integer', nullable: true, doc: 'Bytes of one result\'s rows as JSON text (NULL: settings.max_result_bytes).' },
  ],
});
