/**
 * Power for a two-sided test at level alpha: the minimum detectable effect at
 * power 1 − β is (z₁₋α/₂ + z₁₋β)·SE (the normal approximation of every A/B
 * calculator, e.g. Kohavi, Tang & Xu, "Trustworthy Online Controlled
 * Experiments", 2020, ch. 17), and since SE shrinks as 1/√n, the sample needed
 * for a target effect is n·(MDE/target)².
 */
import { normalCdf, zQuantile } from "./dist.ts";

/** The power the report's MDE is quoted at. */
export const DEFAULT_POWER = 0.8;

/** Minimum detectable (absolute) effect for a difference with standard error `se`. */
export function minimumDetectableEffect(se: number, alpha: number, power = DEFAULT_POWER): number {
  return (zQuantile(1 - alpha / 2) + zQuantile(power)) * se;
}

/**
 * Days more (at the current entry rate) until an absolute effect `target` is
 * detectable at `power`, given the current SE after `elapsedDays`. 0 when it
 * already is; null when the target is not a positive number.
 */
export function daysToDetect(se: number, target: number, elapsedDays: number, alpha: number, power = DEFAULT_POWER): number | null {
  if (!(Math.abs(target) > 0) || !(se > 0) || !(elapsedDays > 0)) return null;
  const ratio = minimumDetectableEffect(se, alpha, power) / Math.abs(target);
  const totalDays = elapsedDays * ratio * ratio;
  return Math.max(0, totalDays - elapsedDays);
}

/**
 * Power of the two-sided level-`alpha` test to detect a true absolute effect
 * `effect` when the lift's standard error is `se`: Φ(|δ|/SE − z₁₋α/₂) +
 * Φ(−|δ|/SE − z₁₋α/₂), the normal approximation the MDE above inverts (at
 * δ = MDE it is `DEFAULT_POWER`, up to the second term's few 1e-4). Null
 * when the SE is unknown.
 */
export function powerAt(se: number | null, effect: number, alpha: number): number | null {
  if (se === null || !(se > 0)) return null;
  const z = zQuantile(1 - alpha / 2);
  const k = Math.abs(effect) / se;
  return normalCdf(k - z) + normalCdf(-k - z);
}

/** The SE behind a minimum detectable effect quoted at `power` (its inverse). */
export function seFromMde(mde: number | null | undefined, alpha: number, power = DEFAULT_POWER): number | null {
  if (mde === null || mde === undefined || !(mde > 0)) return null;
  return mde / (zQuantile(1 - alpha / 2) + zQuantile(power));
}
