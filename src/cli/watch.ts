// pgdispatch watch: a live view of jobs as they move, with counts per status. Woken by pg_dispatch's
// completion notices, refreshed every --interval as well (new jobs send no notice). On a terminal
// the screen is redrawn; otherwise (and with --json, as one JSON object a line) each change is printed.
import type pg from 'pg';
import { jobStatuses } from '../client/generated/api.js';
import { noticeChannel } from '../client/notices.js';
import { intFlag } from './args.js';
import { connectFlags, withClient, type Command, type Io } from './command.js';
import { UsageError, exitCode } from './exit.js';
import { filterFlags, filterHelp, readFilter } from './job-filters.js';
import { ago, duration, statusColour, table, termWidth } from './output.js';

interface Row {
  id: string; status: string; label: string | null; command: string; attempts: number; max_attempts: number;
  created_at: Date; started_at: Date | null; finished_at: Date | null; error_sqlstate: string | null; error_message: string | null;
}

async function snapshot(client: pg.Client, where: string, values: unknown[]): Promise<{ jobs: Row[]; counts: Record<string, number> }> {
  const jobs = await client.query<Row>(`
    SELECT id, status, label, command, attempts, max_attempts, created_at, started_at, finished_at, error_sqlstate, error_message
      FROM pgdispatch.jobs
     WHERE (status IN ('scheduled', 'running') OR finished_at > now() - interval '10 minutes')${where}
     ORDER BY id DESC LIMIT 500`, values);
  const counts = await client.query<{ status: string; n: number }>(
    `SELECT status, count(*)::int AS n FROM pgdispatch.jobs WHERE true${where} GROUP BY status`, values);
  const c: Record<string, number> = Object.fromEntries(jobStatuses.map((s) => [s, 0]));
  for (const r of counts.rows) c[r.status] = r.n;
  return { jobs: jobs.rows, counts: c };
}

const countsLine = (io: Io, counts: Record<string, number>): string =>
  jobStatuses.map((s) => `${statusColour(io.c, s)} ${counts[s] ?? 0}`).join('  ');

export const watch: Command = {
  name: 'watch',
  summary: 'live view of jobs as they move, with counts per status (Ctrl-C to stop)',
  usage: '[--status S[,S]] [--label PATTERN] [--since WHEN] [--interval MS] [--duration SECONDS] [--url URL] [--json]',
  help: [...filterHelp, '--interval MS    refresh at least this often (default 1000; notices refresh at once)', '--duration S     stop after S seconds (default: until Ctrl-C)', '--json           one JSON object a line per change: {"type":"job",...} or {"type":"counts",...}'],
  flags: { ...connectFlags, ...filterFlags, interval: 'string', duration: 'string' },
  async run(p, io) {
    const filter = readFilter(p);
    const interval = intFlag(p, 'interval', 1000, 100, 3_600_000);
    const seconds = intFlag(p, 'duration', 0, 0, 31_536_000);
    const values: unknown[] = [];
    let where = '';
    if (filter.status) { values.push(filter.status); where += ` AND status = ANY($${values.length}::text[])`; }
    if (filter.label !== undefined) { values.push(filter.label); where += ` AND label LIKE $${values.length}`; }
    if (filter.since) { values.push(filter.since); where += ` AND created_at >= $${values.length}`; }
    const tty = Boolean(process.stdout.isTTY) && !io.json;
    const emit = (o: object) => process.stdout.write(`${JSON.stringify(o)}\n`);

    return withClient(p, async (client) => {
      const seen = new Map<string, string>();
      let lastCounts = '';
      let first = true;
      const refresh = async (): Promise<void> => {
        const { jobs, counts } = await snapshot(client, where, values);
        const now = new Date();
        if (tty) {
          const rows = Math.max(5, (process.stdout.rows || 30) - 6);
          const head = `${io.c.bold('pgdispatch watch')}  ${client.database ?? ''}  ${now.toLocaleTimeString()}  ${io.c.dim('(Ctrl-C to stop)')}`;
          const body = jobs.length ? table(['ID', 'STATUS', 'LABEL', 'TRIES', 'FIRED', 'RAN', 'COMMAND / OUTCOME'], jobs.slice(0, rows).map((j) => [
            j.id, statusColour(io.c, j.status), j.label ?? '', `${j.attempts}/${j.max_attempts}`, ago(j.created_at, now.getTime()),
            duration(j.started_at, j.finished_at), j.error_sqlstate ? `${j.command}  ${io.c.red(`→ ${j.error_sqlstate} ${j.error_message ?? ''}`)}` : j.command,
          ]), termWidth(), io.c) : io.c.dim('No job is scheduled, running, or finished in the last 10 minutes.');
          process.stdout.write(`\x1b[H\x1b[2J${head}\n${countsLine(io, counts)}\n\n${body}\n`);
          return;
        }
        for (const j of [...jobs].reverse()) {
          const before = seen.get(j.id);
          if (before === j.status) continue;
          seen.set(j.id, j.status);
          if (first && !['scheduled', 'running'].includes(j.status)) continue; // only what is moving at start
          if (io.json) emit({ type: 'job', at: now.toISOString(), id: j.id, label: j.label, from: before ?? null, to: j.status, ...(j.error_sqlstate ? { sqlstate: j.error_sqlstate, message: j.error_message } : {}) });
          else io.say(`${now.toLocaleTimeString()}  job ${j.id}${j.label ? ` [${j.label}]` : ''}  ${before ? `${before} → ` : ''}${statusColour(io.c, j.status)}${j.error_sqlstate ? `  ${j.error_sqlstate} ${j.error_message ?? ''}` : ''}`);
        }
        const cl = JSON.stringify(counts);
        if (cl !== lastCounts) {
          lastCounts = cl;
          if (io.json) emit({ type: 'counts', at: now.toISOString(), counts });
          else io.say(`${now.toLocaleTimeString()}  ${countsLine(io, counts)}`);
        }
        first = false;
      };

      return new Promise<number>((resolve, reject) => {
        let timer: NodeJS.Timeout | undefined;
        let running = false;
        let again = false;
        let stopped = false;
        const tick = async (): Promise<void> => {
          if (stopped) return;
          if (running) { again = true; return; }
          running = true;
          clearTimeout(timer);
          try {
            await refresh();
          } catch (e) {
            stop();
            reject(e);
            return;
          } finally {
            running = false;
          }
          if (stopped) return;
          if (again) { again = false; void tick(); return; }
          timer = setTimeout(() => void tick(), interval);
        };
        const onNotice = (n: pg.Notification) => { if (n.channel === noticeChannel) void tick(); };
        const stop = (): void => {
          if (stopped) return;
          stopped = true;
          clearTimeout(timer);
          client.removeListener('notification', onNotice);
          process.removeListener('SIGINT', finish);
          process.removeListener('SIGTERM', finish);
        };
        const finish = (): void => { stop(); resolve(exitCode.ok); };
        process.on('SIGINT', finish);
        process.on('SIGTERM', finish);
        if (seconds > 0) setTimeout(finish, seconds * 1000).unref();
        client.on('notification', onNotice);
        client.query(`LISTEN ${noticeChannel}`).catch(() => { /* polling only */ }).finally(() => void tick());
      });
    });
  },
};
