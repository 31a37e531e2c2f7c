/**
 * The probability distributions the statistics need, taken from jstat (the
 * project's one statistics dependency) behind a small typed surface, so the
 * rest of `experiments/` never touches jstat's untyped API and the tails are
 * computed the numerically safe way (`cdf(-|x|)` rather than `1 - cdf(|x|)`).
 */
import { createRequire } from "node:module";

interface JStatLike {
  studentt: { cdf(x: number, dof: number): number; inv(p: number, dof: number): number };
  normal: { cdf(x: number, mean: number, sd: number): number; inv(p: number, mean: number, sd: number): number };
  chisquare: { cdf(x: number, dof: number): number };
  gammafn(x: number): number;
  gammaln(x: number): number;
  lowRegGamma(a: number, x: number): number;
}

const { jStat } = createRequire(import.meta.url)("jstat") as { jStat: JStatLike };

/** Above this many degrees of freedom Student's t is the normal to 1e-6 and jstat's t is slower and less accurate. */
const T_AS_NORMAL_DF = 1e7;

/** Two-sided p-value of a t statistic with `df` degrees of freedom. */
export function tTwoSidedP(t: number, df: number): number {
  if (!Number.isFinite(t)) return Number.isNaN(t) ? NaN : 0;
  const x = -Math.abs(t);
  const tail = df >= T_AS_NORMAL_DF || !Number.isFinite(df) ? jStat.normal.cdf(x, 0, 1) : jStat.studentt.cdf(x, df);
  return Math.min(1, 2 * tail);
}

/** The `p` quantile of Student's t with `df` degrees of freedom. */
export function tQuantile(p: number, df: number): number {
  if (df >= T_AS_NORMAL_DF || !Number.isFinite(df)) return jStat.normal.inv(p, 0, 1);
  return jStat.studentt.inv(p, df);
}

/** The `p` quantile of the standard normal. */
export function zQuantile(p: number): number {
  return jStat.normal.inv(p, 0, 1);
}

/** Standard normal CDF. */
export function normalCdf(x: number): number {
  return jStat.normal.cdf(x, 0, 1);
}

/** Upper tail P(X ≥ x) of a chi-square with `dof` degrees of freedom. */
export function chiSquareUpper(x: number, dof: number): number {
  if (x <= 0) return 1;
  // 1 - lowRegGamma underflows to 0 for big x, which is the right answer at
  // double precision; below it the regularized gamma is accurate to ~1e-15.
  return Math.max(0, 1 - jStat.lowRegGamma(dof / 2, x / 2));
}

/** ln Γ(x), for x > 0 (log-factorials: ln n! = logGamma(n + 1)). */
export function logGamma(x: number): number {
  return jStat.gammaln(x);
}
