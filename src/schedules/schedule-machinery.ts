// The machinery of schedules: occurrences made one at a time, and what happens when one starts
// or ends. Every piece runs as the extension owner (definer triggers, the maintenance job).
import { dedent, fn, sqlFile } from '../model/define.js';
import { callerSub } from '../schema/visibility.js';
import { sqlList } from '../model/statuses.js';
import { misfirePolicies, overlapPolicies } from './schedule-table.js';

const definition = ['expression', 'time_zone', 'command', 'label', 'timeout', 'max_attempts', 'search_path', 'overlap', 'misfire'];
const redefined = `(${definition.map((c) => `NEW.${c}`).join(', ')}) IS DISTINCT FROM (${definition.map((c) => `OLD.${c}`).join(', ')})`;
const fill = (sql: string): string => sql
  .replaceAll('{{REDEFINED}}', redefined)
  .replaceAll('{{CALLER_SUB}}', callerSub)
  .replaceAll("'{{OVERLAP}}'", `'${overlapPolicies.join(', ')}'`)
  .replaceAll('{{OVERLAP}}', sqlList(overlapPolicies))
  .replaceAll("'{{MISFIRE}}'", `'${misfirePolicies.join(', ')}'`)
  .replaceAll('{{MISFIRE}}', sqlList(misfirePolicies));

/** The columns whose update is a (re)definition, a pause or resume, or run_schedule_now(). */
const writable = [...definition, 'paused', 'run_requested_at'].join(', ');

export const scheduleOccurrence = fn({
  name: '_schedule_occurrence',
  args: [{ name: 's', type: 'pgdispatch._schedule' }, { name: 'at', type: 'timestamptz' }],
  returns: 'bigint',
  language: 'plpgsql',
  security: 'invoker',
  body: sqlFile(import.meta.url, 'schedule-occurrence.sql'),
  doc: 'Fires an occurrence of a schedule at a time: a job of its role, with its carried request context.',
  audience: 'owner',
});

export const scheduleChain = fn({
  name: '_schedule_chain',
  args: [
    { name: 'schedule_id', type: 'bigint' },
    { name: 'after', type: 'timestamptz' },
    { name: 'catch_up', type: 'boolean' },
    { name: 'strict', type: 'boolean' },
  ],
  returns: 'bigint',
  language: 'plpgsql',
  security: 'invoker',
  body: sqlFile(import.meta.url, 'schedule-chain.sql'),
  doc: 'Makes the next occurrence of a schedule and records it as the one waiting; returns its job id.',
  audience: 'owner',
});

export const scheduleBeforeWrite = fn({
  name: '_schedule_before_write',
  args: [],
  returns: 'trigger',
  language: 'plpgsql',
  security: 'definer',
  body: fill(sqlFile(import.meta.url, 'schedule-before-write.sql')),
  doc: 'Checks a schedule\'s definition, records its role and end user, captures its request context; makes run_schedule_now()\'s occurrence.',
  audience: 'owner',
  triggers: dedent(`
    CREATE TRIGGER _schedule_before_write BEFORE INSERT OR UPDATE OF ${writable} ON pgdispatch._schedule
      FOR EACH ROW EXECUTE FUNCTION pgdispatch._schedule_before_write();
  `),
});

export const scheduleAfterWrite = fn({
  name: '_schedule_after_write',
  args: [],
  returns: 'trigger',
  language: 'plpgsql',
  security: 'definer',
  body: fill(sqlFile(import.meta.url, 'schedule-after-write.sql')),
  doc: 'Replaces the waiting occurrence of a schedule defined, redefined, paused or resumed.',
  audience: 'owner',
  triggers: dedent(`
    CREATE TRIGGER _schedule_after_write AFTER INSERT OR UPDATE OF ${writable} ON pgdispatch._schedule
      FOR EACH ROW EXECUTE FUNCTION pgdispatch._schedule_after_write();
  `),
});

export const scheduleAfterDelete = fn({
  name: '_schedule_after_delete',
  args: [],
  returns: 'trigger',
  language: 'plpgsql',
  security: 'definer',
  body: sqlFile(import.meta.url, 'schedule-after-delete.sql'),
  doc: 'Cancels the occurrences of a removed schedule that have not started.',
  audience: 'owner',
  triggers: dedent(`
    CREATE TRIGGER _schedule_after_delete AFTER DELETE ON pgdispatch._schedule
      FOR EACH ROW EXECUTE FUNCTION pgdispatch._schedule_after_delete();
  `),
});

// Triggers on pgdispatch._job, so that the runner's own files need no line for schedules: their
// WHEN clauses keep them off every job that is not an occurrence.
export const occurrenceStart = fn({
  name: '_occurrence_start',
  args: [],
  returns: 'trigger',
  language: 'plpgsql',
  security: 'definer',
  body: sqlFile(import.meta.url, 'occurrence-start.sql'),
  doc: 'When an occurrence starts: makes the next one, and applies the schedule\'s misfire and overlap policies.',
  audience: 'owner',
  triggers: dedent(`
    CREATE TRIGGER _occurrence_start BEFORE UPDATE ON pgdispatch._job
      FOR EACH ROW WHEN (NEW.schedule_id IS NOT NULL AND OLD.status = 'scheduled' AND NEW.status = 'running' AND OLD.attempts = 0)
      EXECUTE FUNCTION pgdispatch._occurrence_start();
  `),
});

export const occurrenceEnd = fn({
  name: '_occurrence_end',
  args: [],
  returns: 'trigger',
  language: 'plpgsql',
  security: 'definer',
  body: sqlFile(import.meta.url, 'occurrence-end.sql'),
  doc: 'When an occurrence ends: starts the one queued behind it; makes the next one if the waiting one was cancelled.',
  audience: 'owner',
  triggers: dedent(`
    CREATE TRIGGER _occurrence_end AFTER UPDATE ON pgdispatch._job
      FOR EACH ROW WHEN (NEW.schedule_id IS NOT NULL AND OLD.status IN ('scheduled', 'running') AND NEW.status NOT IN ('scheduled', 'running'))
      EXECUTE FUNCTION pgdispatch._occurrence_end();
  `),
});

export const maintainSchedules = fn({
  name: '_maintain_schedules',
  args: [],
  returns: 'integer',
  language: 'plpgsql',
  security: 'invoker',
  body: sqlFile(import.meta.url, 'maintain-schedules.sql'),
  doc: 'Gives every schedule without a waiting occurrence its next one (the maintenance job, once a minute).',
  audience: 'owner',
});
