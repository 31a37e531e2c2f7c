/**
 * The rule view's daily cumulative lift chart, as plain strings so it renders
 * the same with or without colour and can be tested as text (the overview's
 * bar is in bar.ts).
 *
 * Read like a chart, not a plot dump: the y axis is ticked at round values
 * (1, 2, 2.5 or 5 × 10^k pp, 3 to 6 of them) with zero always among them, the
 * x axis is ticked once per week (each Monday, labelled MM-DD where the label
 * fits), and the last day's value is printed under it in numbers. Intervals
 * are clipped to what a rate allows, as the overview's bar is.
 */
import type { RuleReport } from "../../experiments/report-types.ts";
import { pp } from "../../experiments/format/numbers.ts";
import { clipToPossible } from "./bar.ts";

/** One day of the cumulative lift series. */
export type DailyPoint = NonNullable<RuleReport["daily"]>[number];

const STEPS = [1, 2, 2.5, 5, 10];

/** A round tick step (1, 2, 2.5, 5 × 10^k) giving at most `maxTicks` intervals over `span`. */
export function tickStep(span: number, maxTicks = 5): number {
  if (!(span > 0) || !Number.isFinite(span)) return 0.01;
  const raw = span / maxTicks;
  const p = 10 ** Math.floor(Math.log10(raw));
  const r = Number(((STEPS.find((m) => m * p >= raw * (1 - 1e-9)) ?? 10) * p).toPrecision(12));
  return r > 0 && Number.isFinite(r) ? r : 0.0001;
}

/** A tick label in pp, no more decimals than the step needs: 0.05 → "+5pp", 0.075 → "+7.5pp", 0 → "0pp". */
function tickLabel(v: number, step: number): string {
  const stepPp = Number((step * 100).toPrecision(6));
  const decimals = (String(stepPp).split(".")[1] ?? "").length;
  const x = Number((v * 100).toFixed(decimals));
  return x === 0 ? "0pp" : `${x > 0 ? "+" : ""}${x}pp`;
}

/** Whether `date` (YYYY-MM-DD) is a Monday, the first day of an ISO week. */
function isMonday(date: string): boolean {
  return new Date(`${date}T00:00:00Z`).getUTCDay() === 1;
}

/**
 * The daily cumulative lift as text lines, `height` lines in all: the chart
 * (per day a column with the interval `│` and the estimate `●`, a dotted zero
 * line), the week axis, its dates, and the last day's value. Days are thinned
 * evenly when there are more than the width holds.
 */
export function dailyChart(daily: readonly DailyPoint[], width: number, height: number): string[] {
  const pts = daily.filter((d) => d.lift_abs !== null).map((d) => {
    const c = clipToPossible({ point: d.lift_abs, low: d.ci_low, high: d.ci_high }, Number.isFinite(d.holdout) ? d.holdout : null);
    return { date: d.date, lift: c.point!, low: c.low, high: c.high };
  });
  if (pts.length === 0) return ["(no daily series in this report)"];
  const labelW = 8;
  const cols = Math.max(1, Math.min(pts.length, Math.floor((width - labelW - 2) / 2)));
  const pick = Array.from({ length: cols }, (_, k) => pts[Math.round((k * (pts.length - 1)) / Math.max(1, cols - 1))]!);
  let lo = 0, hi = 0;
  for (const d of pick) for (const v of [d.low, d.high, d.lift]) if (v !== null) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  const step = tickStep(hi - lo || 0.01);
  lo = Math.floor(lo / step - 1e-9) * step;
  hi = Math.ceil(hi / step - 1e-9) * step;
  if (hi === lo) hi = lo + step;
  const h = Math.max(3, height - 3);
  const row = (v: number) => Math.round(((hi - v) / (hi - lo)) * (h - 1));
  const grid = Array.from({ length: h }, () => Array<string>(cols * 2).fill(" "));
  const zero = row(0);
  for (let c = 0; c < cols * 2; c++) grid[zero]![c] = "┄";
  pick.forEach((d, k) => {
    const c = k * 2;
    if (d.low !== null && d.high !== null) for (let r = row(d.high); r <= row(d.low); r++) grid[r]![c] = "│";
    grid[row(d.lift)]![c] = "●";
  });
  const labels = new Map<number, string>();
  for (let t = Math.round(lo / step); t <= Math.round(hi / step); t++) {
    const r = row(t * step);
    if (!labels.has(r)) labels.set(r, tickLabel(t * step, step));
  }
  const lines = grid.map((cells, r) => {
    const tick = labels.get(r);
    return `${(tick ?? "").padStart(labelW - 1)}${tick ? "┤" : "│"} ${cells.join("")}`.trimEnd();
  });
  // Week ticks: the first column on or after each Monday (thinned days may skip the Monday itself).
  const axis = Array<string>(cols * 2).fill("─");
  const dates = Array<string>(cols * 2 + 6).fill(" ");
  let nextFree = 0;
  pick.forEach((d, k) => {
    const prev = k === 0 ? null : pick[k - 1]!.date;
    const days = prev === null ? [d.date] : datesBetween(prev, d.date);
    if (!days.some(isMonday)) return;
    axis[k * 2] = "┬";
    const label = d.date.slice(5);
    if (k * 2 >= nextFree && k * 2 + label.length <= cols * 2 + 1) {
      for (let j = 0; j < label.length; j++) dates[k * 2 + j] = label[j]!;
      nextFree = k * 2 + label.length + 1;
    }
  });
  lines.push(`${"".padStart(labelW - 1)}└─${axis.join("")}`);
  lines.push(`${"".padStart(labelW + 1)}${dates.join("")}`.trimEnd());
  const last = pts[pts.length - 1]!;
  const iv = last.low !== null && last.high !== null ? ` [${pp(last.low).replace(" pp", "")}, ${pp(last.high).replace(" pp", "")}]` : "";
  lines.push(`last day ${last.date}: ${pp(last.lift)}${iv}`);
  return lines;
}

/** The dates after `from` up to and including `to` (YYYY-MM-DD). */
function datesBetween(from: string, to: string): string[] {
  const out: string[] = [];
  const end = Date.parse(`${to}T00:00:00Z`);
  for (let t = Date.parse(`${from}T00:00:00Z`) + 86_400_000; t <= end && out.length < 400; t += 86_400_000) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}
