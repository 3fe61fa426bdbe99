// pgdispatch retry <id>...: fires jobs that ended without success again, as new jobs.
import { createDispatch } from '../client/create-dispatch.js';
import { jobIdArg } from './args.js';
import { connectFlags, withClient, type Command } from './command.js';
import { UsageError, exitCode } from './exit.js';
import { printJson } from './output.js';

export const retry: Command = {
  name: 'retry',
  summary: 'fire jobs that failed, were cancelled or timed out again, as new jobs',
  usage: '<id>...  [--url URL] [--json]',
  takesIds: 'many',
  flags: { ...connectFlags },
  async run(p, io) {
    if (!p.positionals.length) throw new UsageError('which jobs? give the ids of finished jobs that did not succeed');
    const ids = p.positionals.map(jobIdArg);
    return withClient(p, async (client) => {
      const d = createDispatch(client, { listen: false });
      const retried: { id: string; newId: string }[] = [];
      for (const id of ids) retried.push({ id, newId: await d.retry(id) });
      if (io.json) printJson({ retried });
      for (const r of retried) io.say(`job ${r.id} fired again as job ${r.newId}`);
      return exitCode.ok;
    });
  },
};
