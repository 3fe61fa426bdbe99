// pg_dispatch 1.0.0 -> 1.1.0, by model object: the generator renders the DDL and checks these lists
// against dist-sql/pg_dispatch--1.0.0.sql, naming anything left out. Hand SQL moves data only.
import { dedent } from '../model/define.js';
import type { DeltaUpgrade } from '../model/types.js';
import { jobPolicySql } from '../schema/job-table.js';

// The carried settings' default before 1.1.0, which carried request.headers (bearer token, cookies).
const carried100 = "ARRAY['request.jwt.claims', 'request.jwt.claim.sub', 'request.jwt.claim.role', 'request.method', 'request.path', 'request.headers']";
const carried110 = "ARRAY['request.jwt.claims', 'request.jwt.claim.sub', 'request.jwt.claim.role', 'request.method', 'request.path']";

export const to110: DeltaUpgrade = {
  from: '1.0.0',
  to: '1.1.0',
  creates: ['retry', '_runner', '_served_role', '_arm_token', '_may_arm', '_runner_for', '_disarm_carriers', 'runner-group',
    '_runner_session', '_slot', '_stay_warm', '_arm_waiting', '_claim_slot', '_release_slot', '_statements',
    'role_quotas', '_pending_bound', '_stop_runner', '_waiting_role', '_fresh_transaction', '_fair_share'],
  replaces: ['_execute', '_executor_for', '_executor_template', '_job_before_insert', '_job_before_update', '_purge', 'cancel', 'result',
    'snooze', 'status', 'wait', 'jobs', '_user_grants', '_arm', '_disarm', '_forget_runs', '_maintain', '_reboot',
    '_run', '_scrub_session', '_settle_carrier', '_take', '_take_next',
    '_carrier_command', '_busy_carriers', '_start', '_service_jobs', 'stats', 'fire_at', '_watch'],
  drops: ['_drain_slot', '_warm'],
  alters: ['_job', 'settings', 'job-policy'],
  before: dedent(`
    ALTER TABLE pgdispatch._job ADD COLUMN retry_of bigint;
    -- Jobs belong to their role's identity, not its name (a job of a dropped role keeps oid 0).
    ALTER TABLE pgdispatch._job ADD COLUMN role_oid oid;
    UPDATE pgdispatch._job AS j SET role_oid = coalesce((SELECT r.oid FROM pg_catalog.pg_roles AS r WHERE r.rolname = j.role), 0);
    ALTER TABLE pgdispatch._job ALTER COLUMN role_oid SET NOT NULL;
    -- Quotas: defaults in settings; jobs know their end user.
    ALTER TABLE pgdispatch.settings
      ADD COLUMN max_pending_jobs integer NOT NULL DEFAULT 100000 CONSTRAINT settings_max_pending_jobs CHECK (max_pending_jobs >= 0),
      ADD COLUMN max_command_bytes integer NOT NULL DEFAULT 1048576 CONSTRAINT settings_max_command_bytes CHECK (max_command_bytes >= 1),
      ADD COLUMN max_result_bytes integer NOT NULL DEFAULT 10485760 CONSTRAINT settings_max_result_bytes CHECK (max_result_bytes >= 0);
    ALTER TABLE pgdispatch._job ADD COLUMN sub text;
    CREATE INDEX _job_pending ON pgdispatch._job (role_oid, id) WHERE status IN ('scheduled', 'running');
    -- request.headers (bearer token, cookies) is no longer carried by default: an install that
    -- kept the old default gets the new one, and its finished jobs lose the headers they kept.
    -- (Without the settings trigger: it would schedule the service jobs, which come with the first
    -- job, never with an install or an upgrade.)
    ALTER TABLE pgdispatch.settings ALTER COLUMN carried_settings SET DEFAULT ${carried110};
    ALTER TABLE pgdispatch.settings DISABLE TRIGGER _settings_changed;
    WITH changed AS (
      UPDATE pgdispatch.settings SET carried_settings = ${carried110} WHERE carried_settings = ${carried100} RETURNING 1
    )
    UPDATE pgdispatch._job AS j SET settings = j.settings - 'request.headers'
     WHERE j.status NOT IN ('scheduled', 'running') AND j.settings ? 'request.headers' AND EXISTS (SELECT 1 FROM changed);
    ALTER TABLE pgdispatch.settings ENABLE TRIGGER _settings_changed;
    -- Jobs fired before 1.1.0 get their end user from the JWT claims they carried.
    DO $to_1_1_sub$
    DECLARE
      j record;
    BEGIN
      BEGIN
        UPDATE pgdispatch._job AS k
           SET sub = coalesce(nullif(nullif(k.settings ->> 'request.jwt.claims', '')::jsonb ->> 'sub', ''),
                              nullif(k.settings ->> 'request.jwt.claim.sub', ''))
         WHERE k.settings ?| ARRAY['request.jwt.claims', 'request.jwt.claim.sub'];
      EXCEPTION WHEN invalid_text_representation THEN
        -- Some job carried claims that are not JSON (set by hand): job by job, and such claims
        -- name no end user (the job stays visible to its role's sessions without claims).
        FOR j IN SELECT k.id FROM pgdispatch._job AS k WHERE k.settings ?| ARRAY['request.jwt.claims', 'request.jwt.claim.sub'] LOOP
          BEGIN
            UPDATE pgdispatch._job AS k
               SET sub = coalesce(nullif(nullif(k.settings ->> 'request.jwt.claims', '')::jsonb ->> 'sub', ''),
                                  nullif(k.settings ->> 'request.jwt.claim.sub', ''))
             WHERE k.id = j.id;
          EXCEPTION WHEN invalid_text_representation THEN
            UPDATE pgdispatch._job AS k SET sub = nullif(k.settings ->> 'request.jwt.claim.sub', '') WHERE k.id = j.id;
          END;
        END LOOP;
      END;
    END
    $to_1_1_sub$;
  `),
  after: dedent(`
    -- Row-level security by role OID and end user.
    DROP POLICY _job_own_rows ON pgdispatch._job;
    ${jobPolicySql.trimEnd().replace(/\n/g, '\n    ')}
    -- Users read every column of _job but the carried settings: the table-wide SELECT goes, and
    -- the refreshed grants below give the columns.
    DO $to_1_1_select$
    DECLARE
      grantee name;
    BEGIN
      FOR grantee IN
        SELECT r.rolname
          FROM pg_catalog.pg_namespace AS n
         CROSS JOIN LATERAL pg_catalog.aclexplode(n.nspacl) AS a
          JOIN pg_catalog.pg_roles AS r ON r.oid = a.grantee
         WHERE n.nspname = 'pgdispatch' AND a.privilege_type = 'USAGE' AND a.grantee <> n.nspowner
      LOOP
        EXECUTE pg_catalog.format('REVOKE SELECT ON TABLE pgdispatch._job FROM %I', grantee);
      END LOOP;
    END
    $to_1_1_select$;
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
