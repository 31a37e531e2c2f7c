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

/**
 * The bound on |z| = |estimate| / SE at a look with `n` units in total: the
 * half-width of a sequence with SE 1. |z| above it ⇔ the always-valid p is
 * below alpha ⇔ the sequence excludes the null, so an interval found by
 * inverting a test at this bound (the conversion score test) keeps p and
 * interval in agreement.
 */
export function sequentialBoundary(n: number, alpha: number, tuning: number): number {
  return sequentialHalfWidth(1, n, alpha, tuning);
}

/**
 * Fewest conversions, and fewest non-conversions, each group needs before
 * the sequence is reported. The sequence is asymptotic: it is valid once each
 * group's mean is close to normal (Waudby-Smith et al. 2023: the asymptotic
 * sequence of an i.i.d. mean with a consistent variance estimate holds in the
 * limit, as the central limit theorem does), and for a 0/1 outcome the
 * textbook condition for that is n·p ≥ 10 and n·(1 − p) ≥ 10 (the
 * "success–failure condition", Diez, Çetinkaya-Rundel & Barr, OpenIntro
 * Statistics, 4th ed., 2019, §5.1). Revenue per customer is a mean over the
 * same buyers, so it waits for the same counts. docs/statistics.md,
 * "Sequential", gives the measured false-positive rates.
 */
export const SEQUENTIAL_MIN_COUNT = 10;

/**
 * Why no always-valid p can be reported yet, or null when both groups have
 * `SEQUENTIAL_MIN_COUNT` conversions and non-conversions: `x` converted of `n`.
 */
export function sequentialTooEarly(hold: { x: number; n: number }, treat: { x: number; n: number }): string | null {
  const k = SEQUENTIAL_MIN_COUNT;
  const short: string[] = [];
  for (const [name, g] of [["holdout", hold], ["treatment", treat]] as const) {
    if (g.x < k) short.push(`the ${name} has ${g.x} conversion${g.x === 1 ? "" : "s"}`);
    else if (g.n - g.x < k) short.push(`the ${name} has ${g.n - g.x} non-conversion${g.n - g.x === 1 ? "" : "s"}`);
  }
  if (!short.length) return null;
  return `${short.join(" and ")}; the confidence sequence needs ${k} conversions and ${k} non-conversions in each group`;
}
