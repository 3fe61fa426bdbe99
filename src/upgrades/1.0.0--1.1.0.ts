// pg_dispatch 1.0.0 -> 1.1.0, by model object: the generator renders the DDL and checks these lists
// against dist-sql/pg_dispatch--1.0.0.sql, naming anything left out. Hand SQL moves data only.
import { dedent } from '../model/define.js';
import type { DeltaUpgrade } from '../model/types.js';

export const to110: DeltaUpgrade = {
  from: '1.0.0',
  to: '1.1.0',
  creates: ['retry', '_runner', '_served_role', '_arm_token', '_may_arm', '_runner_for', '_disarm_carriers', 'runner-group',
    '_runner_session', '_slot', '_stay_warm', '_arm_waiting', '_claim_slot', '_release_slot', '_statements'],
  replaces: ['_execute', '_executor_for', '_executor_template', '_job_before_insert', '_job_before_update', '_purge', 'cancel', 'result',
    'snooze', 'status', 'wait', 'jobs', '_user_grants', '_arm', '_disarm', '_forget_runs', '_maintain', '_reboot',
    '_run', '_scrub_session', '_settle_carrier', '_take', '_take_next',
    '_carrier_command', '_busy_carriers', '_start', '_service_jobs'],
  drops: ['_drain_slot', '_warm'],
  alters: ['_job'],
  before: dedent(`
    ALTER TABLE pgdispatch._job ADD COLUMN retry_of bigint;
    -- Jobs belong to their role's identity, not its name (a job of a dropped role keeps oid 0).
    ALTER TABLE pgdispatch._job ADD COLUMN role_oid oid;
    UPDATE pgdispatch._job AS j SET role_oid = coalesce((SELECT r.oid FROM pg_catalog.pg_roles AS r WHERE r.rolname = j.role), 0);
    ALTER TABLE pgdispatch._job ALTER COLUMN role_oid SET NOT NULL;
  `),
  after: dedent(`
    -- Executors made from 1.0.0's template are made anew, each with its role's runner identity; the
    -- carriers of waiting jobs belonged to the owner and now belong to those identities.
    DO $to_1_1$
    DECLARE
      e record;
      j record;
    BEGIN
      FOR e IN SELECT p.oid::pg_catalog.regprocedure AS f, p.proowner
                 FROM pg_catalog.pg_proc AS p
                WHERE p.pronamespace = 'pgdispatch_exec'::pg_catalog.regnamespace AND p.proname LIKE 'run\\_as\\_%' LOOP
        EXECUTE pg_catalog.format('ALTER EXTENSION %I DROP FUNCTION %s', pgdispatch._extension_name(), e.f);
        EXECUTE pg_catalog.format('DROP FUNCTION %s', e.f);
        PERFORM pgdispatch._executor_for(pg_catalog.pg_get_userbyid(e.proowner), true);
      END LOOP;
      FOR j IN SELECT k.id, k.carrier FROM pgdispatch._job AS k WHERE k.carrier IS NOT NULL AND k.status = 'scheduled' LOOP
        PERFORM pgdispatch._unschedule(j.carrier);
        UPDATE pgdispatch._job AS k SET carrier = pgdispatch._arm(k.id, k.run_at, k.role_oid) WHERE k.id = j.id;
      END LOOP;
    END
    $to_1_1$;
  `),
};
