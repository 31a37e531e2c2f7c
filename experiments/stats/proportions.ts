/**
 * Score methods for two proportions (a binary outcome per customer): the
 * Miettinen–Nurminen interval for the difference `pT − pH` and for the ratio
 * `pT / pH`, both by inverting the same score test (Miettinen & Nurminen,
 * "Comparative analysis of two rates", Statistics in Medicine 4, 1985). At the
 * null (difference 0, ratio 1) the two statistics coincide — the restricted
 * estimate is the pooled rate for both — so one p serves both intervals, and
 * each interval excludes its null exactly when p < alpha. Unlike Welch's
 * interval, a group with 0 conversions is not a rate of exactly 0 here: its
 * variance is taken at the restricted estimate, never at the observed 0.
 */
import { normalCdf, zQuantile } from "./dist.ts";

/** Conversions `x` out of `n` customers. */
export interface Counts {
  x: number;
  n: number;
}

/** The score comparison of treatment `t` with holdout `h`. */
export interface ProportionTest {
  /** pT − pH with its interval. */
  diff: number;
  ciLow: number;
  ciHigh: number;
  /** pT / pH − 1 (null when pH = 0) with its interval; ciRelHigh is Infinity when pH = 0. */
  lift: number | null;
  ciRelLow: number;
  ciRelHigh: number;
  /** Two-sided score-test p of pT = pH, shared by both intervals. */
  p: number;
  /** The score statistic of pT = pH behind p (±Infinity when a variance is 0). */
  z: number;
  /** Score standard error of the difference under the null (pooled rate), for power. */
  se: number;
}

/** Most steps of the root search for an interval bound (it stops at 1e-13 of the bracket, usually within 10). */
const ITER = 100;

/**
 * Maximum-likelihood `pH` under the constraint `pT = g(pH)` (g linear with
 * slope `k`), in the feasible range `lo`–`hi`. The log-likelihood is concave
 * in pH, so its score is decreasing: Newton's method, kept inside a shrinking
 * bracket (a step that leaves it bisects instead), converges in a few steps.
 */
function restricted(h: Counts, t: Counts, g: (p: number) => number, k: number, lo: number, hi: number): number {
  const fh = h.n - h.x;
  const ft = t.n - t.x;
  let a = lo;
  let b = hi;
  // Start from the pooled rate when it is feasible: under the null it is the answer.
  const pool = (h.x + t.x) / (h.n + t.n);
  let p = pool > lo && pool < hi ? pool : (lo + hi) / 2;
  for (let i = 0; i < 200; i++) {
    const q = g(p);
    const s = (h.x && h.x / p) - (fh && fh / (1 - p)) + k * ((t.x && t.x / q) - (ft && ft / (1 - q)));
    if (s > 0) a = p;
    else b = p;
    const ds = -(h.x && h.x / (p * p)) - (fh && fh / ((1 - p) * (1 - p))) - k * k * ((t.x && t.x / (q * q)) + (ft && ft / ((1 - q) * (1 - q))));
    let next = ds < 0 ? p - s / ds : NaN;
    if (!(next > a && next < b)) next = (a + b) / 2;
    if (Math.abs(next - p) <= 1e-14 * p || b - a <= 1e-15) return next;
    p = next;
  }
  return p;
}

/**
 * The restricted estimate of pH under pT − pH = d in closed form: the root of
 * Miettinen & Nurminen's cubic (1985, appendix) by the trigonometric
 * solution. Null when rounding leaves it outside the feasible range, so the
 * caller falls back to the numerical maximum.
 */
function mnCubic(h: Counts, t: Counts, d: number, lo: number, hi: number): number | null {
  const N = h.n + t.n;
  const l3 = N;
  const l2 = (t.n + 2 * h.n) * d - N - t.x - h.x;
  const l1 = (h.n * d - N - 2 * h.x) * d + t.x + h.x;
  const l0 = h.x * d * (1 - d);
  const q = l2 ** 3 / (3 * l3) ** 3 - (l1 * l2) / (6 * l3 * l3) + l0 / (2 * l3);
  const u = Math.sign(q) * Math.sqrt(Math.max(0, (l2 * l2) / (3 * l3) ** 2 - l1 / (3 * l3)));
  const c = u === 0 ? 0 : Math.max(-1, Math.min(1, q / u ** 3));
  const p = 2 * u * Math.cos((Math.PI + Math.acos(c)) / 3) - l2 / (3 * l3);
  return p >= lo && p <= hi ? p : null;
}

/** The restricted estimate of pH under pT = r·pH in closed form (the quadratic of the same paper); null when infeasible. */
function mnQuadratic(h: Counts, t: Counts, r: number): number | null {
  const A = (h.n + t.n) * r;
  const B = -(t.n * r + t.x + h.n + h.x * r);
  const C = t.x + h.x;
  const p = (-B - Math.sqrt(Math.max(0, B * B - 4 * A * C))) / (2 * A);
  return p >= 0 && p <= Math.min(1, 1 / r) ? p : null;
}

/** MN score statistic of H0: pT − pH = d (positive when the observed difference is above d). */
export function scoreDiff(h: Counts, t: Counts, d: number): number {
  const ph = h.x / h.n;
  const pt = t.x / t.n;
  const lo = Math.max(0, -d);
  const hi = Math.min(1, 1 - d);
  const qh = mnCubic(h, t, d, lo, hi) ?? restricted(h, t, (p) => p + d, 1, lo, hi);
  const qt = Math.min(1, Math.max(0, qh + d));
  const N = h.n + t.n;
  const v = (qt * (1 - qt) / t.n + qh * (1 - qh) / h.n) * (N / (N - 1));
  const num = pt - ph - d;
  if (num === 0) return 0;
  return v > 0 ? num / Math.sqrt(v) : num > 0 ? Infinity : -Infinity;
}

/** MN score statistic of H0: pT = r·pH (positive when pT is above r·pH). */
export function scoreRatio(h: Counts, t: Counts, r: number): number {
  const ph = h.x / h.n;
  const pt = t.x / t.n;
  const qh = mnQuadratic(h, t, r) ?? restricted(h, t, (p) => r * p, r, 0, Math.min(1, 1 / r));
  const qt = Math.min(1, r * qh);
  const N = h.n + t.n;
  const v = (qt * (1 - qt) / t.n + r * r * qh * (1 - qh) / h.n) * (N / (N - 1));
  const num = pt - r * ph;
  if (num === 0) return 0;
  return v > 0 ? num / Math.sqrt(v) : num > 0 ? Infinity : -Infinity;
}

/**
 * The `x` in [lo, hi] where decreasing `f` crosses `z`: the Illinois variant
 * of false position (a handful of evaluations on these smooth statistics),
 * bisecting while an end of the bracket is infinite (a variance of 0 there).
 */
function crossing(f: (x: number) => number, z: number, lo: number, hi: number): number {
  let a = lo;
  let b = hi;
  let fa = f(a) - z;
  let fb = f(b) - z;
  if (!(fa > 0)) return a;
  if (!(fb < 0)) return b;
  let side = 0;
  for (let i = 0; i < ITER; i++) {
    const finite = Number.isFinite(fa) && Number.isFinite(fb);
    const m = finite ? b - (fb * (b - a)) / (fb - fa) : (a + b) / 2;
    const fm = f(m) - z;
    if (Math.abs(fm) < 1e-12 || b - a <= 1e-13 * Math.max(1, Math.abs(m))) return m;
    if (fm > 0) {
      a = m;
      fa = fm;
      if (side === 1) fb /= 2;
      side = 1;
    } else {
      b = m;
      fb = fm;
      if (side === -1) fa /= 2;
      side = -1;
    }
  }
  return (a + b) / 2;
}

/** Log-ratio bounds searched; beyond e^±LOG_R the ratio is reported as 0 or Infinity. */
const LOG_R = 30;

/**
 * Miettinen–Nurminen comparison of treatment `t` with holdout `h` at level
 * `alpha`: difference and ratio intervals from the one score test. Null when
 * a group is empty or the total is under 2 customers. `crit` replaces the
 * normal quantile z₁₋α/₂ as the bound on |z| (a confidence sequence's
 * boundary at this look, `sequentialBoundary`); `p` stays the fixed-horizon one.
 */
export function scoreTest(h: Counts, t: Counts, alpha: number, crit?: number): ProportionTest | null {
  if (h.n < 1 || t.n < 1 || h.n + t.n < 2) return null;
  const z = crit ?? zQuantile(1 - alpha / 2);
  const ph = h.x / h.n;
  const pt = t.x / t.n;
  const diff = pt - ph;
  const fd = (d: number) => scoreDiff(h, t, d);
  const ciLow = diff <= -1 ? -1 : crossing(fd, z, -1, diff);
  const ciHigh = diff >= 1 ? 1 : crossing(fd, -z, diff, 1);
  // Ratio bounds on the log scale: the score is decreasing in r as in d.
  const fr = (l: number) => scoreRatio(h, t, Math.exp(l));
  const rHat = ph === 0 ? Infinity : pt / ph;
  const lHat = rHat === 0 ? -LOG_R : rHat === Infinity ? LOG_R : Math.log(rHat);
  const rLow = pt === 0 || fr(-LOG_R) <= z ? 0 : Math.exp(crossing(fr, z, -LOG_R, lHat));
  const rHigh = ph === 0 || fr(LOG_R) >= -z ? Infinity : Math.exp(crossing(fr, -z, lHat, LOG_R));
  const z0 = scoreDiff(h, t, 0);
  const pool = (h.x + t.x) / (h.n + t.n);
  const N = h.n + t.n;
  return {
    diff, ciLow, ciHigh,
    lift: ph === 0 ? null : rHat - 1,
    ciRelLow: rLow - 1,
    ciRelHigh: rHigh - 1,
    p: Math.min(1, 2 * normalCdf(-Math.abs(z0))),
    z: z0,
    se: Math.sqrt(pool * (1 - pool) * (1 / h.n + 1 / t.n) * (N / (N - 1))),
  };
}

/**
 * Fewer expected holdout conversions than this (holdout size × pooled rate)
 * and no method can judge the rule: the holdout most likely has 0 or 1
 * conversions whatever the truth. See docs/statistics.md for the calibration.
 */
export const MIN_EXPECTED_CONVERSIONS = 1;

/**
 * Holdout customers needed for `MIN_EXPECTED_CONVERSIONS` expected conversions
 * at the pooled rate, when the holdout has fewer than that; 0 when it has
 * enough; null when nobody converted (no rate to plan with).
 */
export function holdoutNeeded(h: Counts, t: Counts): number | null {
  const pool = (h.x + t.x) / (h.n + t.n);
  if (!(pool > 0)) return null;
  const rate = Math.min(pool, 1 - pool);
  if (rate === 0) return null;
  return h.n * rate >= MIN_EXPECTED_CONVERSIONS ? 0 : Math.ceil(MIN_EXPECTED_CONVERSIONS / rate);
}
