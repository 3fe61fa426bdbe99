// pgdispatch purge --older-than D: deletes finished jobs that finished more than D ago (admin only).
import { purge as purgeFn } from '../client/generated/api.js';
import { invoke } from '../client/call.js';
import { executor } from '../client/connection.js';
import { durationText, stringFlag } from './args.js';
import { connectFlags, withClient, type Command } from './command.js';
import { UsageError, exitCode } from './exit.js';
import { printJson } from './output.js';

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
      const n = Number(await invoke<string>(executor(client), purgeFn, [olderThan]));
      if (io.json) printJson({ purged: n, olderThan });
      io.say(`${n} finished job(s) older than ${olderThan} deleted.`);
      return exitCode.ok;
    });
  },
};
