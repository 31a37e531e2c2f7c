/**
 * Sufficient statistics of one group's per-customer metric: the count, the sum
 * and the sum of squares, plus (for CUPED) the same for a pre-period covariate
 * and the cross product. Every test in `stats/` works from these, so a report
 * over a million entries keeps six numbers per group, never the rows.
 */

/** Sums over the customers of one group. `x` is the pre-period covariate. */
export interface Moments {
  n: number;
  sum: number;
  sumSq: number;
  sumX: number;
  sumXSq: number;
  sumXY: number;
}

/** Empty moments. */
export function emptyMoments(): Moments {
  return { n: 0, sum: 0, sumSq: 0, sumX: 0, sumXSq: 0, sumXY: 0 };
}

/** Adds one customer's outcome `y` (and covariate `x`, 0 when absent). */
export function addObservation(m: Moments, y: number, x = 0): void {
  m.n += 1;
  m.sum += y;
  m.sumSq += y * y;
  m.sumX += x;
  m.sumXSq += x * x;
  m.sumXY += x * y;
}

/** Moments of a plain list of values (tests, small inputs). */
export function momentsOf(ys: readonly number[], xs?: readonly number[]): Moments {
  const m = emptyMoments();
  ys.forEach((y, i) => addObservation(m, y, xs ? xs[i]! : 0));
  return m;
}

/** Sample mean; NaN for an empty group. */
export function mean(m: Moments): number {
  return m.n === 0 ? NaN : m.sum / m.n;
}

/**
 * A difference of sums that should be ≥ 0, with what rounding leaves of it
 * taken as 0: anything within 1e-12 of the `scale` it was computed from (say,
 * a sum of squares) is cancellation noise, not spread. Without this, sums
 * that differ only in their last bits (exact decimal sums in DuckDB, double
 * sums in memory) turn a constant metric into a tiny variance on one path and
 * none on the other, and the two reports disagree about whether there is an
 * interval at all.
 */
export function nonNegative(v: number, scale: number): number {
  return v <= Math.abs(scale) * 1e-12 ? 0 : v;
}

/** Unbiased sample variance (n − 1 denominator), computed from the sums; 0 when only rounding is left. */
export function variance(m: Moments): number {
  if (m.n < 2) return NaN;
  return nonNegative(m.sumSq - (m.sum * m.sum) / m.n, m.sumSq) / (m.n - 1);
}
