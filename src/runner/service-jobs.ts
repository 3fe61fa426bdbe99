// pgdispatch._service_jobs: Schedules pg_dispatch's own pg_cron jobs as the settings say.
import { fn, sqlFile } from '../model/define.js';

export const serviceJobs = fn({
  name: '_service_jobs', args: [], returns: 'void', language: 'plpgsql', security: 'invoker',
  body: sqlFile(import.meta.url, 'service-jobs.sql'), doc: 'Schedules pg_dispatch\'s own pg_cron jobs as the settings say.', audience: 'owner',
});
