// pgdispatch dashboard: a live web page of the connected role's jobs, labels, schedules (and
// queues), served on 127.0.0.1 with a per-run secret in the URL it prints (src/cli/dashboard/).
import { intFlag } from './args.js';
import { connectFlags, type Command } from './command.js';
import { resolveUrl } from './connect.js';
import { exitCode } from './exit.js';
import { startDashboard } from './dashboard/server.js';

export const dashboard: Command = {
  name: 'dashboard',
  summary: 'serve a live web page of jobs, labels and schedules on 127.0.0.1 (Ctrl-C to stop)',
  usage: '[--port N] [--read-only] [--url URL] [--json]',
  help: [
    '--port N         listen on this port of 127.0.0.1 (default: any free port)',
    '--read-only      show no actions, and refuse them (cancel, retry, pause/resume/run a schedule)',
    'Open the URL it prints: it carries this run\'s secret, without which every request is refused.',
    'The page shows what the role of --url/DATABASE_URL may see, as in SQL.',
  ],
  flags: { ...connectFlags, port: 'string', 'read-only': 'boolean' },
  async run(p, io) {
    const port = intFlag(p, 'port', 0, 0, 65535);
    const url = resolveUrl(typeof p.flags.url === 'string' ? p.flags.url : undefined);
    const d = await startDashboard({ url, port, readOnly: p.flags['read-only'] === true });
    if (io.json) process.stdout.write(`${JSON.stringify({ url: d.url, role: d.caps.role, database: d.caps.database, readOnly: p.flags['read-only'] === true })}\n`);
    io.say(`pg_dispatch dashboard for role ${d.caps.role} on database ${d.caps.database}${p.flags['read-only'] === true ? ' (read-only)' : ''}:\n\n  ${d.url}\n\nOpen it in a browser on this machine (it listens on 127.0.0.1 only). Ctrl-C stops it.`);
    await new Promise<void>((resolve) => {
      const stop = () => { process.removeListener('SIGINT', stop); process.removeListener('SIGTERM', stop); resolve(); };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    await d.close();
    return exitCode.ok;
  },
};
