// pgdispatch._ensure_watchdog: Schedules the watchdog unless it is there.
import { dedent, fn } from '../model/define.js';

export const ensureWatchdog = fn({
  name: '_ensure_watchdog',
  args: [],
  returns: 'void',
  language: 'plpgsql',
  security: 'invoker',
  body: dedent(`
    BEGIN
      IF NOT EXISTS (SELECT 1 FROM cron.job AS c WHERE c.jobname = 'pgdispatch_watchdog' AND c.username = CURRENT_USER) THEN
        PERFORM cron.schedule('pgdispatch_watchdog', '1 seconds', pgdispatch._service_command('_watch'));
      END IF;
    END
  `),
  doc: 'Schedules the watchdog unless it is there.',
  audience: 'owner',
});
