/**
 * Asymptotic confidence sequences (Waudby-Smith, Arnold, Wu, Ramdas & Aaditya,
 * "Time-uniform central limit theory and asymptotic confidence sequences",
 * 2023, arXiv:2103.06476v7, eq. 9 for the interval, eq. 155 for the p-value),
 * parameterised as GrowthBook's gbstats does: ρ is chosen so the sequence is
 * tightest near N = the tuning parameter (eq. 161), N is the total of both
 * groups and s² = SE²·N. An interval that stays valid however often one looks.
 */

/** GrowthBook's default tuning parameter (expected total sample size). */
export const DEFAULT_TUNING = 5000;

/** ρ of eq. 161 for a two-sided sequence at level alpha. */
export function sequentialRho(alpha: number, tuning: number): number {
  const l = -2 * Math.log(alpha);
  return Math.sqrt((l + Math.log(l + 1)) / tuning);
}

/** Half-width of the confidence sequence for an estimate with standard error `se` from `n` units in total. */
export function sequentialHalfWidth(se: number, n: number, alpha: number, tuning: number): number {
  const rho = sequentialRho(alpha, tuning);
  const s2 = se * se * n;
  const nr2 = n * rho * rho + 1;
  return Math.sqrt(s2) * Math.sqrt((2 * nr2 * Math.log(Math.sqrt(nr2) / alpha)) / (n * rho) ** 2);
}

/** Always-valid p-value: 1 / the e-value of eq. 155, capped at 1. */
export function sequentialPValue(estimate: number, se: number, n: number, alpha: number, tuning: number): number {
  const rho = sequentialRho(alpha, tuning);
  // S_t²/σ² of the paper = N·(estimate/se)², since σ² = se²·N.
  const st2 = (n * estimate * estimate) / (se * se);
  const tr2p1 = n * rho * rho + 1;
  const logE = (rho * rho * st2) / (2 * tr2p1) - 0.5 * Math.log(tr2p1);
  // Work in logs: the e-value overflows for strong effects.
  return Math.min(1, Math.exp(-logE));
}
