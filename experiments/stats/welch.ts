/**
 * Welch's unequal-variance t-test on the difference of two means, with the
 * Welch–Satterthwaite degrees of freedom (Welch 1947; Satterthwaite 1946). This
 * is scipy's `ttest_ind(equal_var=False)` and R's `t.test` default.
 */
import { tQuantile, tTwoSidedP } from "./dist.ts";

/** One group's summary: size, mean, unbiased variance. */
export interface GroupSummary {
  n: number;
  mean: number;
  variance: number;
}

/** Result of a two-sample comparison of `b − a`. */
export interface DiffTest {
  /** mean(b) − mean(a). */
  diff: number;
  /** Standard error of the difference. */
  se: number;
  df: number;
  t: number;
  p: number;
  ciLow: number;
  ciHigh: number;
}

/** Welch–Satterthwaite degrees of freedom for `var_a/n_a + var_b/n_b`. */
export function welchDf(a: GroupSummary, b: GroupSummary): number {
  const va = a.variance / a.n;
  const vb = b.variance / b.n;
  const den = (va * va) / (a.n - 1) + (vb * vb) / (b.n - 1);
  return den === 0 ? Infinity : (va + vb) ** 2 / den;
}

/**
 * Welch's test of `b − a` (b = treatment, a = holdout) at level `alpha`
 * (two-sided CI of 1 − alpha). Null when either group has fewer than 2
 * customers or both variances are 0 (no test is possible: say so, don't guess).
 */
export function welchTest(a: GroupSummary, b: GroupSummary, alpha: number): DiffTest | null {
  if (a.n < 2 || b.n < 2) return null;
  const se2 = a.variance / a.n + b.variance / b.n;
  if (!(se2 > 0)) return null;
  const se = Math.sqrt(se2);
  const diff = b.mean - a.mean;
  const df = welchDf(a, b);
  const t = diff / se;
  const half = tQuantile(1 - alpha / 2, df) * se;
  return { diff, se, df, t, p: tTwoSidedP(t, df), ciLow: diff - half, ciHigh: diff + half };
}
