// The JSON report and the summary table printed at the end of a run.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Options } from './context.js';
import type { Machine } from './machine.js';
import { fmt } from './stats.js';
import type { ScenarioResult } from './types.js';

export interface Report {
  readonly tool: 'pg_dispatch bench';
  readonly startedAt: string;
  readonly seconds: number;
  readonly options: Options;
  readonly machine: Machine;
  /** The durability settings compared (labels), where scenarios measure both. */
  readonly durabilities?: readonly string[];
  readonly scenarios: readonly ScenarioResult[];
  /** Scenarios that failed, with why, so a partial run still says what it could not measure. */
  readonly errors: readonly { readonly id: string; readonly message: string }[];
  /** With --only, the scenarios not run again, kept from the previous report, and its date. */
  readonly carriedOver: readonly { readonly id: string; readonly from: string }[];
}

export function writeJson(file: string, report: Report): void {
  // NaN is not JSON: write null, which readers take as "not measured".
  writeFileSync(file, `${JSON.stringify(report, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`);
}

export function summaryTable(report: Report): string {
  const lines: string[] = [];
  for (const s of report.scenarios) {
    lines.push('', `${s.title}  (${fmt(s.seconds)} s)`);
    const width = Math.max(...s.rows.map((r) => r.metric.length));
    for (const r of s.rows) {
      const value = `${r.lowerBound ? '>= ' : ''}${r.unit === 'x' ? '×' : ''}${fmt(r.value)}`;
      lines.push(`  ${r.metric.padEnd(width)}  ${value.padStart(12)} ${r.unit === 'x' ? '' : r.unit}`.trimEnd());
    }
  }
  for (const c of report.carriedOver) lines.push('', `${c.id}: not run this time; figures kept from the run of ${c.from}`);
  for (const e of report.errors) lines.push('', `${e.id}: FAILED: ${e.message}`);
  return lines.join('\n');
}

/** The previous report at `file`, if there is a readable one (for --only to keep the rest). */
export function readPrevious(file: string): Report | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Report;
  } catch {
    return undefined;
  }
}
