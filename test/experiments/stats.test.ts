/**
 * Every statistical function against values computed independently with
 * scipy 1.17.1 / numpy (the script is quoted in each block so it can be re-run).
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  benjaminiHochberg, cuped, daysToDetect, holdoutNeeded, scoreTest, mean, minimumDetectableEffect, momentsOf, relativeLift,
  sequentialHalfWidth, sequentialPValue, sequentialRho, srmPValue, variance, welchTest, type GroupSummary,
} from "../../experiments/stats/index.ts";

const A = [12.1, 14.3, 9.8, 11.0, 13.5, 10.2];
const B = [15.2, 13.9, 16.8, 14.1, 17.3, 15.0, 16.2];
const summary = (xs: number[]): GroupSummary => {
  const m = momentsOf(xs);
  return { n: m.n, mean: mean(m), variance: variance(m) };
};

describe("Welch's t-test", () => {
  // scipy: r = stats.ttest_ind(B, A, equal_var=False); r.statistic, r.pvalue, r.df, r.confidence_interval(0.95)
  it("matches scipy's ttest_ind(equal_var=False): t, p, Welch–Satterthwaite df and 95% CI", () => {
    const r = welchTest(summary(A), summary(B), 0.05)!;
    expect(r.t).toBeCloseTo(4.137863734491411, 9);
    expect(r.df).toBeCloseTo(8.974444641803844, 9);
    expect(r.p).toBeCloseTo(0.0025452050789912884, 8);
    expect(r.ciLow).toBeCloseTo(1.6687921064018791, 6);
    expect(r.ciHigh).toBeCloseTo(5.697874560264788, 6);
  });

  it("gives no test when a group has fewer than two customers or no variance at all", () => {
    expect(welchTest(summary([1]), summary(B), 0.05)).toBeNull();
    expect(welchTest(summary([0, 0, 0]), summary([0, 0]), 0.05)).toBeNull();
  });

  it("is antisymmetric: swapping the groups negates the difference and keeps p", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: 3, maxLength: 20 }),
        fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: 3, maxLength: 20 }),
        (xs, ys) => {
          const r1 = welchTest(summary(xs), summary(ys), 0.05);
          const r2 = welchTest(summary(ys), summary(xs), 0.05);
          if (!r1 || !r2) return r1 === r2;
          return Math.abs(r1.diff + r2.diff) < 1e-9 && Math.abs(r1.p - r2.p) < 1e-9;
        },
      ),
    );
  });
});

describe("relative lift by the delta method", () => {
  // numpy: v = vb/(nb*ma**2) + va*mb**2/(na*ma**4); half = stats.t.ppf(0.975, welch_df)*sqrt(v)
  it("matches the delta-method formula evaluated in numpy with Welch df", () => {
    const r = relativeLift(summary(A), summary(B), 0.05)!;
    expect(r.lift).toBeCloseTo(0.311706629055007, 12);
    expect(r.se).toBeCloseTo(0.09219862171933678, 12);
    expect(r.ciLow).toBeCloseTo(0.10304828824312315, 7);
    expect(r.ciHigh).toBeCloseTo(0.5203649698668908, 7);
    expect(r.p).toBeCloseTo(0.00814960051847035, 7);
  });

  it("is undefined when the holdout mean is zero", () => {
    expect(relativeLift(summary([0, 0, 0]), summary(B), 0.05)).toBeNull();
  });
});

describe("Benjamini–Hochberg", () => {
  // scipy: stats.false_discovery_control([0.01, 0.04, 0.03, 0.005, 0.2, 0.5])
  it("matches scipy's false_discovery_control", () => {
    const q = benjaminiHochberg([0.01, 0.04, 0.03, 0.005, 0.2, 0.5]);
    const want = [0.03, 0.06, 0.06, 0.03, 0.24, 0.5];
    q.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 12));
  });

  it("passes nulls through and leaves them out of the count", () => {
    expect(benjaminiHochberg([0.02, null, 0.04])).toEqual([0.04, null, 0.04]);
  });

  it("never lowers a p-value, never exceeds 1, and keeps the order of the p-values", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 30 }), (ps) => {
        const q = benjaminiHochberg(ps) as number[];
        return ps.every((p, i) => q[i]! >= p - 1e-15 && q[i]! <= 1 && ps.every((p2, j) => !(p < p2) || q[i]! <= q[j]! + 1e-15));
      }),
    );
  });
});

describe("sample-ratio mismatch", () => {
  // scipy: stats.chisquare([9021, 1003], [10024*0.9, 10024*0.1]).pvalue ; stats.chisquare([5200, 4800], [5000, 5000]).pvalue
  it("matches scipy's chisquare goodness of fit", () => {
    expect(srmPValue(9021, 1003, 0.1)).toBeCloseTo(0.9840624835778292, 10);
    expect(srmPValue(4800, 5200, 0.5)!).toBeCloseTo(6.334248366623988e-5, 14);
  });

  it("cannot test a 0% or 100% split", () => {
    expect(srmPValue(10, 0, 0)).toBeNull();
    expect(srmPValue(0, 0, 0.1)).toBeNull();
  });
});

describe("CUPED", () => {
  // numpy: theta = cov(x, y)/var(x) pooled; y' = y - theta*(x - mean(x)); stats.ttest_ind(yb', ya', equal_var=False)
  const X = [10.0, 12.0, 9.0, 11.5, 13.0, 10.5, 11.0, 9.5, 14.0, 12.5, 10.0, 13.5, 11.0];
  it("matches a t-test on the adjusted values computed in numpy, and reports the variance reduction", () => {
    const r = cuped(momentsOf(A, X.slice(0, 6)), momentsOf(B, X.slice(6)))!;
    expect(r.theta).toBeCloseTo(0.6331606217616579, 12);
    expect(r.varianceReduction).toBeCloseTo(0.18428239213890785, 10);
    const t = welchTest(r.a, r.b, 0.05)!;
    expect(t.t).toBeCloseTo(4.075201656905685, 8);
    expect(t.p).toBeCloseTo(0.0018634923651538462, 8);
    expect(t.ciLow).toBeCloseTo(1.5051630353509453, 6);
    expect(t.ciHigh).toBeCloseTo(5.047439974765018, 6);
  });

  it("does nothing when the covariate is constant", () => {
    expect(cuped(momentsOf(A, A.map(() => 1)), momentsOf(B, B.map(() => 1)))).toBeNull();
  });
});

describe("sequential confidence sequences", () => {
  // numpy, Waudby-Smith et al. eq. 9/155/161 as gbstats writes them: alpha 0.05, tuning 5000, N 10000, se 0.004, estimate 0.01
  it("match the paper's formulas evaluated in numpy", () => {
    expect(sequentialRho(0.05, 5000)).toBeCloseTo(0.03984006677137368, 14);
    expect(sequentialHalfWidth(0.004, 10000, 0.05, 5000)).toBeCloseTo(0.012245908875469667, 12);
    expect(sequentialPValue(0.01, 0.004, 10000, 0.05, 5000)).toBeCloseTo(0.2171974575076886, 10);
  });

  it("are wider than the fixed-horizon interval (the price of peeking)", () => {
    for (const n of [100, 1000, 10000, 1e6]) expect(sequentialHalfWidth(0.01, n, 0.05, 5000)).toBeGreaterThan(1.96 * 0.01);
  });
});

describe("power", () => {
  // scipy: (norm.ppf(0.975) + norm.ppf(0.8)) * 0.01 ; 10*((that)/0.005)**2 - 10
  it("gives the MDE at 80% power and the days a target effect still needs", () => {
    expect(minimumDetectableEffect(0.01, 0.05)).toBeCloseTo(0.028015852181129685, 10);
    expect(daysToDetect(0.01, 0.005, 10, 0.05)).toBeCloseTo(303.95518937396355, 6);
    expect(daysToDetect(0.01, 0.5, 10, 0.05)).toBe(0);
  });
});

describe("Miettinen–Nurminen score interval and test for two proportions", () => {
  // Ratio and p: statsmodels 0.15 confint_proportions_2indep(xT, nT, xH, nH, method="score", compare="ratio",
  // correction=True) and test_proportions_2indep(..., method="score", compare="diff", correction=True).pvalue.
  // Difference: the MN statistic with the restricted MLE found by scipy's minimize_scalar(bounded, xatol 1e-15)
  // and the bounds by brentq (statsmodels' closed-form restricted estimate for the difference is ~2% off
  // at these counts and its brentq bracket fails when a group has 0 conversions).
  const cases: [number, number, number, number, number, number, number, number, number][] = [
    // xT, nT, xH, nH, diff low, diff high, ratio low, ratio high, p
    [30, 2000, 8, 222, -0.054781428793908155, -0.002248901527135446, 0.19803682307535195, 0.8853813865036568, 0.021845725133623737],
    [700, 10000, 300, 5000, 0.0015650261631977127, 0.01812738072051643, 1.0238141725760552, 1.3300143407232636, 0.020641785345172328],
    [40, 2000, 0, 105, -0.015346017202758657, 0.027120578125196075, 0.5646837087137714, Infinity, 0.1435336045893851],
  ];
  it("matches independent computations: difference and ratio intervals, and the one p", () => {
    for (const [xt, nt, xh, nh, dl, dh, rl, rh, p] of cases) {
      const r = scoreTest({ x: xh, n: nh }, { x: xt, n: nt }, 0.05)!;
      expect(r.diff).toBeCloseTo(xt / nt - xh / nh, 14);
      expect(r.ciLow).toBeCloseTo(dl, 9);
      expect(r.ciHigh).toBeCloseTo(dh, 9);
      expect(r.ciRelLow + 1).toBeCloseTo(rl, 9);
      if (rh === Infinity) expect(r.ciRelHigh).toBe(Infinity);
      else expect(r.ciRelHigh + 1).toBeCloseTo(rh, 9);
      expect(r.p).toBeCloseTo(p, 10);
    }
  });

  it("does not take 0 of 105 for a known rate of 0 (Welch gives +1.85 pp [+1.26, +2.44], p < 0.001)", () => {
    const r = scoreTest({ x: 0, n: 105 }, { x: 37, n: 2000 }, 0.05)!;
    expect(r.diff).toBeCloseTo(0.0185, 12);
    expect(r.ciLow).toBeLessThan(0);
    expect(r.p).toBeGreaterThan(0.15);
    expect(r.lift).toBeNull();
    expect(r.ciRelHigh).toBe(Infinity);
    const w = welchTest({ n: 105, mean: 0, variance: 0 }, { n: 2000, mean: 0.0185, variance: (37 * (1 - 0.0185)) / 1999 }, 0.05)!;
    expect(w.p).toBeLessThan(0.001);
  });

  it("keeps p, the absolute and the relative interval in agreement: p < alpha exactly when each interval excludes its null", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 400 }), fc.integer({ min: 1, max: 3000 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(0.01, 0.05, 0.1), (nh, nt, uh, ut, alpha) => {
        const h = { x: Math.floor(uh * (nh + 1)) > nh ? nh : Math.floor(uh * (nh + 1)), n: nh };
        const t = { x: Math.floor(ut * (nt + 1)) > nt ? nt : Math.floor(ut * (nt + 1)), n: nt };
        const r = scoreTest(h, t, alpha)!;
        const rejects = r.p < alpha;
        expect(r.ciLow > 0 || r.ciHigh < 0).toBe(rejects);
        expect(r.ciRelLow > 0 || r.ciRelHigh < 0).toBe(rejects);
        expect(r.ciLow).toBeLessThanOrEqual(r.diff);
        expect(r.ciHigh).toBeGreaterThanOrEqual(r.diff);
      }),
      { numRuns: 300, seed: 17 },
    );
  });

  it("says how many holdout customers a verdict needs: one expected conversion at the pooled rate", () => {
    // pooled 10/2105: 105 expect 0.50 conversions; 1 / (10/2105) = 210.5 → 211
    expect(holdoutNeeded({ x: 0, n: 105 }, { x: 10, n: 2000 })).toBe(211);
    expect(holdoutNeeded({ x: 2, n: 105 }, { x: 40, n: 2000 })).toBe(0);
    expect(holdoutNeeded({ x: 0, n: 105 }, { x: 0, n: 2000 })).toBeNull();
    // almost everyone converts: the rarer outcome is the non-conversion
    expect(holdoutNeeded({ x: 105, n: 105 }, { x: 1995, n: 2000 })).toBe(421);
  });
});
