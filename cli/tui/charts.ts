/**
 * The rule view's daily cumulative lift chart, as plain strings so it renders
 * the same with or without colour and can be tested as text (the overview's
 * bar is in bar.ts).
 */
import type { RuleReport } from "../../experiments/report-types.ts";

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
