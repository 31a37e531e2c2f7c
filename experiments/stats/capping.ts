/**
 * Revenue capping (winsorisation) as GrowthBook does it: every customer's
 * value is capped at a percentile of the values of BOTH groups pooled
 * (zeros included, GrowthBook's default), so the cap does not depend on the
 * assignment and treats the groups alike. Default P99. The percentile is
 * the value at 0-based rank ⌊P·(N − 1)⌋ of the N pooled values sorted
 * ascending (a value that occurs in the data, so both producers — DuckDB
 * over exact decimals, JS over doubles — pick the same one).
 *
 * When the percentile is 0 (fewer than 1 − P of the customers have any
 * revenue: a rare goal), capping would erase the metric; the values are then
 * left uncapped (`cap` is the largest value).
 *
 * And the skewness rule of Kohavi, Tang & Xu ("Trustworthy Online Controlled
 * Experiments", 2020, ch. 17, after Kohavi et al. KDD 2014): the normal
 * approximation of a group's mean is trusted when n > 355·γ², γ the sample
 * skewness of the metric in that group. A mean of n has skewness γ/√n, so
 * the rule is |skewness of the mean| < 1/√355; the report applies that same
 * bound to the statistic it tests, the difference of the two means, whose
 * skewness is (γT·sT³/nT² − γH·sH³/nH²)/SE³. In a balanced test of alike
 * groups the two terms cancel (the t-test is robust there); with a small
 * holdout its term dominates and the rule is the book's rule on the holdout.
 */
import { emptyMoments, addObservation, type Moments } from "./moments.ts";

/** The default capping percentile (GrowthBook's). */
export const DEFAULT_CAP = 0.99;

/** Kohavi, Tang & Xu's constant: n > 355·skew² per group. */
export const SKEW_RULE = 355;

/** A group's capped moments plus Σy³ of the capped values, for the skewness rule. */
export interface CappedGroup {
  m: Moments;
  cube: number;
}

/** A rule's revenue capped at a pooled percentile. */
export interface CappedRevenue {
  percentile: number;
  cap: number;
  hold: CappedGroup;
  treat: CappedGroup;
}

/** 0-based rank of the P-percentile among `n` sorted values. */
export function capRank(percentile: number, n: number): number {
  return Math.floor(percentile * (n - 1));
}

/**
 * Caps `n` customers' values `y` (covariates `x`, `treated` 1/0) at the
 * pooled `percentile`; null when there are no customers.
 */
export function capRevenue(percentile: number, n: number, y: Float64Array, x: Float64Array, treated: Uint8Array): CappedRevenue | null {
  if (n === 0) return null;
  const sorted = y.slice(0, n).sort();
  const at = sorted[capRank(percentile, n)]!;
  const cap = at > 0 ? at : sorted[n - 1]!;
  return capAt(percentile, cap, n, y, x, treated);
}

/** The capped groups at a known `cap`. */
export function capAt(percentile: number, cap: number, n: number, y: Float64Array, x: Float64Array, treated: Uint8Array): CappedRevenue {
  const hold: CappedGroup = { m: emptyMoments(), cube: 0 };
  const treat: CappedGroup = { m: emptyMoments(), cube: 0 };
  for (let i = 0; i < n; i++) {
    const g = treated[i] ? treat : hold;
    const v = Math.min(y[i]!, cap);
    addObservation(g.m, v, Math.min(x[i]!, cap));
    g.cube += v * v * v;
  }
  return { percentile, cap, hold, treat };
}

/** Sample skewness (the moment estimator m₃/m₂^1.5) from the sums; 0 for a constant group, NaN under 3 customers. */
export function skewness(g: CappedGroup): number {
  const { n, sum, sumSq } = g.m;
  if (n < 3) return NaN;
  const mu = sum / n;
  const m2 = sumSq / n - mu * mu;
  if (!(m2 > Math.abs(sumSq / n) * 1e-12)) return 0;
  const m3 = g.cube / n - 3 * mu * (sumSq / n) + 2 * mu * mu * mu;
  return m3 / m2 ** 1.5;
}

/** Customers a group needs for its mean's normal approximation: ⌈355·γ²⌉ (Infinity when γ is unknown). */
export function customersForNormal(g: CappedGroup): number {
  const s = skewness(g);
  return Number.isFinite(s) ? Math.ceil(SKEW_RULE * s * s) : Infinity;
}

/** Central moments m₂, m₃ (n denominators) of a group from its sums. */
function central(g: CappedGroup): { m2: number; m3: number } {
  const { n, sum, sumSq } = g.m;
  const mu = sum / n;
  const m2 = sumSq / n - mu * mu;
  return { m2: m2 > Math.abs(sumSq / n) * 1e-12 ? m2 : 0, m3: g.cube / n - 3 * mu * (sumSq / n) + 2 * mu * mu * mu };
}

/**
 * Skewness of the difference of means, treatment − holdout:
 * (m₃T/nT² − m₃H/nH²) / (m₂T/nT + m₂H/nH)^1.5; 0 when neither group varies,
 * NaN under 3 customers in a group.
 */
export function differenceSkewness(h: CappedGroup, t: CappedGroup): number {
  if (h.m.n < 3 || t.m.n < 3) return NaN;
  const a = central(h);
  const b = central(t);
  const v = a.m2 / h.m.n + b.m2 / t.m.n;
  if (!(v > 0)) return 0;
  return (b.m3 / t.m.n ** 2 - a.m3 / h.m.n ** 2) / v ** 1.5;
}

/** Whether the normal approximation of the difference is trusted: 355·γΔ² < 1. */
export function normalTrusted(h: CappedGroup, t: CappedGroup): boolean {
  const g = differenceSkewness(h, t);
  return Number.isFinite(g) && SKEW_RULE * g * g < 1;
}
