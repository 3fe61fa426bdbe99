// pgdispatch watch: a live view of a burst of jobs: done/total, rate and ETA overall and per label,
// the running jobs and the latest finished. Woken by pg_dispatch's completion notices and refreshed
// every --interval as well (new jobs send no notice), but paced (throttle.ts): on a terminal the
// screen is redrawn at most 4 times a second; off a terminal a plain line is printed when counts
// change, at most once per --interval; with --json, one JSON object a line per job move and per
// change of the counts. It ends on Ctrl-C/SIGTERM, after --duration, or with --until-idle once
// no followed job is scheduled or running.
import type pg from 'pg';
import { noticeChannel } from '../client/notices.js';
import { intFlag } from './args.js';
import { connectFlags, withClient, type Command, type Io } from './command.js';
import { exitCode } from './exit.js';
import { filterFlags, filterHelp, readFilter } from './job-filters.js';
import { termWidth } from './output.js';
import { Throttle } from './throttle.js';
import { countsKey, labelName, progressLine, redraw, screen } from './watch-render.js';
import { followed, jobStates, serverNow, snapshot, type Progress, type Scope, type Snapshot } from './watch-snapshot.js';

/** Redraws of a terminal screen at most this often (ms): fast enough to follow, slow enough to read. */
const screenGap = 250;
/** Labels printed per plain refresh at most (the overall line always is). */
const maxLabelLines = 10;

const progressJson = (p: Progress) => ({ done: p.done, total: p.total, counts: p.counts, rate: p.rate, etaSeconds: p.etaSeconds });

export const watch: Command = {
  name: 'watch',
  summary: 'live view of jobs as they move: done/total, rate and ETA per label, running and latest finished (Ctrl-C to stop)',
  usage: '[--status S[,S]] [--label PATTERN] [--since WHEN] [--interval MS] [--duration SECONDS] [--until-idle] [--url URL] [--json]',
  help: [
    ...filterHelp,
    'Follows the jobs fired since --since; without it, those unfinished at start and those fired since.',
    '--interval MS    refresh at least this often (default 1000); off a terminal, print at most this often',
    '--duration S     stop after S seconds (default: until Ctrl-C)',
    '--until-idle     stop once no followed job is scheduled or running',
    '--json           one JSON object a line: {"type":"job",...} per move, {"type":"counts",...} per change',
  ],
  flags: { ...connectFlags, ...filterFlags, interval: 'string', duration: 'string', 'until-idle': 'boolean' },
  async run(p, io) {
    const filter = readFilter(p);
    const interval = intFlag(p, 'interval', 1000, 100, 3_600_000);
    const seconds = intFlag(p, 'duration', 0, 0, 31_536_000);
    const untilIdle = p.flags['until-idle'] === true;
    const tty = Boolean(process.stdout.isTTY) && !io.json;
    return withClient(p, async (client) => {
      const scope = followed(filter, await serverNow(client));
      const view = tty ? terminalView(client, io) : io.json ? jsonView(client, scope) : plainView(io);
      const refresh = async (): Promise<Snapshot> => {
        const s = await snapshot(client, scope, tty ? (process.stdout.rows || 30) : 0);
        await view.show(s);
        return s;
      };
      return new Promise<number>((resolve, reject) => {
        let ended = false;
        const end = (e?: unknown): void => {
          if (ended) return;
          ended = true;
          throttle.stop();
          client.removeListener('notification', onNotice);
          process.removeListener('SIGINT', onSignal);
          process.removeListener('SIGTERM', onSignal);
          clearTimeout(deadline);
          if (e !== undefined) { view.close(); reject(e); return; }
          // The state at the end, once more, so that the output ends with it.
          void (view.final ? snapshot(client, scope, 0).then((s) => view.final!(s)) : Promise.resolve())
            .catch(() => {}).finally(() => { view.close(); resolve(exitCode.ok); });
        };
        const throttle = new Throttle(async () => {
          const s = await refresh();
          if (untilIdle && (s.all.counts.scheduled ?? 0) + (s.all.counts.running ?? 0) === 0) end();
        }, tty || io.json ? Math.min(screenGap, interval) : interval, interval, (e) => end(e));
        const onNotice = (n: pg.Notification) => { if (n.channel === noticeChannel) throttle.request(); };
        const onSignal = (): void => end();
        process.on('SIGINT', onSignal);
        process.on('SIGTERM', onSignal);
        const deadline = seconds > 0 ? setTimeout(() => end(), seconds * 1000) : undefined;
        client.on('notification', onNotice);
        client.query(`LISTEN ${noticeChannel}`).catch(() => { /* polling only */ }).finally(() => { if (!ended) throttle.start(); });
      });
    });
  },
};

/** How snapshots are shown. */
interface View {
  show(s: Snapshot): Promise<void> | void;
  /** Shows the state at the end (plain text only). */
  final?: (s: Snapshot) => void;
  close(): void;
}

function terminalView(client: pg.Client, io: Io): View {
  process.stdout.write('\x1b[?25l'); // no cursor blinking over the table
  return {
    show: (s) => { process.stdout.write(redraw(screen(s, client.database ?? '', io.c, termWidth(), Math.max(10, (process.stdout.rows || 30) - 1)))); },
    close: () => { process.stdout.write('\x1b[?25h'); },
  };
}

/** Off a terminal: a line when the counts change, overall and for each label that changed. */
function plainView(io: Io): View {
  const last = new Map<string, string>();
  const line = (s: Snapshot, name: string, p: Progress) => io.say(`${s.at.toISOString()}  ${progressLine(name, p)}`);
  return {
    show: (s) => {
      const key = countsKey(s.all);
      if (last.get('\0all') === key) return;
      last.set('\0all', key);
      line(s, 'all', s.all);
      if (s.labels.size < 2) return;
      const changed = [...s.labels.entries()].sort((a, b) => a[0].localeCompare(b[0])).filter(([l, p]) => last.get(l) !== countsKey(p));
      for (const [l, p] of changed.slice(0, maxLabelLines)) {
        last.set(l, countsKey(p));
        line(s, `label ${labelName(l)}`, p);
      }
      if (changed.length > maxLabelLines) io.say(`${s.at.toISOString()}  … ${changed.length - maxLabelLines} more label(s) changed`);
    },
    final: (s) => line(s, 'end', s.all),
    close: () => {},
  };
}

/** --json: each job's moves (only what is unfinished at the first look), and the counts when they change. */
function jsonView(client: pg.Client, scope: Scope): View {
  const seen = new Map<string, string>();
  let first = true;
  let lastKey = '';
  const emit = (o: object) => process.stdout.write(`${JSON.stringify(o)}\n`);
  return {
    show: async (s) => {
      const at = s.at.toISOString();
      for (const j of await jobStates(client, scope, 5000)) {
        const before = seen.get(j.id);
        if (before === j.status) continue;
        seen.set(j.id, j.status);
        if (first && !['scheduled', 'running'].includes(j.status)) continue;
        emit({ type: 'job', at, id: j.id, label: j.label, from: before ?? null, to: j.status, ...(j.error_sqlstate ? { sqlstate: j.error_sqlstate, message: j.error_message } : {}) });
      }
      first = false;
      const key = [countsKey(s.all), ...[...s.labels.entries()].map(([l, p]) => `${l}:${countsKey(p)}`)].join('|');
      if (key === lastKey) return;
      lastKey = key;
      emit({ type: 'counts', at, ...progressJson(s.all), labels: Object.fromEntries([...s.labels.entries()].map(([l, p]) => [l, progressJson(p)])) });
    },
    close: () => {},
  };
}
