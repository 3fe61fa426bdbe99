// The shapes every scenario returns: a table for the summary and the JSON report, and a panel
// for the chart. Keeping them generic lets report.ts and chart.ts know nothing of scenarios.

export interface Row {
  readonly metric: string;
  readonly value: number;
  readonly unit: string;
  /** Set when the value is a lower bound (e.g. a baseline that did not finish within its cap). */
  readonly lowerBound?: boolean;
}

export interface Bar {
  /** Bars with the same group are drawn together, under the group's name. */
  readonly group: string;
  readonly label: string;
  readonly value: number;
  /** Colour: 0 = pg_dispatch; the others as the panel's legend says (chart.ts COLORS). */
  readonly series: number;
  /** Drawn after the value, e.g. "×1.8 of INSERT" or "did not finish". */
  readonly note?: string;
  readonly lowerBound?: boolean;
}

export interface Panel {
  readonly title: string;
  readonly unit: string;
  readonly scale: 'linear' | 'log';
  readonly bars: readonly Bar[];
  /** One line under the panel, typically the headline ratios (wrapped when long). */
  readonly caption: string;
  /** What each colour means in this panel; by default each series is named after its first bar. */
  readonly legend?: readonly { readonly series: number; readonly label: string }[];
}

export interface ScenarioResult {
  readonly id: string;
  readonly title: string;
  /** How it was measured, in words: what the reader needs to reproduce or judge the figures. */
  readonly method: readonly string[];
  readonly rows: readonly Row[];
  readonly panels: readonly Panel[];
  /** Per-repetition raw figures, for whoever wants to check the medians. */
  readonly raw: unknown;
  readonly seconds: number;
}
