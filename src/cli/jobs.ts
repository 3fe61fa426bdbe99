// pgdispatch jobs: the caller's jobs, newest first, as a table (or JSON), with filters and pages.
import { createDispatch } from '../client/create-dispatch.js';
import type { ListFilter } from '../client/list.js';
import { intFlag, stringFlag, type Parsed } from './args.js';
import { redact } from './connect.js';
import { connectFlags, withClient, type Command } from './command.js';
import { UsageError, exitCode } from './exit.js';
import { filterFlags, filterHelp, readFilter } from './job-filters.js';
import { ago, duration, printJson, statusColour, table, termWidth } from './output.js';
import { shellCommand } from './shell-quote.js';

/**
 * The command for the next page: the same filters (quoted for the shell), the same page size, the
 * cursor. --since is repeated as the time it meant, so the next page is the same list however
 * late it is asked for; --url only when it carries no password (which must not be printed).
 */
function nextPageCommand(p: Parsed, filter: ListFilter, limit: number, cursor: string): string {
  const words = ['pgdispatch', 'jobs'];
  if (filter.status) words.push('--status', ([] as string[]).concat(filter.status).join(','));
  if (filter.label !== undefined) words.push('--label', filter.label);
  if (filter.since) words.push('--since', filter.since.toISOString());
  if (limit !== 20) words.push('--limit', String(limit));
  words.push('--cursor', cursor);
  const url = stringFlag(p, 'url');
  if (url !== undefined) words.push('--url', redact(url) === url ? url : 'URL');
  return shellCommand(words);
}

export const jobs: Command = {
  name: 'jobs',
  summary: 'list jobs, newest first (filters, pages)',
  usage: '[--status S[,S]] [--label PATTERN] [--since WHEN] [--limit N] [--cursor ID] [--url URL] [--json]',
  help: [...filterHelp, '--limit N        jobs per page, 1 to 1000 (default 20)', '--cursor ID      the next page, as printed under the previous one'],
  flags: { ...connectFlags, ...filterFlags, limit: 'string', cursor: 'string' },
  async run(p, io) {
    const filter = readFilter(p);
    const limit = intFlag(p, 'limit', 20, 1, 1000);
    const cursor = stringFlag(p, 'cursor');
    if (cursor !== undefined && !/^\d{1,19}$/.test(cursor)) throw new UsageError(`--cursor takes a job id, not ${JSON.stringify(cursor)}`);
    return withClient(p, async (client) => {
      const d = createDispatch(client, { listen: false });
      const page = await d.list({ ...filter, limit, ...(cursor ? { cursor } : {}) });
      if (io.json) {
        printJson(page);
        return exitCode.ok;
      }
      if (page.jobs.length === 0) {
        io.say('No jobs match.');
        return exitCode.ok;
      }
      const c = io.c;
      // Off a terminal (a file, a pipe, a script) the text stays the same however late it is read.
      const fired = (d: Date) => (process.stdout.isTTY ? ago(d) : d.toISOString());
      io.say(table(['ID', 'STATUS', 'LABEL', 'TRIES', 'FIRED', 'RAN', 'COMMAND / OUTCOME'], page.jobs.map((j) => [
        j.id, statusColour(c, j.status), j.label ?? '', `${j.attempts}/${j.max_attempts}`, fired(j.created_at),
        duration(j.started_at, j.finished_at),
        j.error_sqlstate ? `${j.command}  ${c.red(`→ ${j.error_sqlstate} ${j.error_message ?? ''}`)}` : j.command,
      ]), termWidth(), c));
      if (page.nextCursor) io.say(c.dim(`\nmore: ${nextPageCommand(p, filter, limit, page.nextCursor)}`));
      return exitCode.ok;
    });
  },
};
