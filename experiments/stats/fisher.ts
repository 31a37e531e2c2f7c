/**
 * Fisher's exact test of a 2×2 table (Fisher, "The logic of inductive
 * inference", JRSS 98, 1935), two-sided as R's `fisher.test` and scipy's
 * `fisher_exact` compute it: with the margins fixed, the holdout's
 * conversions are hypergeometric, and p is the probability of every table no
 * more likely than the one observed (with R's relative tolerance of 1e-7 for
 * ties). The report uses it where the score test's normal approximation does
 * not hold, Cochran's rule: a cell of the table expects under 5 customers
 * (Cochran, "Some methods for strengthening the common χ² tests",
 * Biometrics 10, 1954) — docs/statistics.md, "Conversion".
 */
import { logGamma } from "./dist.ts";
import type { Counts } from "./proportions.ts";

/** Cochran's bound: every cell of the 2×2 table should expect at least this many. */
export const COCHRAN_MIN_EXPECTED = 5;

/** True when some cell of the table of `h` and `t` expects fewer than `COCHRAN_MIN_EXPECTED` customers under independence. */
export function cochranSmall(h: Counts, t: Counts): boolean {
  const N = h.n + t.n;
  const K = h.x + t.x;
  if (N === 0) return false;
  const min = Math.min(h.n, t.n) * Math.min(K, N - K) / N;
  return min < COCHRAN_MIN_EXPECTED;
}

const lfact = (n: number) => logGamma(n + 1);

/** Two-sided Fisher exact p of holdout `h` against treatment `t` (conversions of customers). */
export function fisherExactP(h: Counts, t: Counts): number {
  const N = h.n + t.n;
  const K = h.x + t.x;
  const lo = Math.max(0, K - t.n);
  const hi = Math.min(h.n, K);
  const base = lfact(h.n) + lfact(t.n) + lfact(K) + lfact(N - K) - lfact(N);
  const logP = (x: number) => base - lfact(x) - lfact(h.n - x) - lfact(K - x) - lfact(t.n - K + x);
  const obs = logP(h.x);
  const bound = obs + Math.log1p(1e-7);
  let p = 0;
  for (let x = lo; x <= hi; x++) {
    const l = logP(x);
    if (l <= bound) p += Math.exp(l);
  }
  return Math.min(1, p);
}
