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
 * The pooled within-group variance of Student's t-test,
 * ((na − 1)·va + (nb − 1)·vb) / (na + nb − 2): each group's variance if the
 * two are alike, estimated mostly from the larger group.
 */
export function pooledVariance(a: GroupSummary, b: GroupSummary): number {
  return ((a.n - 1) * a.variance + (b.n - 1) * b.variance) / (a.n + b.n - 2);
}

/**
 * Welch's test of `b − a` (b = treatment, a = holdout) at level `alpha`
 * (two-sided CI of 1 − alpha). Null when either group has fewer than 2
 * customers or both variances are 0 (no test is possible: say so, don't guess).
 *
 * `nullFloor` (the report sets it for revenue): the standard error is never below the one the null implies,
 * √(s²pooled·(1/na + 1/nb)) (docs/statistics.md, "Revenue: few buyers").
 * A small holdout with few buyers has a small mean *and* a small variance
 * estimate, so Welch's SE shrinks exactly when the difference looks large;
 * the pooled variance is estimated mostly from the large group and, under
 * the null, is right whatever the holdout drew. Interval and p use the same
 * SE (they agree), with Welch's df.
 */
export function welchTest(a: GroupSummary, b: GroupSummary, alpha: number, nullFloor = false): DiffTest | null {
  if (a.n < 2 || b.n < 2) return null;
  let se2 = a.variance / a.n + b.variance / b.n;
  if (nullFloor) se2 = Math.max(se2, pooledVariance(a, b) * (1 / a.n + 1 / b.n));
  if (!(se2 > 0)) return null;
  const se = Math.sqrt(se2);
  const diff = b.mean - a.mean;
  const df = welchDf(a, b);
  const t = diff / se;
  const half = tQuantile(1 - alpha / 2, df) * se;
  return { diff, se, df, t, p: tTwoSidedP(t, df), ciLow: diff - half, ciHigh: diff + half };
}
