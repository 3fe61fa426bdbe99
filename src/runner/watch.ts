// pgdispatch._watch: The watchdog: stops jobs that overrun their timeout.
import { proc, sqlFile } from '../model/define.js';

export const watch = proc({
  name: '_watch', args: [], language: 'plpgsql', security: 'invoker', pinsPathInBody: true,
  body: sqlFile(import.meta.url, 'watch.sql'), doc: 'The watchdog: stops jobs that overrun their timeout.', audience: 'owner',
});
