// The triggers on pgdispatch._job: the bridge from the firing role's rights to the owner's.
import { dedent, fn, sqlFile } from '../model/define.js';

export const jobBeforeInsert = fn({
  name: '_job_before_insert',
  args: [],
  returns: 'trigger',
  language: 'plpgsql',
  security: 'definer',
  body: sqlFile(import.meta.url, 'job-before-insert.sql'),
  doc: 'Checks a new job, captures its request context and schedules its carrier.',
  audience: 'owner',
  triggers: dedent(`
    CREATE TRIGGER _job_before_insert BEFORE INSERT ON pgdispatch._job
      FOR EACH ROW EXECUTE FUNCTION pgdispatch._job_before_insert();
  `),
});

export const jobBeforeUpdate = fn({
  name: '_job_before_update',
  args: [],
  returns: 'trigger',
  language: 'plpgsql',
  security: 'definer',
  body: sqlFile(import.meta.url, 'job-before-update.sql'),
  doc: 'Turns a cancel request into a cancelled job: removes its carrier, interrupts its runner.',
  audience: 'owner',
  triggers: dedent(`
    CREATE TRIGGER _job_before_update BEFORE UPDATE OF cancel_requested_at ON pgdispatch._job
      FOR EACH ROW EXECUTE FUNCTION pgdispatch._job_before_update();
  `),
});
