/**
 * The relative lift `mean(b) / mean(a) − 1` and its interval by the delta
 * method: for independent groups, Var(ȳb/ȳa) ≈ Var(ȳb)/ȳa² + ȳb²·Var(ȳa)/ȳa⁴
 * (Deng, Knoblich & Lu, "Applying the Delta Method in Metric Analytics", KDD
 * 2018, eq. 4; GrowthBook's `frequentist_variance(relative=True)` is the same).
 * The interval uses Student's t with the Welch–Satterthwaite df, as GrowthBook does.
 */
import { tQuantile, tTwoSidedP } from "./dist.ts";
import { welchDf, type GroupSummary } from "./welch.ts";

/** Relative lift of b over a with its standard error, CI and p. */
export interface RelativeLift {
  lift: number;
  se: number;
  ciLow: number;
  ciHigh: number;
  p: number;
}

/** Delta-method variance of `ȳb/ȳa − 1`. */
export function relativeLiftVariance(a: GroupSummary, b: GroupSummary): number {
  const ma = a.mean;
  return b.variance / (b.n * ma * ma) + (a.variance * b.mean * b.mean) / (a.n * ma ** 4);
}

/** Relative lift test; null when the holdout mean is 0 (the ratio is undefined) or groups are too small. */
export function relativeLift(a: GroupSummary, b: GroupSummary, alpha: number): RelativeLift | null {
  if (a.n < 2 || b.n < 2 || a.mean === 0) return null;
  const v = relativeLiftVariance(a, b);
  if (!(v > 0)) return null;
  const se = Math.sqrt(v);
  const lift = b.mean / a.mean - 1;
  const df = welchDf(a, b);
  const half = tQuantile(1 - alpha / 2, df) * se;
  return { lift, se, ciLow: lift - half, ciHigh: lift + half, p: tTwoSidedP(lift / se, df) };
}
