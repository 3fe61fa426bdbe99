// Terminal output: colours only on a TTY with NO_COLOR unset, tables that fit the width, and
// `--json` for scripts (one JSON document on stdout).

/** Whether a stream gets colours. */
export function colourful(stream: NodeJS.WriteStream): boolean {
  return Boolean(stream.isTTY) && !('NO_COLOR' in process.env && process.env.NO_COLOR !== '');
}

const sgr = (code: string) => (on: boolean) => (text: string) => (on ? `\x1b[${code}m${text}\x1b[0m` : text);
const paint = { red: sgr('31'), green: sgr('32'), yellow: sgr('33'), blue: sgr('34'), dim: sgr('2'), bold: sgr('1'), cyan: sgr('36') };

/** Colour functions for one stream (identity when it gets none). */
export type Palette = { readonly [K in keyof typeof paint]: (text: string) => string };

/**
 * The palette of a stream.
 *
 * @example
 * const c = palette(process.stdout); console.log(c.green('ok'));
 */
export function palette(stream: NodeJS.WriteStream): Palette {
  const on = colourful(stream);
  return Object.fromEntries(Object.entries(paint).map(([k, f]) => [k, f(on)])) as unknown as Palette;
}

/** The colour of each status. */
export function statusColour(c: Palette, status: string): string {
  switch (status) {
    case 'succeeded': return c.green(status);
    case 'failed': case 'timed_out': return c.red(status);
    case 'cancelled': return c.yellow(status);
    case 'running': return c.cyan(status);
    default: return c.dim(status);
  }
}

// eslint-disable-next-line no-control-regex
const visible = (s: string): number => s.replace(/\x1b\[[0-9;]*m/g, '').length;

/** Shortens text to `width` characters with an ellipsis, on one line. */
export function clip(text: string, width: number): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length <= width ? one : `${one.slice(0, Math.max(0, width - 1))}…`;
}

/**
 * Renders rows as aligned columns; the last column is clipped so that lines fit `width`.
 *
 * @example
 * console.log(table(['id', 'status'], [['1', 'succeeded']], 80));
 */
export function table(head: readonly string[], rows: readonly (readonly string[])[], width: number, c?: Palette): string {
  const widths = head.map((h, i) => Math.max(visible(h), ...rows.map((r) => visible(r[i] ?? ''))));
  const last = head.length - 1;
  const before = widths.slice(0, last).reduce((a, b) => a + b + 2, 0);
  widths[last] = Math.max(10, Math.min(widths[last]!, width - before));
  const line = (cells: readonly string[]) => cells.map((cell, i) => {
    const text = i === last ? (visible(cell) > widths[i]! ? clip(cell, widths[i]!) : cell) : cell;
    return i === last ? text : text + ' '.repeat(Math.max(0, widths[i]! - visible(text)));
  }).join('  ').trimEnd();
  const header = line(head);
  return [c ? c.bold(header) : header, ...rows.map(line)].join('\n');
}

/** The width to fit: the terminal's, or 120 when not a terminal. */
export function termWidth(): number {
  return process.stdout.isTTY ? (process.stdout.columns || 100) : 120;
}

/**
 * Prints a JSON document for scripts.
 *
 * @example
 * printJson({ ok: true });
 */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`);
}

/** How long ago, short: `4s`, `12m`, `3h`, `2d`. */
export function ago(d: Date | null, now = Date.now()): string {
  if (!d) return '';
  const s = Math.round((now - d.getTime()) / 1000);
  if (s < 0) return `in ${span(-s)}`;
  return `${span(s)} ago`;
}

/** A number of seconds, short. */
export function span(s: number): string {
  if (s < 90) return `${s}s`;
  if (s < 5400) return `${Math.round(s / 60)}m`;
  if (s < 129600) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86400)}d`;
}

/** Run time of a job, e.g. `0.31s`. */
export function duration(started: Date | null, finished: Date | null): string {
  if (!started) return '';
  const ms = (finished ?? new Date()).getTime() - started.getTime();
  return ms < 60_000 ? `${(ms / 1000).toFixed(2)}s` : span(Math.round(ms / 1000));
}
