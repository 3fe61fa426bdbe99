// pgdispatch._maintain: The maintenance job, once a minute and at server start.
import { proc, sqlFile } from '../model/define.js';

export const maintain = proc({
  name: '_maintain', args: [], language: 'plpgsql', security: 'invoker', pinsPathInBody: true,
  body: sqlFile(import.meta.url, 'maintain.sql'), doc: 'The maintenance job, once a minute and at server start.', audience: 'owner',
});
