// Runner slots: how many sessions run pg_dispatch's jobs at once, and each role's share of them.
// pg_cron's run slots (cron.max_running_jobs) are shared by every pg_cron job of the server; a
// session that runs a job holds one for as long as the job runs. So every runner session first
// claims one of settings.max_runners slots here, and a role gets at most its fair share of them:
// other pg_cron jobs (pg_dispatch's watchdog among them) keep running whatever the jobs do, and
// one role's long jobs cannot hold back another's. A table row, not an advisory lock: every role
// may take any advisory lock, while only pg_dispatch's definer functions may touch this table.
import { dedent, fn, sqlFile, table } from '../model/define.js';
import { queueKey } from '../queues/queue-room.js';

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

export const waitingRoleTable = table({
  name: '_waiting_role',
  doc: 'Roles with due jobs that found no free runner slot, since when.',
  // Kept apart from the jobs so that a runner can ask, at every job, whether another role waits
  // (a lookup in a table of a few rows, not a scan of a burst's waiting jobs).
  ddl: dedent(`
    CREATE TABLE pgdispatch._waiting_role (
      role_oid oid PRIMARY KEY,
      since timestamptz NOT NULL
    );
  `),
  columns: [],
});

export const fairShare = fn({
  name: '_fair_share',
  args: [{ name: 'served', type: 'oid' }],
  returns: 'integer',
  language: 'plpgsql',
  volatility: 'stable',
  security: 'invoker',
  // A role alone may hold all slots but one: a role that comes gets that one at once, instead of
  // waiting for one of the first role's jobs to end.
  // PL/pgSQL, whose statements keep their plans: a SQL function called from PL/pgSQL (by
  // _over_share between jobs, by _ride at fire()'s COMMIT) is planned again at every call.
  body: dedent(`
    BEGIN
      RETURN (SELECT CASE WHEN r.roles = 1 THEN GREATEST(1, s.max_runners - 1) ELSE GREATEST(1, s.max_runners / r.roles) END
                FROM pgdispatch.settings AS s,
                     (SELECT pg_catalog.count(*)::integer AS roles FROM (
                        SELECT h.role_oid FROM pgdispatch._slot AS h WHERE h.pid IS NOT NULL
                        UNION SELECT w.role_oid FROM pgdispatch._waiting_role AS w
                        UNION SELECT served) AS u) AS r);
    END
  `),
  doc: 'How many runner slots a role may hold now: max_runners shared by the roles holding or waiting for one.',
  audience: 'owner',
});

export const overShare = fn({
  name: '_over_share',
  args: [{ name: 'served', type: 'oid' }],
  returns: 'boolean',
  language: 'plpgsql',
  security: 'invoker',
  // A runner between jobs of a role that holds more slots than its fair share while another role
  // waits for one stops, so that its slot goes to that role (see _fair_share).
  body: dedent(`
    BEGIN
      RETURN EXISTS (SELECT 1 FROM pgdispatch._waiting_role AS w WHERE w.role_oid <> served)
         AND (SELECT pg_catalog.count(*) FROM pgdispatch._slot AS s WHERE s.pid IS NOT NULL AND s.role_oid = served)
             > pgdispatch._fair_share(served);
    END
  `),
  doc: 'Whether a role holds more runner slots than its fair share while another role waits for one.',
  audience: 'owner',
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
  body: sqlFile(import.meta.url, 'arm-waiting.sql').replaceAll('{{QUEUE_KEY:j}}', queueKey('j')),
  doc: 'Arms the carriers of due jobs that wait for a slot, one per free slot, fairest role first.',
  audience: 'owner',
});
