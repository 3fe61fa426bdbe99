// pgdispatch._reboot: At server start: re-arms waiting jobs for their stored time, then maintains.
import { proc, sqlFile } from '../model/define.js';

export const reboot = proc({
  name: '_reboot', args: [], language: 'plpgsql', security: 'invoker', pinsPathInBody: true,
  body: sqlFile(import.meta.url, 'reboot.sql'), doc: 'At server start: re-arms waiting jobs for their stored time, then maintains.', audience: 'owner',
});
