// pgdispatch purge --older-than D: deletes finished jobs that finished more than D ago (admin only).
import type pg from 'pg';
import { purge as purgeFn } from '../client/generated/api.js';
import { invoke } from '../client/call.js';
import { executor } from '../client/connection.js';
import { durationText, stringFlag } from './args.js';
import { connectFlags, withClient, type Command } from './command.js';
import { CliError, UsageError, exitCode } from './exit.js';
import { printJson } from './output.js';

/**
 * Why purge was refused. purge() is granted to admins only (the extension owner and the roles that
 * inherit its rights); PostgreSQL's "permission denied for function purge" does not say whether
 * the role may use pg_dispatch at all, which changes what to do.
 */
async function notAdmin(client: pg.Client, e: Error): Promise<CliError> {
  // By catalog joins, not to_regclass(): a role without the schema's USAGE is refused those.
  const { rows: [r] } = await client.query<{ me: string; owner: string | null; usage: boolean }>(`
    SELECT current_user AS me,
           (SELECT pg_catalog.pg_get_userbyid(c.relowner) FROM pg_catalog.pg_class AS c JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
             WHERE n.nspname = 'pgdispatch' AND c.relname = '_job') AS owner,
           coalesce((SELECT pg_catalog.has_schema_privilege(n.oid, 'USAGE') AND pg_catalog.has_function_privilege(p.oid, 'EXECUTE')
                       FROM pg_catalog.pg_proc AS p JOIN pg_catalog.pg_namespace AS n ON n.oid = p.pronamespace
                      WHERE n.nspname = 'pgdispatch' AND p.proname = 'fire' LIMIT 1), false) AS usage`);
  const owner = r?.owner ?? 'the extension owner';
  return new CliError(
    `${r!.me} may not purge: purge is for pg_dispatch's admins (${owner}, the roles that inherit its rights, and superusers); ${r!.me} ${r!.usage ? 'may use pg_dispatch (grant_usage), which does not include purge' : 'may not use pg_dispatch at all'} (${e.message})`,
    `Run purge as ${owner} or a superuser, or have one of them make ${r!.me} an admin:  GRANT "${owner}" TO "${r!.me}";  (finished jobs are also purged every minute after settings.retention)`,
    exitCode.failure);
}

export const purge: Command = {
  name: 'purge',
  summary: 'delete finished jobs older than a duration (admins only)',
  usage: '--older-than DURATION [--url URL] [--json]',
  help: ['--older-than D   e.g. 12h, 7d, 2w or \'7 days\'; finished jobs that finished longer ago are deleted'],
  flags: { ...connectFlags, 'older-than': 'string' },
  async run(p, io) {
    const raw = stringFlag(p, 'older-than');
    if (raw === undefined) throw new UsageError('--older-than is required, e.g. --older-than 7d');
    const olderThan = durationText(raw, 'older-than');
    return withClient(p, async (client) => {
      let n: number;
      try {
        n = Number(await invoke<string>(executor(client), purgeFn, [olderThan]));
      } catch (e) {
        const err = e as { sqlstate?: string; code?: string };
        if ((err.sqlstate ?? err.code) === '42501') throw await notAdmin(client, e as Error);
        throw e;
      }
      if (io.json) printJson({ purged: n, olderThan });
      io.say(`${n} finished job(s) older than ${olderThan} deleted.`);
      return exitCode.ok;
    });
  },
};
