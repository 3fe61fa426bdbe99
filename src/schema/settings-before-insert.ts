// pgdispatch._settings_before_insert: settings keep one row, also across pg_restore.
import { dedent, fn } from '../model/define.js';

export const settingsBeforeInsert = fn({
  name: '_settings_before_insert',
  args: [],
  returns: 'trigger',
  language: 'plpgsql',
  security: 'invoker',
  // pg_restore creates the extension (whose script inserts the default row), then copies the
  // dumped row: the copied row replaces the default one instead of failing on the primary key.
  // A DELETE, not an UPDATE: the update trigger would schedule pg_cron jobs in the middle of a
  // restore (see job-before-insert.sql on why not).
  body: dedent(`
    BEGIN
      DELETE FROM pgdispatch.settings;
      RETURN NEW;
    END
  `),
  doc: 'A new settings row replaces the one there (pg_restore copying the dumped settings).',
  audience: 'owner',
  triggers: dedent(`
    CREATE TRIGGER _settings_before_insert BEFORE INSERT ON pgdispatch.settings
      FOR EACH ROW EXECUTE FUNCTION pgdispatch._settings_before_insert();
  `),
});
