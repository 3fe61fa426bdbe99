// Carriers: each job due within a minute is carried by its own one-shot pg_cron job.
import { dedent, fn, sqlFile } from '../model/define.js';

export const carrierCommand = fn({
  name: '_carrier_command',
  args: [{ name: 'job_id', type: 'bigint' }],
  returns: 'text',
  language: 'sql',
  volatility: 'immutable',
  security: 'invoker',
  // A DO block rather than a bare CALL: once pg_dispatch is dropped without its uninstall script,
  // a carrier left in cron.job does nothing (its runner identity may not touch schema cron, so it
  // cannot remove itself: the uninstall script, or the next install, does). A CALL from a
  // top-level DO may still COMMIT, which the runner needs.
  body: dedent(`
    SELECT pg_catalog.format(
      'DO $pgdispatch$BEGIN IF pg_catalog.to_regprocedure(''pgdispatch._run(bigint)'') IS NULL THEN '
      'RAISE WARNING ''pg_dispatch is gone: this carrier (%s) is left over'' USING HINT = ''Install pg_dispatch again, or run its uninstall script, to remove it.''; '
      'ELSE CALL pgdispatch._run(%s); END IF; END$pgdispatch$',
      'pgdispatch_job_' || job_id::text, job_id)
  `),
  doc: 'The pg_cron command of a job\'s carrier.',
  audience: 'runner',
});

export const arm = fn({
  name: '_arm',
  args: [
    { name: 'job_id', type: 'bigint' },
    { name: 'run_at', type: 'timestamptz' },
    { name: 'job_role', type: 'oid' },
  ],
  returns: 'bigint',
  language: 'plpgsql',
  security: 'invoker',
  body: sqlFile(import.meta.url, 'arm.sql'),
  doc: 'Schedules the carrier of a job due within a minute; returns its pg_cron job id, or NULL.',
  audience: 'owner',
});

export const unschedule = fn({
  name: '_unschedule',
  args: [{ name: 'cron_job', type: 'bigint' }],
  returns: 'boolean',
  language: 'plpgsql',
  security: 'invoker',
  body: sqlFile(import.meta.url, 'unschedule.sql'),
  doc: 'cron.unschedule that accepts a job already gone.',
  audience: 'owner',
});

export const disarmCarriers = fn({
  name: '_disarm_carriers',
  args: [{ name: 'job_role', type: 'oid' }, { name: 'cron_jobs', type: 'bigint[]' }],
  returns: 'bigint',
  language: 'plpgsql',
  security: 'invoker',
  // Carriers belong to the role's runner identity, and pg_cron lets only a job's user remove it.
  body: dedent(`
    DECLARE
      removed bigint;
    BEGIN
      IF pg_catalog.to_regprocedure(pg_catalog.format('pgdispatch_exec.%I(bigint[])', 'disarm_' || job_role::text)) IS NULL THEN
        RETURN 0;  -- the runner identity is gone, and its carriers with it (revoke_usage)
      END IF;
      EXECUTE pg_catalog.format('SELECT pgdispatch_exec.%I($1)', 'disarm_' || job_role::text) INTO removed USING cron_jobs;
      RETURN removed;
    END
  `),
  doc: 'Removes carriers of a role, through its runner identity.',
  audience: 'owner',
});

export const disarm = fn({
  name: '_disarm',
  args: [{ name: 'job_ids', type: 'bigint[]' }],
  returns: 'integer',
  language: 'plpgsql',
  security: 'definer',
  body: sqlFile(import.meta.url, 'disarm.sql'),
  doc: 'Removes the carriers of the given jobs in one transaction (a runner: only of its own role).',
  audience: 'runner',
});
