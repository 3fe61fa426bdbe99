// pgdispatch queues [pause|resume NAME]: the caller's queues (an admin: all) with their limits and
// how many of their jobs wait and run; pause or resume one of the caller's own.
import { createDispatch } from '../client/create-dispatch.js';
import type { QueuesRow } from '../client/generated/database.js';
import { connectFlags, withClient, type Command, type Io } from './command.js';
import { UsageError, exitCode } from './exit.js';
import { printJson, table, termWidth } from './output.js';

function render(rows: readonly QueuesRow[], io: Io): string {
  if (rows.length === 0) return 'No queues. Fire a job into one: SELECT pgdispatch.fire(\'SELECT 1\', queue => \'emails\');';
  const c = io.c;
  return table(['NAME', 'ROLE', 'SUB', 'CONCURRENCY', 'PAUSED', 'WAITING', 'RUNNING'], rows.map((q) => [
    q.name, q.role, q.sub ?? '', q.concurrency === null ? 'any' : String(q.concurrency), q.paused ? c.yellow('paused') : '',
    String(q.waiting), String(q.running),
  ]), termWidth(), c);
}

export const queues: Command = {
  name: 'queues',
  summary: 'list queues (limits, waiting, running); pause or resume one: queues pause|resume NAME',
  usage: '[pause NAME | resume NAME] [--url URL] [--json]',
  help: [
    'pause NAME       pause your queue NAME: its jobs wait, holding nothing; running ones finish',
    'resume NAME      resume it: its waiting jobs start, within its concurrency',
  ],
  flags: { ...connectFlags },
  async run(p, io) {
    const [action, name, ...rest] = p.positionals;
    if (action !== undefined && action !== 'pause' && action !== 'resume') throw new UsageError(`unknown action ${action}: pause or resume`);
    if (action !== undefined && (name === undefined || rest.length)) throw new UsageError(`which queue? pgdispatch queues ${action} NAME`);
    return withClient(p, async (client) => {
      const d = createDispatch(client, { listen: false });
      if (action === undefined) {
        const rows = await d.queues();
        if (io.json) printJson(rows);
        else io.say(render(rows, io));
        return exitCode.ok;
      }
      const changed = action === 'pause' ? await d.pauseQueue(name!) : await d.resumeQueue(name!);
      if (io.json) printJson({ queue: name, action, changed });
      else io.say(changed ? `Queue ${name} ${action === 'pause' ? 'paused' : 'resumed'}.` : `Queue ${name} was ${action === 'pause' ? 'paused' : 'not paused'} already.`);
      return exitCode.ok;
    });
  },
};
