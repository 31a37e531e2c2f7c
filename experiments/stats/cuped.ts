/**
 * CUPED (Deng, Xu, Kohavi & Walker, "Improving the Sensitivity of Online
 * Controlled Experiments by Utilizing Pre-Experiment Data", WSDM 2013): the
 * outcome y is replaced by y − θ(x − x̄), x being the same metric over the
 * equal-length period before entry and θ = Cov(x, y)/Var(x) estimated on both
 * groups pooled (so θ does not depend on the assignment and the estimate of
 * the difference stays unbiased). The variance of the difference shrinks by
 * about ρ²(x, y); we report the reduction actually achieved.
 */
import { mean, nonNegative, variance, type Moments } from "./moments.ts";
import type { GroupSummary } from "./welch.ts";

/** Groups adjusted by CUPED, ready for `welchTest`. */
export interface CupedResult {
  a: GroupSummary;
  b: GroupSummary;
  theta: number;
  /** 1 − Var_adj(diff)/Var(diff), in [0, 1) in practice. */
  varianceReduction: number;
}

function pooled(a: Moments, b: Moments): Moments {
  return {
    n: a.n + b.n,
    sum: a.sum + b.sum,
    sumSq: a.sumSq + b.sumSq,
    sumX: a.sumX + b.sumX,
    sumXSq: a.sumXSq + b.sumXSq,
    sumXY: a.sumXY + b.sumXY,
  };
}

function covXY(m: Moments): number {
  return (m.sumXY - (m.sumX * m.sum) / m.n) / (m.n - 1);
}

function varX(m: Moments): number {
  return nonNegative(m.sumXSq - (m.sumX * m.sumX) / m.n, m.sumXSq) / (m.n - 1);
}

/**
 * CUPED-adjusted summaries of holdout `a` and treatment `b`. Null when the
 * covariate carries no information (zero variance) or the groups are too small.
 */
export function cuped(a: Moments, b: Moments): CupedResult | null {
  if (a.n < 2 || b.n < 2) return null;
  const all = pooled(a, b);
  const vx = varX(all);
  if (!(vx > 0)) return null;
  const theta = covXY(all) / vx;
  const xbar = all.sumX / all.n;
  const adjust = (m: Moments): GroupSummary => {
    const vy = variance(m);
    const vx = varX(m);
    // Var(y − θx): when x explains y exactly this is a difference of equal numbers, i.e. rounding.
    const vAdj = nonNegative(vy - 2 * theta * covXY(m) + theta * theta * vx, vy + theta * theta * vx);
    return { n: m.n, mean: mean(m) - theta * (m.sumX / m.n - xbar), variance: vAdj };
  };
  const ra = adjust(a);
  const rb = adjust(b);
  const before = variance(a) / a.n + variance(b) / b.n;
  const after = ra.variance / ra.n + rb.variance / rb.n;
  return { a: ra, b: rb, theta, varianceReduction: before > 0 ? 1 - after / before : 0 };
}
