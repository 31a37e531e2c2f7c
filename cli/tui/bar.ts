/**
 * The overview's "CI vs 0" bar: the interval the verdict reads, against zero,
 * on one clipped axis for every row.
 *
 * - The interval is the absolute one (percentage points) from the same test
 *   as the p-value behind q and the verdict, not the relative one: with a
 *   small holdout the relative interval can cross zero while the absolute one
 *   does not (renewal in the demo: relative [−1484%, +2649%], pp [+8.8, +35.5]).
 * - Bounds are clipped to what is possible: the treated rate lies in [0, 1], so
 *   the lift lies in [−holdout rate, 1 − holdout rate] (a rate cannot fall by
 *   more than 100%).
 * - The axis is shared, so bars compare, but set by the 75th percentile of the
 *   rows' extents, rounded up to a round value, not by the widest: the widest
 *   rows run off the edge with an overflow mark `◀`/`▶` instead of squeezing
 *   every other row into a dot on zero (`◁`/`▷` on a dotted row).
 * - Columns keep the sign: a value above zero is drawn right of the zero
 *   column, never on it, so a bar's side of zero always matches the verdict.
 *   An interval clear of zero whose q is not below alpha (significant only
 *   before the correction for testing many rules) is drawn dotted with a
 *   hollow estimate, `┊┄○┄┊`.
 */
import type { RuleReport } from "../../experiments/report-types.ts";

/** Where an interval sits: point estimate and its bounds, as fractions (0.01 = 1 pp). */
export interface Interval { point: number | null; low: number | null; high: number | null }

/** Which side of zero a rule's tested lift is on: +1 works, −1 harms, 0 not significant. */
export type Side = 1 | -1 | 0;

/**
 * The side of zero the verdict reads: q below alpha and an interval clear of
 * zero on the estimate's side. A report whose q and interval disagree (they
 * come from one test, so they should not) counts as not significant.
 */
export function significantSide(r: RuleReport, alpha: number): Side {
  const c = r.conversion;
  // "Too few conversions to judge" (docs/statistics.md) has no side, whatever q says.
  if (c.verdict === "too_few_conversions") return 0;
  if (c.q === null || !(c.q < alpha) || c.lift_abs === null || c.lift_abs === 0) return 0;
  const side: Side = c.lift_abs > 0 ? 1 : -1;
  if (c.ci_low === null || c.ci_high === null) return side;
  return (side === 1 ? c.ci_low > 0 : c.ci_high < 0) ? side : 0;
}

/** An interval of a rate difference clipped to what is possible given the holdout's rate. */
export function clipToPossible(i: Interval, holdoutRate: number | null): Interval {
  if (holdoutRate === null || !Number.isFinite(holdoutRate)) return i;
  const min = -holdoutRate, max = 1 - holdoutRate;
  const clip = (v: number | null) => (v === null ? null : Math.max(min, Math.min(max, v)));
  return { point: clip(i.point), low: clip(i.low), high: clip(i.high) };
}

/** The interval the bar draws: the absolute conversion lift, clipped to what is possible. */
export function liftInterval(r: RuleReport): Interval {
  const c = r.conversion;
  return clipToPossible({ point: c.lift_abs, low: c.ci_low, high: c.ci_high }, Number.isFinite(c.holdout) ? c.holdout : null);
}

const ROUND = [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10];

/** The smallest round value (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × 10^k) at or above `x`. */
export function roundUp(x: number): number {
  if (!(x > 0) || !Number.isFinite(x)) return 1;
  const p = 10 ** Math.floor(Math.log10(x));
  // A small tolerance: 0.3 (itself 0.30000000000000004 at times) must stay 0.3, not become 0.4.
  // toPrecision: 3 × 0.1 must print as 0.3, not 0.30000000000000004.
  const r = Number(((ROUND.find((m) => m * p >= x * (1 - 1e-9)) ?? 10) * p).toPrecision(12));
  // Subnormal extents (1e-320) have no power of ten to round to: keep them as they are.
  return r > 0 && Number.isFinite(r) && r >= x * (1 - 1e-9) ? r : x;
}

/** The half-width of the common axis: the 75th percentile of the rows' extents, rounded up. */
export function barScale(intervals: readonly Interval[]): number {
  const ext = intervals
    .map((i) => Math.max(...[i.point, i.low, i.high].filter((v): v is number => v !== null && Number.isFinite(v)).map(Math.abs), 0))
    .filter((e) => e > 0)
    .sort((a, b) => a - b);
  if (ext.length === 0) return 1;
  return roundUp(ext[Math.ceil(0.75 * ext.length) - 1]!);
}

/** The axis's half-width as the column header says it: 0.4 → "±40pp". */
export function scaleLabel(scale: number): string {
  return `±${Number((scale * 100).toPrecision(3))}pp`;
}

/**
 * An interval drawn on a `width`-column axis centred on zero:
 * `    ├──●──┤ │` — the zero line `│` shows at once whether the interval
 * crosses it. `side` is the verdict's (`significantSide`); an interval clear
 * of zero that the verdict does not call significant is drawn dotted.
 */
export function liftBar(i: Interval, scale: number, width: number, side: Side = 0): string {
  if (width < 3) return "".padEnd(Math.max(0, width));
  const cells = Array<string>(width).fill(" ");
  const mid = Math.floor((width - 1) / 2);
  const n = mid;
  // Sign-preserving: any value other than zero is at least one column off zero.
  const col = (v: number) => (v === 0 ? mid : mid + Math.sign(v) * Math.min(n, Math.max(1, Math.round((Math.abs(v) / scale) * n))));
  const clear = i.low !== null && i.high !== null ? i.low > 0 || i.high < 0 : i.point !== null && i.point !== 0;
  // Not significant yet off zero: hollow estimate and dotted interval, so it never reads as a verdict.
  const dotted = clear && side === 0;
  // Beyond the axis (with room for rounding: the axis may be the extent itself).
  const over = (v: number) => Math.abs(v) > scale * (1 + 1e-9);
  const arrow = (dir: number) => (dir < 0 ? (dotted ? "◁" : "◀") : dotted ? "▷" : "▶");
  if (i.low !== null && i.high !== null) {
    const a = col(i.low), b = col(i.high);
    for (let k = a; k <= b; k++) cells[k] = dotted ? "┄" : "─";
    cells[a] = over(i.low) ? arrow(-1) : dotted ? "┊" : "├";
    cells[b] = over(i.high) ? arrow(1) : dotted ? "┊" : "┤";
  }
  if (cells[mid] === " ") cells[mid] = "│";
  else if (cells[mid] === "─") cells[mid] = "┼";
  // An estimate beyond the axis is an overflow mark: the mark says more at the edge than ● would.
  if (i.point !== null) cells[col(i.point)] = over(i.point) ? arrow(Math.sign(i.point)) : dotted ? "○" : "●";
  return cells.join("");
}
