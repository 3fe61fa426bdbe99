// The chart: one hand-written SVG, a panel of horizontal bars per scenario, values and ratios
// written beside the bars, the machine described at the top. No chart library: the shapes are few.
//
// Text widths are estimated (no font metrics without a browser), conservatively, so that a value
// never runs into its note and a note that would not fit beside its bar goes on a line of its own.
import { machineLine } from './machine.js';
import type { Report } from './report.js';
import { fmt } from './stats.js';
import type { Bar, Panel } from './types.js';

const WIDTH = 1200;
const MARGIN = 20;
const LABEL_W = 290; // bar names, right-aligned before the bars
const X0 = MARGIN + LABEL_W;
const VALUE_ROOM = 130; // room kept right of the longest bar for its value
const BAR_W = WIDTH - MARGIN - X0 - VALUE_ROOM;
const BAR_H = 16;
const ROW_H = 22;
const NOTE_H = 15;
/** Series colours: 0 is pg_dispatch; each panel's legend names what the others are there. */
export const COLORS = ['#2b6cb0', '#dd6b20', '#38a169', '#a0aec0', '#805ad5'];

// Estimated advance per character (Helvetica/Arial; digits and lowercase are narrower, capitals
// wider: these are upper estimates for the mixed text the bench writes).
const CHAR_W = { normal: 6.6, bold: 7.3, small: 5.8 } as const;
const width = (s: string, kind: keyof typeof CHAR_W): number => s.length * CHAR_W[kind];

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const text = (x: number, y: number, s: string, attrs = ''): string =>
  `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${attrs}>${esc(s)}</text>`;

/** Splits `s` into lines of at most `px` pixels, at spaces. */
function wrap(s: string, px: number, kind: keyof typeof CHAR_W): string[] {
  const max = Math.max(10, Math.floor(px / CHAR_W[kind]));
  const lines: string[] = [];
  let line = '';
  for (const word of s.split(' ')) {
    if (line && line.length + 1 + word.length > max) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

/** Maps a value to a bar length in pixels, on the panel's scale. */
function scaler(panel: Panel): (v: number) => number {
  const values = panel.bars.map((b) => b.value).filter((v) => Number.isFinite(v) && v > 0);
  const max = Math.max(...values, 1e-9);
  if (panel.scale === 'log') {
    const lo = Math.log10(Math.min(...values) / 3);
    const hi = Math.log10(max);
    return (v) => (Number.isFinite(v) && v > 0 ? Math.max(2, ((Math.log10(v) - lo) / (hi - lo || 1)) * BAR_W) : 0);
  }
  return (v) => (Number.isFinite(v) ? Math.max(v > 0 ? 2 : 0, (v / max) * BAR_W) : 0);
}

/** The panel's legend: given, or else each series used, named after its first bar. */
function legendOf(panel: Panel): { series: number; label: string }[] {
  if (panel.legend) return [...panel.legend];
  const seen = new Map<number, string>();
  for (const b of panel.bars) if (!seen.has(b.series)) seen.set(b.series, b.label);
  return [...seen].map(([series, label]) => ({ series, label }));
}

function barValue(panel: Panel, bar: Bar): string {
  if (!Number.isFinite(bar.value)) return 'not measured';
  return `${bar.lowerBound ? '≤ ' : ''}${fmt(bar.value)} ${panel.unit}`;
}

function drawPanel(panel: Panel, top: number): { svg: string; height: number } {
  const out: string[] = [];
  const scale = scaler(panel);
  let y = top;
  const unit = `${panel.unit}${panel.scale === 'log' ? ', log scale' : ''}`;
  out.push(text(MARGIN, y + 14, panel.title, 'class="h2"'));
  out.push(text(WIDTH - MARGIN, y + 14, unit, 'class="unit" text-anchor="end"'));
  y += 22;
  // Legend: one swatch per series drawn in this panel, in the bars' own colours.
  let lx = MARGIN;
  for (const { series, label } of legendOf(panel)) {
    const w = 18 + width(label, 'small') + 18;
    if (lx + w > WIDTH - MARGIN) {
      lx = MARGIN;
      y += 16;
    }
    out.push(`<rect x="${lx}" y="${y}" width="12" height="12" fill="${COLORS[series] ?? '#000'}"/>`);
    out.push(text(lx + 17, y + 10.5, label, 'class="note"'));
    lx += w;
  }
  y += 20;
  let group = '';
  for (const bar of panel.bars) {
    if (bar.group !== group) {
      group = bar.group;
      out.push(text(MARGIN, y + 13, group, 'class="group"'));
      y += ROW_H - 4;
    }
    const w = scale(bar.value);
    const color = COLORS[bar.series] ?? '#000';
    out.push(text(X0 - 8, y + 12, bar.label, 'text-anchor="end"'));
    out.push(`<rect x="${X0}" y="${y}" width="${w.toFixed(1)}" height="${BAR_H}" fill="${color}"${bar.lowerBound ? ` fill-opacity="0.35" stroke="${color}" stroke-dasharray="4 3"` : ''}/>`);
    const value = barValue(panel, bar);
    const vx = X0 + w + 6;
    out.push(text(vx, y + 12, value, 'class="value"'));
    y += ROW_H;
    if (bar.note) {
      const nx = vx + width(value, 'bold') + 10;
      if (nx + width(bar.note, 'small') <= WIDTH - MARGIN) {
        out.push(text(nx, y - ROW_H + 12, bar.note, 'class="note"'));
      } else {
        // Does not fit beside the value: on its own line(s) under the bar.
        for (const line of wrap(bar.note, WIDTH - MARGIN - X0, 'small')) {
          out.push(text(X0, y + 8, line, 'class="note"'));
          y += NOTE_H;
        }
        y += 3;
      }
    }
  }
  for (const line of wrap(panel.caption, WIDTH - 2 * MARGIN, 'normal')) {
    out.push(text(MARGIN, y + 14, line, 'class="caption"'));
    y += 17;
  }
  y += 12;
  return { svg: out.join('\n'), height: y - top };
}

export function renderChart(report: Report): string {
  const body: string[] = [];
  let y = 20;
  const version = report.machine.pgDispatch || 'unknown version';
  body.push(text(MARGIN, y + 16, `pg_dispatch ${version} benchmark${report.options.quick ? ' (--quick)' : ''}`, 'class="h1"'));
  y += 24;
  body.push(text(MARGIN, y + 12, `${report.startedAt}, ${Math.round(report.seconds)} s, ${report.options.reps} repetition(s), medians`, 'class="machine"'));
  y += 16;
  for (const line of wrap(machineLine(report.machine), WIDTH - 2 * MARGIN, 'small')) {
    body.push(text(MARGIN, y + 12, line, 'class="machine"'));
    y += 15;
  }
  if (report.durabilities && report.durabilities.length > 0) {
    body.push(text(MARGIN, y + 12, `Durability columns: ${report.durabilities.join(' / ')} (set server-wide with ALTER SYSTEM + reload where a panel shows both)`, 'class="machine"'));
    y += 15;
  }
  if (report.carriedOver.length > 0) {
    for (const line of wrap(`Kept from earlier runs (--only): ${report.carriedOver.map((c) => `${c.id} (${c.from})`).join(', ')}`, WIDTH - 2 * MARGIN, 'small')) {
      body.push(text(MARGIN, y + 12, line, 'class="machine"'));
      y += 15;
    }
  }
  body.push(text(MARGIN, y + 12, 'Dashed bar: did not finish within its cap (its rate is an upper bound, its time a lower bound).', 'class="machine"'));
  y += 24;
  for (const s of report.scenarios) {
    for (const panel of s.panels) {
      body.push(`<line x1="${MARGIN}" x2="${WIDTH - MARGIN}" y1="${y}" y2="${y}" stroke="#e2e8f0"/>`);
      const p = drawPanel(panel, y + 8);
      body.push(p.svg);
      y += p.height + 8;
    }
  }
  for (const e of report.errors) {
    for (const line of wrap(`${e.id}: not measured (${e.message.slice(0, 200)})`, WIDTH - 2 * MARGIN, 'normal')) {
      body.push(text(MARGIN, y + 14, line, 'class="caption" fill="#c53030"'));
      y += 17;
    }
  }
  const height = y + 10;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">
<style>
  .h1 { font-size: 17px; font-weight: bold; }
  .h2 { font-size: 14px; font-weight: bold; }
  .group { font-weight: bold; fill: #4a5568; }
  .machine, .unit, .note { fill: #4a5568; font-size: 11px; }
  .value { font-weight: bold; }
  .caption { font-style: italic; }
</style>
<rect width="100%" height="100%" fill="#ffffff"/>
${body.join('\n')}
</svg>
`;
}
