// pgdispatch upgrade: ALTER EXTENSION pg_dispatch UPDATE (registering the new version with pg_tle
// first when pg_dispatch came through pg_tle).
import { extensionVersion as shipped } from '../client/generated/api.js';
import { connectFlags, extensionVersion, withClient, type Command } from './command.js';
import { CliError, exitCode } from './exit.js';
import { runPgTleBundle, ways } from './install.js';
import { printJson } from './output.js';

export const upgrade: Command = {
  name: 'upgrade',
  summary: `update pg_dispatch to the newest version the server offers (this CLI ships ${shipped})`,
  usage: '[--url URL] [--json]',
  flags: connectFlags,
  async run(p, io) {
    return withClient(p, async (client) => {
      const before = await extensionVersion(client, 'pg_dispatch');
      if (!before) throw new CliError('pg_dispatch is not installed in this database', 'Run: pgdispatch install', exitCode.failure);
      const w = await ways(client);
      if (!w.files && w.pgTle) await runPgTleBundle(client);
      try {
        await client.query('ALTER EXTENSION pg_dispatch UPDATE');
      } catch (e) {
        const err = e as { message?: string; hint?: string };
        throw new CliError(`ALTER EXTENSION pg_dispatch UPDATE failed: ${err.message}`,
          err.hint ?? `Install the files of the new version on the server (dist-sql/ of pg_dispatch ${shipped}) first.`, exitCode.failure);
      }
      const after = await extensionVersion(client, 'pg_dispatch');
      if (io.json) printJson({ from: before, to: after, changed: before !== after });
      io.say(before === after ? `pg_dispatch is already at ${after}, the newest version this server offers.` : `${io.c.green('✓')} pg_dispatch upgraded from ${before} to ${after}.`);
      return exitCode.ok;
    });
  },
};
