// The cron expression engine, in PL/pgSQL: 5-field expressions, @names and pg_cron's 'N seconds',
// in a time zone of the schedule's own (docs/how-it-works.md#schedules). Pure functions: the tests
// control the clock by passing `after`.
import { fn, sqlFile } from '../model/define.js';

/** The HINT of every refused expression, as a SQL string literal. */
export const cronHint = "'A cron expression has five fields, minute hour day-of-month month day-of-week (e.g. ''30 2 * * *'', ''*/15 9-17 * * mon-fri''), "
  + "or is one of @hourly, @daily, @weekly, @monthly, @yearly, or pg_cron''s ''N seconds'' (1 to 59).'";

const withHint = (sql: string): string => sql.replaceAll('{{CRON_HINT}}', cronHint);

export const cronField = fn({
  name: '_cron_field',
  args: [
    { name: 'expression', type: 'text' },
    { name: 'field', type: 'text' },
    { name: 'what', type: 'text' },
    { name: 'lowest', type: 'integer' },
    { name: 'highest', type: 'integer' },
    { name: 'names', type: 'text[]' },
    { name: 'name_base', type: 'integer' },
  ],
  returns: 'integer[]',
  language: 'plpgsql',
  volatility: 'immutable',
  security: 'invoker',
  body: withHint(sqlFile(import.meta.url, 'cron-field.sql')),
  doc: 'The values one field of a cron expression allows, sorted; raises PD203 on a field it does not understand.',
  audience: 'owner',
});

export const nextOccurrence = fn({
  name: '_next_occurrence',
  args: [
    { name: 'expression', type: 'text' },
    { name: 'time_zone', type: 'text' },
    { name: 'after', type: 'timestamptz' },
  ],
  returns: 'timestamptz',
  language: 'plpgsql',
  // Stable, not immutable: time zone rules come from the server's tz database.
  volatility: 'stable',
  security: 'invoker',
  body: withHint(sqlFile(import.meta.url, 'next-occurrence.sql')),
  doc: 'The first occurrence of a cron expression strictly after `after`, in `time_zone` (NULL when it never matches); PD203/PD204 on a bad expression or zone.',
  audience: 'owner',
});
