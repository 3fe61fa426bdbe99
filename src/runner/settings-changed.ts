// pgdispatch._settings_changed: Applies a change of settings (the warm runner) at once.
import { fn } from '../model/define.js';

export const settingsChanged = fn({
  name: '_settings_changed', args: [], returns: 'trigger', language: 'plpgsql', security: 'definer',
  body: 'BEGIN\n  PERFORM pgdispatch._service_jobs();\n  RETURN NULL;\nEND\n',
  doc: 'Applies a change of settings (the warm runner) at once.', audience: 'owner',
  triggers: 'CREATE TRIGGER _settings_changed AFTER UPDATE ON pgdispatch.settings\n  FOR EACH STATEMENT EXECUTE FUNCTION pgdispatch._settings_changed();\n',
});
