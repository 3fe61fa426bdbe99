// The admin's knobs, one row. An admin changes them with a plain UPDATE, e.g.
// UPDATE pgdispatch.settings SET max_result_rows = 5000;
import { dedent, table } from '../model/define.js';

export const settingsTable = table({
  name: 'settings',
  doc: 'Settings an admin can change with UPDATE pgdispatch.settings SET ...; one row.',
  ddl: dedent(`
    CREATE TABLE pgdispatch.settings (
      singleton boolean NOT NULL DEFAULT true PRIMARY KEY CONSTRAINT settings_one_row CHECK (singleton),
      max_result_rows integer NOT NULL DEFAULT 1000 CONSTRAINT settings_max_result_rows CHECK (max_result_rows >= 0),
      retention interval NOT NULL DEFAULT '7 days' CONSTRAINT settings_retention CHECK (retention >= interval '0'),
      default_timeout interval CONSTRAINT settings_default_timeout CHECK (default_timeout > interval '0'),
      retry_base_delay interval NOT NULL DEFAULT '10 seconds' CONSTRAINT settings_retry_base_delay CHECK (retry_base_delay >= interval '0'),
      max_runners integer NOT NULL DEFAULT 4 CONSTRAINT settings_max_runners CHECK (max_runners BETWEEN 1 AND 64),
      carried_settings text[] NOT NULL DEFAULT ARRAY['request.jwt.claims', 'request.jwt.claim.sub', 'request.jwt.claim.role', 'request.method', 'request.path', 'request.headers'],
      warm_runner boolean NOT NULL DEFAULT false
    );
    INSERT INTO pgdispatch.settings DEFAULT VALUES;
  `),
  columns: [
    { name: 'max_result_rows', type: 'integer', nullable: false, doc: 'Rows of a result kept as JSON (default 1000); the row count stays exact.' },
    { name: 'retention', type: 'interval', nullable: false, doc: 'Finished jobs older than this are purged by the maintenance job (default 7 days).' },
    { name: 'default_timeout', type: 'interval', nullable: true, doc: 'Timeout of jobs fired without one (default none).' },
    { name: 'retry_base_delay', type: 'interval', nullable: false, doc: 'Delay before the first retry; doubles at each further attempt (default 10 s).' },
    { name: 'max_runners', type: 'integer', nullable: false, doc: 'Sessions that may drain due jobs at once (default 4); each holds one pg_cron run slot while busy.' },
    { name: 'carried_settings', type: 'text[]', nullable: false, doc: 'Settings captured at fire time and restored inside the job (default: the Supabase/PostgREST request.* settings).' },
    { name: 'warm_runner', type: 'boolean', nullable: false, doc: 'Keep one session polling for due jobs: start latency under 100 ms for one held backend and pg_cron slot (default off).' },
  ],
});
