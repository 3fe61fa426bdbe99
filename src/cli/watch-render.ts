// How `watch` shows a snapshot: a screen for a terminal, plain lines for a file or a pipe.
import { jobStatuses } from '../client/generated/api.js';
import type { Palette } from './output.js';
import { ago, clip, duration, span, statusColour, table } from './output.js';
import type { Progress, Snapshot } from './watch-snapshot.js';

/** `12.3/s`, `0.40/s`, or `-` before there is a rate. */
export function rateText(p: Progress): string {
  if (p.rate === null) return '-';
  return `${p.rate >= 10 ? p.rate.toFixed(0) : p.rate >= 1 ? p.rate.toFixed(1) : p.rate.toFixed(2)}/s`;
}

/** `15s`, `3m`, `done`, or `-` when it cannot be told yet. */
export function etaText(p: Progress): string {
  if (p.etaSeconds === 0) return 'done';
  if (p.etaSeconds === null) return '-';
  return span(Math.ceil(p.etaSeconds));
}

const labelName = (l: string): string => l || '(no label)';

/**
 * One plain line of progress: stable fields, every status always present (for grep and scripts).
 *
 * @example
 * // all  done 120/300  scheduled 172  running 8  succeeded 118  failed 2  cancelled 0  timed_out 0  rate 12/s  eta 15s
 */
export function progressLine(name: string, p: Progress): string {
  const counts = jobStatuses.map((s) => `${s} ${p.counts[s] ?? 0}`).join('  ');
  return `${name}  done ${p.done}/${p.total}  ${counts}  rate ${rateText(p)}  eta ${etaText(p)}`;
}

/** The part of a progress line that changes only when jobs move (not the rate, not the ETA). */
export const countsKey = (p: Progress): string => jobStatuses.map((s) => p.counts[s] ?? 0).join(',');

function bar(p: Progress, width: number, c: Palette): string {
  const filled = p.total ? Math.round((p.done / p.total) * width) : 0;
  return `[${c.green('#'.repeat(filled))}${'.'.repeat(width - filled)}]`;
}

function progressRow(name: string, p: Progress, c: Palette, nameWidth: number): string {
  const failed = (p.counts.failed ?? 0) + (p.counts.timed_out ?? 0);
  return [
    clip(name, nameWidth).padEnd(nameWidth), bar(p, 20, c), `${p.done}/${p.total} done`.padEnd(16),
    `${c.cyan(String(p.counts.running ?? 0))} running`, `${p.counts.scheduled ?? 0} scheduled`,
    failed ? c.red(`${failed} failed`) : '0 failed', `${rateText(p)}`.padStart(7), `ETA ${etaText(p)}`,
  ].join('  ');
}

/**
 * The terminal screen: progress overall and per label, then the running jobs (longest first) and
 * the latest finished ones, fitted to `height` lines and `width` columns.
 */
export function screen(s: Snapshot, title: string, c: Palette, width: number, height: number): string[] {
  const lines: string[] = [`${c.bold('pgdispatch watch')}  ${title}  ${s.at.toLocaleTimeString()}  ${c.dim('(Ctrl-C to stop)')}`, ''];
  const nameWidth = Math.min(24, Math.max(10, ...[...s.labels.keys()].map((l) => labelName(l).length)));
  lines.push(progressRow('all', s.all, c, nameWidth));
  const labels = [...s.labels.entries()];
  // The busiest labels, in name order: rows that do not swap places as their counts change.
  const shown = (labels.length > 1 ? labels.slice(0, Math.max(1, Math.min(8, Math.floor(height / 4)))) : []).sort((a, b) => a[0].localeCompare(b[0]));
  for (const [l, p] of shown) lines.push(progressRow(labelName(l), p, c, nameWidth));
  if (labels.length > shown.length && shown.length) lines.push(c.dim(`… ${labels.length - shown.length} more label(s)`));
  const now = s.at.getTime();
  const room = Math.max(2, height - lines.length - 6);
  const runningRows = s.running.slice(0, Math.max(1, Math.ceil(room / 2)));
  const finishedRows = s.finished.slice(0, Math.max(1, room - runningRows.length));
  lines.push('', c.bold(`RUNNING (${s.all.counts.running ?? 0})`));
  lines.push(...(runningRows.length ? table(['ID', 'LABEL', 'TRIES', 'STARTED', 'RUNNING FOR', 'COMMAND'], runningRows.map((j) => [
    j.id, j.label ?? '', `${j.attempts}/${j.max_attempts}`, ago(j.started_at, now), duration(j.started_at, s.at), j.command,
  ]), width, c).split('\n') : [c.dim('none')]));
  lines.push('', c.bold('LATEST FINISHED'));
  lines.push(...(finishedRows.length ? table(['ID', 'STATUS', 'LABEL', 'TRIES', 'FINISHED', 'RAN', 'COMMAND / OUTCOME'], finishedRows.map((j) => [
    j.id, statusColour(c, j.status), j.label ?? '', `${j.attempts}/${j.max_attempts}`, ago(j.finished_at, now), duration(j.started_at, j.finished_at),
    j.error_sqlstate ? `${j.command}  ${c.red(`→ ${j.error_sqlstate} ${j.error_message ?? ''}`)}` : j.command,
  ]), width, c).split('\n') : [c.dim('none yet')]));
  return lines.slice(0, height);
}

/** Cursor home, each line cleared to its end, the rest of the screen cleared: a redraw without flicker. */
export function redraw(lines: readonly string[]): string {
  return `\x1b[H${lines.map((l) => `${l}\x1b[K`).join('\n')}\n\x1b[J`;
}

export { labelName };
