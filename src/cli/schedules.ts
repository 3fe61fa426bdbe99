// pgdispatch schedules: the caller's schedules (an admin: all) as a table or JSON; --watch keeps
// it on screen, redrawn every --interval and when a job finishes (NOTIFY pgdispatch); off a
// terminal, --watch prints the table again only when it changed.
import type pg from 'pg';
import { createDispatch } from '../client/create-dispatch.js';
import type { SchedulesRow } from '../client/generated/database.js';
import { noticeChannel } from '../client/notices.js';
import { intFlag } from './args.js';
import { connectFlags, withClient, type Command, type Io } from './command.js';
import { exitCode } from './exit.js';
import { ago, printJson, statusColour, table, termWidth } from './output.js';
import { redraw } from './watch-render.js';

/** A PostgreSQL interval as node-postgres reads it, in short: 1h2m, 3.2s. */
function shortInterval(i: SchedulesRow['last_duration']): string {
  if (!i) return '';
  const s = (i.days ?? 0) * 86400 + (i.hours ?? 0) * 3600 + (i.minutes ?? 0) * 60 + (i.seconds ?? 0) + (i.milliseconds ?? 0) / 1000;
  return s < 60 ? `${s.toFixed(s < 10 ? 1 : 0)}s` : s < 3600 ? `${Math.floor(s / 60)}m${Math.round(s % 60)}s` : `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`;
}

function render(rows: readonly SchedulesRow[], io: Io, tty: boolean): string {
  if (rows.length === 0) return 'No schedules. Make one: SELECT pgdispatch.schedule(\'name\', \'*/5 * * * *\', \'SELECT 1\');';
  const c = io.c;
  const when = (d: Date | null) => (d ? (tty ? ago(d).replace(/ ago$/, d.getTime() > Date.now() ? '' : ' ago') : d.toISOString()) : '');
  return table(['NAME', 'EXPRESSION', 'ZONE', 'NEXT', 'LAST', 'STATUS', 'TOOK', 'OK/FAIL/SKIP', 'COMMAND'], rows.map((s) => [
    s.paused ? `${s.name} ${c.dim('(paused)')}` : s.name, s.expression, s.time_zone,
    s.paused ? c.dim('paused') : s.next_run_at ? (tty ? s.next_run_at.toISOString().replace('T', ' ').slice(0, 19) : s.next_run_at.toISOString()) : '',
    when(s.last_started_at), s.last_status ? statusColour(c, s.last_status) : '', shortInterval(s.last_duration),
    `${s.succeeded}/${s.failed}/${s.skipped}`,
    s.last_error ? `${s.command}  ${c.red(`→ ${s.last_error}`)}` : s.command,
  ]), termWidth(), c);
}

export const schedules: Command = {
  name: 'schedules',
  summary: 'list schedules: expression, zone, next and last run, counts (--watch: live)',
  usage: '[--watch] [--interval MS] [--duration SECONDS] [--url URL] [--json]',
  help: [
    '--watch          keep the list on screen, redrawn as jobs finish and every --interval',
    '--interval MS    with --watch, refresh at least this often (default 1000)',
    '--duration S     with --watch, stop after S seconds (default: until Ctrl-C)',
  ],
  flags: { ...connectFlags, watch: 'boolean', interval: 'string', duration: 'string' },
  async run(p, io) {
    const interval = intFlag(p, 'interval', 1000, 100, 3_600_000);
    const seconds = intFlag(p, 'duration', 0, 0, 31_536_000);
    const tty = Boolean(process.stdout.isTTY) && !io.json;
    return withClient(p, async (client) => {
      const d = createDispatch(client, { listen: false });
      if (p.flags.watch !== true) {
        const rows = await d.schedules();
        if (io.json) printJson(rows);
        else io.say(render(rows, io, tty));
        return exitCode.ok;
      }
      return watchSchedules(client, d.schedules, io, tty, interval, seconds);
    });
  },
};

function watchSchedules(client: pg.Client, read: () => Promise<readonly SchedulesRow[]>, io: Io, tty: boolean,
  interval: number, seconds: number): Promise<number> {
  let last = '';
  let busy = false;
  const show = async () => {
    if (busy) return;
    busy = true;
    try {
      const rows = await read();
      const text = io.json ? JSON.stringify(rows) : render(rows, io, tty);
      if (tty) process.stdout.write(redraw(text.split('\n')));
      else if (text !== last) process.stdout.write(`${text}\n${io.json ? '' : '\n'}`);
      last = text;
    } finally {
      busy = false;
    }
  };
  return new Promise<number>((resolve, reject) => {
    const onNotice = (n: pg.Notification) => { if (n.channel === noticeChannel) void show().catch(stop); };
    const timer = setInterval(() => void show().catch(stop), interval);
    const deadline = seconds > 0 ? setTimeout(() => stop(), seconds * 1000) : undefined;
    function stop(e?: unknown): void {
      clearInterval(timer);
      clearTimeout(deadline);
      client.removeListener('notification', onNotice);
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
      if (e !== undefined) reject(e);
      else resolve(exitCode.ok);
    }
    const onSignal = () => stop();
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    client.on('notification', onNotice);
    client.query(`LISTEN ${noticeChannel}`).catch(() => {}).finally(() => void show().catch(stop));
  });
}
