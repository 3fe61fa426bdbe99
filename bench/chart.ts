// The chart: one hand-written SVG, a panel of horizontal bars per scenario, values and ratios
// written on the bars, the machine described at the top. No chart library: the shapes are few.
import { machineLine } from './machine.js';
import type { Report } from './report.js';
import { fmt } from './stats.js';
import type { Panel } from './types.js';

const WIDTH = 1100;
const LABEL_W = 300; // group and bar names
const BAR_W = 470;
const BAR_H = 16;
const ROW_H = 22;
const COLORS = ['#2b6cb0', '#dd6b20', '#38a169', '#a0aec0'];
const SERIES = ['pg_dispatch', 'baseline', 'baseline', 'reference'];

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const text = (x: number, y: number, s: string, attrs = ''): string =>
  `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${attrs}>${esc(s)}</text>`;

/** Maps a value to a bar length in pixels, on the panel's scale. */
function scaler(panel: Panel): (v: number) => number {
  const values = panel.bars.map((b) => b.value).filter((v) => Number.isFinite(v) && v > 0);
  const max = Math.max(...values, 1e-9);
  if (panel.scale === 'log') {
    const lo = Math.log10(Math.min(...values) / 3);
    const hi = Math.log10(max * 1.1);
    return (v) => (v > 0 ? Math.max(2, ((Math.log10(v) - lo) / (hi - lo)) * BAR_W) : 0);
  }
  return (v) => (Number.isFinite(v) ? Math.max(v > 0 ? 2 : 0, (v / (max * 1.05)) * BAR_W) : 0);
}

function drawPanel(panel: Panel, top: number): { svg: string; height: number } {
  const out: string[] = [];
  const x0 = 20 + LABEL_W;
  const scale = scaler(panel);
  let y = top;
  out.push(text(20, y + 14, panel.title, 'class="h2"'));
  out.push(text(WIDTH - 20, y + 14, `${panel.unit}${panel.scale === 'log' ? ', log scale' : ''}`, 'class="unit" text-anchor="end"'));
  y += 26;
  let group = '';
  for (const bar of panel.bars) {
    if (bar.group !== group) {
      group = bar.group;
      out.push(text(20, y + 13, group, 'class="group"'));
      y += ROW_H - 4;
    }
    const w = scale(bar.value);
    const color = COLORS[bar.series] ?? '#000';
    out.push(text(x0 - 8, y + 12, bar.label, 'text-anchor="end"'));
    out.push(`<rect x="${x0}" y="${y}" width="${w.toFixed(1)}" height="${BAR_H}" fill="${color}"${bar.lowerBound ? ' fill-opacity="0.35" stroke="' + color + '" stroke-dasharray="4 3"' : ''}/>`);
    const value = Number.isFinite(bar.value) ? `${bar.lowerBound ? '≤ ' : ''}${fmt(bar.value)} ${panel.unit}` : 'not measured';
    out.push(text(x0 + w + 6, y + 12, value, 'class="value"'));
    if (bar.note) out.push(text(x0 + w + 12 + value.length * 7, y + 12, bar.note, 'class="note"'));
    y += ROW_H;
  }
  out.push(text(20, y + 14, panel.caption, 'class="caption"'));
  y += 30;
  return { svg: out.join('\n'), height: y - top };
}

export function renderChart(report: Report): string {
  const body: string[] = [];
  let y = 20;
  body.push(text(20, y + 16, `pg_dispatch benchmark${report.options.quick ? ' (--quick)' : ''}: ${report.startedAt}, ${Math.round(report.seconds)} s, ${report.options.reps} repetition(s), medians`, 'class="h1"'));
  y += 26;
  body.push(text(20, y + 12, machineLine(report.machine), 'class="machine"'));
  y += 22;
  if (report.carriedOver.length > 0) {
    body.push(text(20, y + 12, `Kept from earlier runs (--only): ${report.carriedOver.map((c) => `${c.id} (${c.from})`).join(', ')}`, 'class="machine"'));
    y += 20;
  }
  // Legend: colour of pg_dispatch, of the baselines and of references.
  [0, 1, 3].forEach((s, i) => {
    const x = 20 + i * 170;
    body.push(`<rect x="${x}" y="${y}" width="12" height="12" fill="${COLORS[s]}"/>`);
    body.push(text(x + 18, y + 11, SERIES[s] ?? '', 'class="note"'));
  });
  body.push(text(20 + 3 * 170, y + 11, 'dashed bar: did not finish within its cap (rate is an upper bound)', 'class="note"'));
  y += 28;
  for (const s of report.scenarios) {
    for (const panel of s.panels) {
      body.push(`<line x1="20" x2="${WIDTH - 20}" y1="${y}" y2="${y}" stroke="#e2e8f0"/>`);
      const p = drawPanel(panel, y + 8);
      body.push(p.svg);
      y += p.height + 12;
    }
  }
  for (const e of report.errors) {
    body.push(text(20, y + 14, `${e.id}: not measured (${e.message.slice(0, 120)})`, 'class="caption" fill="#c53030"'));
    y += 22;
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
