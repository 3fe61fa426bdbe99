// pgdispatch cancel <id>... | --label PATTERN: cancels jobs not yet finished.
import { createDispatch } from '../client/create-dispatch.js';
import { JobNotFoundError } from '../client/errors.js';
import { jobIdArg, stringFlag } from './args.js';
import { connectFlags, withClient, type Command } from './command.js';
import { UsageError, exitCode } from './exit.js';
import { printJson } from './output.js';

export const cancel: Command = {
  name: 'cancel',
  summary: 'cancel jobs by id, or every unfinished job whose label matches',
  usage: '<id>... | --label PATTERN  [--url URL] [--json]',
  help: ['--label PATTERN  a LIKE pattern, e.g. billing/%'],
  flags: { ...connectFlags, label: 'string' },
  takesIds: 'many',
  async run(p, io) {
    const label = stringFlag(p, 'label');
    if (label !== undefined && p.positionals.length) throw new UsageError('give job ids or --label, not both');
    if (label === undefined && !p.positionals.length) throw new UsageError('which jobs? give job ids or --label PATTERN');
    const ids = p.positionals.map(jobIdArg);
    return withClient(p, async (client) => {
      const d = createDispatch(client, { listen: false });
      if (label !== undefined) {
        const n = await d.cancelByLabel(label);
        if (io.json) printJson({ cancelled: n });
        io.say(`${n} job(s) cancelled.`);
        return exitCode.ok;
      }
      const cancelled: string[] = [];
      const finished: string[] = [];
      const notFound: string[] = [];
      for (const id of ids) {
        try {
          ((await d.cancel(id)) ? cancelled : finished).push(id);
        } catch (e) {
          if (!(e instanceof JobNotFoundError)) throw e;
          notFound.push(id);
        }
      }
      if (io.json) printJson({ cancelled, alreadyFinished: finished, notFound });
      for (const id of cancelled) io.say(`job ${id} cancelled`);
      for (const id of finished) io.say(`job ${id} had already finished: nothing changed`);
      for (const id of notFound) process.stderr.write(`pgdispatch: no job ${id} (a role sees only the jobs it fired, an end user only their own; finished jobs are purged after settings.retention)\n`);
      return notFound.length ? exitCode.failure : exitCode.ok;
    });
  },
};
