// Runner slots: how many sessions run pg_dispatch's jobs at once, and each role's share of them.
// pg_cron's run slots (cron.max_running_jobs) are shared by every pg_cron job of the server; a
// session that runs a job holds one for as long as the job runs. So every runner session first
// claims one of settings.max_runners slots here, and a role gets at most its fair share of them:
// other pg_cron jobs (pg_dispatch's watchdog among them) keep running whatever the jobs do, and
// one role's long jobs cannot hold back another's. A table row, not an advisory lock: every role
// may take any advisory lock, while only pg_dispatch's definer functions may touch this table.
import { dedent, fn, sqlFile, table } from '../model/define.js';

export const slotTable = table({
  name: '_slot',
  doc: 'The runner slots (settings.max_runners of them are used) and the session holding each.',
  ddl: dedent(`
    CREATE TABLE pgdispatch._slot (
      n integer PRIMARY KEY,
      pid integer,
      backend_start timestamptz,
      role_oid oid
    );
    INSERT INTO pgdispatch._slot (n) SELECT pg_catalog.generate_series(1, 64);
  `),
  columns: [],
});

export const claimSlot = fn({
  name: '_claim_slot',
  args: [],
  returns: 'boolean',
  language: 'plpgsql',
  security: 'definer',
  body: sqlFile(import.meta.url, 'claim-slot.sql'),
  doc: 'Claims a runner slot for this session, within its role\'s fair share; false when none is free.',
  audience: 'runner',
});

export const releaseSlot = fn({
  name: '_release_slot',
  args: [],
  returns: 'void',
  language: 'plpgsql',
  security: 'definer',
  body: sqlFile(import.meta.url, 'release-slot.sql'),
  doc: 'Gives this session\'s slot back and arms the carriers of jobs that waited for one.',
  audience: 'runner',
});

export const armWaiting = fn({
  name: '_arm_waiting',
  args: [],
  returns: 'integer',
  language: 'plpgsql',
  security: 'invoker',
  body: sqlFile(import.meta.url, 'arm-waiting.sql'),
  doc: 'Arms the carriers of due jobs that wait for a slot, one per free slot, fairest role first.',
  audience: 'owner',
});
