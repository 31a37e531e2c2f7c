/**
 * Text charts for the TUI, as plain strings so they render the same with or
 * without colour and can be tested as text: the lift-with-interval bar of the
 * overview and the daily cumulative lift chart of the rule view.
 */
import type { RuleReport } from "../../experiments/report-types.ts";

/** Where an interval sits: point estimate and its bounds, any unit. */
export interface Interval { point: number | null; low: number | null; high: number | null }

/** The interval the overview draws: relative lift when known, so rules of different base rates compare. */
export function liftInterval(r: RuleReport): Interval {
  const c = r.conversion;
  if (c.lift_rel !== null && c.ci_rel_low != null && c.ci_rel_high != null) return { point: c.lift_rel, low: c.ci_rel_low, high: c.ci_rel_high };
  return { point: c.lift_abs, low: c.ci_low, high: c.ci_high };
}

/** The half-width of a symmetric scale around zero that holds every interval. */
export function barScale(intervals: readonly Interval[]): number {
  let m = 0;
  for (const i of intervals) for (const v of [i.point, i.low, i.high]) if (v !== null && Number.isFinite(v)) m = Math.max(m, Math.abs(v));
  return m === 0 ? 1 : m;
}

/**
 * An interval drawn on a `width`-column axis centred on zero:
 * `    ├──●──┤ │  ` — the zero line `│` shows at once whether the interval
 * crosses it. Points beyond the scale are clamped to the edge.
 */
export function liftBar(i: Interval, scale: number, width: number): string {
  if (width < 3) return "".padEnd(Math.max(0, width));
  const cells = Array<string>(width).fill(" ");
  const mid = Math.floor((width - 1) / 2);
  const col = (v: number) => Math.max(0, Math.min(width - 1, mid + Math.round((v / scale) * mid)));
  if (i.low !== null && i.high !== null) {
    const a = col(i.low), b = col(i.high);
    for (let k = a; k <= b; k++) cells[k] = "─";
    cells[a] = "├";
    cells[b] = "┤";
  }
  if (cells[mid] === " ") cells[mid] = "│";
  else if (cells[mid] === "─") cells[mid] = "┼";
  if (i.point !== null) cells[col(i.point)] = "●";
  return cells.join("");
}

/** One day of the cumulative lift series. */
export type DailyPoint = NonNullable<RuleReport["daily"]>[number];

/**
 * The daily cumulative lift as a text chart `height` rows tall: per day a
 * column with the interval `│` and the estimate `●`, a dotted zero line, the
 * y-axis labelled in percentage points, the first and last date below.
 * Days are thinned evenly when there are more than the width allows.
 */
export function dailyChart(daily: readonly DailyPoint[], width: number, height: number): string[] {
  const pts = daily.filter((d) => d.lift_abs !== null);
  if (pts.length === 0) return ["(no daily series in this report)"];
  const labelW = 9;
  const cols = Math.max(1, Math.min(pts.length, Math.floor((width - labelW - 1) / 2)));
  const pick = Array.from({ length: cols }, (_, k) => pts[Math.round((k * (pts.length - 1)) / Math.max(1, cols - 1))]!);
  let lo = 0, hi = 0;
  for (const d of pick) for (const v of [d.ci_low, d.ci_high, d.lift_abs]) if (v !== null) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  if (hi === lo) hi = lo + 0.001;
  const h = Math.max(3, height);
  const row = (v: number) => Math.round(((hi - v) / (hi - lo)) * (h - 1));
  const grid = Array.from({ length: h }, () => Array<string>(cols * 2).fill(" "));
  const zero = row(0);
  for (let c = 0; c < cols * 2; c++) grid[zero]![c] = "┄";
  pick.forEach((d, k) => {
    const c = k * 2;
    if (d.ci_low !== null && d.ci_high !== null) for (let r = row(d.ci_high); r <= row(d.ci_low); r++) grid[r]![c] = "│";
    grid[row(d.lift_abs!)]![c] = "●";
  });
  const fmt = (v: number) => `${v >= 0 ? "+" : ""}${(v * 100).toFixed(2)}pp`.padStart(labelW - 1);
  const lines = grid.map((cells, r) => {
    const label = r === 0 ? fmt(hi) : r === h - 1 ? fmt(lo) : r === zero ? fmt(0) : "".padStart(labelW - 1);
    return `${label} ${cells.join("")}`.trimEnd();
  });
  const first = pick[0]!.date, last = pick[pick.length - 1]!.date;
  const axisW = cols * 2;
  lines.push("".padStart(labelW) + (axisW >= first.length + last.length + 1 ? first + last.padStart(axisW - first.length) : first));
  return lines;
}
