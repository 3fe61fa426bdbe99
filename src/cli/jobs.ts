// pgdispatch jobs: the caller's jobs, newest first, as a table (or JSON), with filters and pages.
import { createDispatch } from '../client/create-dispatch.js';
import { intFlag, stringFlag } from './args.js';
import { connectFlags, withClient, type Command } from './command.js';
import { UsageError, exitCode } from './exit.js';
import { filterFlags, filterHelp, readFilter } from './job-filters.js';
import { ago, duration, printJson, statusColour, table, termWidth } from './output.js';

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
      io.say(table(['ID', 'STATUS', 'LABEL', 'TRIES', 'FIRED', 'RAN', 'COMMAND / OUTCOME'], page.jobs.map((j) => [
        j.id, statusColour(c, j.status), j.label ?? '', `${j.attempts}/${j.max_attempts}`, ago(j.created_at),
        duration(j.started_at, j.finished_at),
        j.error_sqlstate ? `${j.command}  ${c.red(`→ ${j.error_sqlstate} ${j.error_message ?? ''}`)}` : j.command,
      ]), termWidth(), c));
      if (page.nextCursor) io.say(c.dim(`\nmore: pgdispatch jobs --cursor ${page.nextCursor}${limit !== 20 ? ` --limit ${limit}` : ''}`));
      return exitCode.ok;
    });
  },
};
