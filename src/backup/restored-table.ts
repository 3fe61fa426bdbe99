// Jobs that came back from a dump and are not bound to this cluster's roles yet (see rehome.sql).
import { dedent, table } from '../model/define.js';

export const restoredTable = table({
  name: '_restored',
  doc: 'Jobs restored from a dump, not yet bound to this cluster\'s roles: their role OID and carrier in the dumped cluster.',
  // Not dumped itself: it is filled by the restore (see restored-job.sql) and emptied by _rehome.
  ddl: dedent(`
    CREATE TABLE pgdispatch._restored (
      job_id bigint PRIMARY KEY,
      role_oid oid NOT NULL,
      carrier bigint
    );
  `),
  columns: [],
});
