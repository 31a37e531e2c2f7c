/**
 * Issue 17's small counts outside the score interval itself: Fisher's exact
 * p where Cochran's rule says the score test's tail is too light, and
 * revenue's SE floored at Student's pooled one. References: scipy 1.17.1
 * (`scipy.stats.fisher_exact([[xh, nh - xh], [xt, nt - xt]])[1]`).
 */
import { describe, expect, it } from "vitest";
import { cochranSmall, COCHRAN_MIN_EXPECTED, fisherExactP, pooledVariance, welchTest } from "../../experiments/stats/index.ts";
import { compareMetric } from "../../experiments/compare.ts";
import { emptyMoments } from "../../experiments/stats/index.ts";

describe("Fisher's exact test", () => {
  it("matches scipy's two-sided p", () => {
    const cases: [number, number, number, number, number][] = [
      [8, 105, 40, 2000, 0.0020916105630332527],
      [0, 105, 37, 2000, 0.25748788609704554],
      [2, 105, 40, 2000, 1.0],
      [1, 20, 9, 30, 0.03662366952821723],
      [3, 222, 60, 2000, 0.20168872168305235],
      [5, 5, 0, 10, 0.000333000333000333],
    ];
    for (const [xh, nh, xt, nt, p] of cases) expect(Math.abs(fisherExactP({ x: xh, n: nh }, { x: xt, n: nt }) / p - 1)).toBeLessThan(1e-9);
  });

  it("applies below 5 expected in the smallest cell (Cochran), at the edge exactly", () => {
    expect(COCHRAN_MIN_EXPECTED).toBe(5);
    // 100 held out of 1,000, 50 conversions: the smallest cell expects 100 · 50 / 1000 = 5 — not below.
    expect(cochranSmall({ x: 5, n: 100 }, { x: 45, n: 900 })).toBe(false);
    expect(cochranSmall({ x: 5, n: 100 }, { x: 44, n: 900 })).toBe(true); // 4.95
    // Non-conversions count too: 950 of 1,000 converted.
    expect(cochranSmall({ x: 95, n: 100 }, { x: 855, n: 900 })).toBe(false);
    expect(cochranSmall({ x: 95, n: 100 }, { x: 856, n: 900 })).toBe(true);
  });

  it("makes the reported p the larger of the score test's and Fisher's, so a discovery always has its interval clear of 0", () => {
    const m = (n: number, x: number) => ({ ...emptyMoments(), n, sum: x, sumSq: x });
    // 8 of 105 held out against 40 of 2,000: the score test says p = 1.6e-4, Fisher 0.0021.
    const c = compareMetric(m(105, 8), m(2000, 40), { alpha: 0.05, sequential: false, tuning: 5000, cuped: false, binary: true }).metric;
    expect(c.fisher_p!).toBeCloseTo(0.0020916105630332527, 12);
    expect(c.p).toBe(c.fisher_p);
    expect(c.ci_high!).toBeLessThan(0);
    // Large counts: no exact p, the score p as it was.
    const big = compareMetric(m(1000, 60), m(9000, 500), { alpha: 0.05, sequential: false, tuning: 5000, cuped: false, binary: true }).metric;
    expect(big.fisher_p).toBeNull();
  });
});

describe("revenue's standard error floor", () => {
  const a = { n: 105, mean: 0.4, variance: 20 };
  const b = { n: 2000, mean: 1.1, variance: 80 };
  it("is Student's pooled variance, ((na − 1)va + (nb − 1)vb)/(na + nb − 2)", () => {
    expect(pooledVariance(a, b)).toBeCloseTo((104 * 20 + 1999 * 80) / 2103, 12);
  });
  it("replaces Welch's SE when larger, with the same SE in interval and p", () => {
    const w = welchTest(a, b, 0.05)!;
    const f = welchTest(a, b, 0.05, true)!;
    const floor = Math.sqrt(pooledVariance(a, b) * (1 / 105 + 1 / 2000));
    expect(floor).toBeGreaterThan(w.se);
    expect(f.se).toBeCloseTo(floor, 14);
    expect(f.df).toBe(w.df);
    expect((f.ciHigh - f.ciLow) / (w.ciHigh - w.ciLow)).toBeCloseTo(floor / w.se, 12);
    // A holdout with the larger variance: Welch's SE is already above the floor and stays.
    const g = welchTest({ ...a, variance: 400 }, b, 0.05, true)!;
    expect(g.se).toBeCloseTo(welchTest({ ...a, variance: 400 }, b, 0.05)!.se, 14);
  });
});
