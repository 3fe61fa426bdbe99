// Carriers: each job due within a minute is carried by its own one-shot pg_cron job.
import { dedent, fn, sqlFile } from '../model/define.js';

export const carrierCommand = fn({
  name: '_carrier_command',
  args: [{ name: 'job_id', type: 'bigint' }],
  returns: 'text',
  language: 'sql',
  volatility: 'immutable',
  security: 'invoker',
  // A DO block rather than a bare CALL: once pg_dispatch is dropped, a carrier left in cron.job
  // removes itself instead of failing every few seconds forever. A CALL from a top-level DO may
  // still COMMIT, which the runner needs.
  body: dedent(`
    SELECT pg_catalog.format(
      'DO $pgdispatch$BEGIN IF pg_catalog.to_regprocedure(''pgdispatch._run(bigint)'') IS NULL '
      'THEN PERFORM cron.unschedule(%L); ELSE CALL pgdispatch._run(%s); END IF; END$pgdispatch$',
      'pgdispatch_job_' || job_id::text, job_id)
  `),
  doc: 'The pg_cron command of a job\'s carrier.',
  audience: 'owner',
});

export const arm = fn({
  name: '_arm',
  args: [
    { name: 'job_id', type: 'bigint' },
    { name: 'run_at', type: 'timestamptz' },
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

export const disarm = fn({
  name: '_disarm',
  args: [{ name: 'job_ids', type: 'bigint[]' }],
  returns: 'integer',
  language: 'plpgsql',
  security: 'invoker',
  body: sqlFile(import.meta.url, 'disarm.sql'),
  doc: 'Removes the carriers of the given jobs in one transaction.',
  audience: 'owner',
});
