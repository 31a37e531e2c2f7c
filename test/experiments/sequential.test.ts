/**
 * Sequential mode (issue 17, item 4): no always-valid p or interval before
 * each group has 10 conversions and 10 non-conversions (`too_early` says
 * why, the tables print "too early"); conversion's sequence is the score
 * test inverted at the sequence's boundary, so p, the absolute and the
 * relative sequence agree at every look. The 30-look A/A rate is in
 * calibration.test.ts.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { compareMetric, type CompareOptions } from "../../experiments/compare.ts";
import { emptyRuleAggregate, type Aggregates } from "../../experiments/aggregates.ts";
import { buildReport } from "../../experiments/report.ts";
import type { ReportConfig } from "../../experiments/config.ts";
import { reportTable } from "../../experiments/format/table.ts";
import { reportMarkdown } from "../../experiments/format/markdown.ts";
import {
  emptyMoments, scoreTest, sequentialBoundary, sequentialHalfWidth, sequentialPValue, sequentialTooEarly, SEQUENTIAL_MIN_COUNT, type Moments,
} from "../../experiments/stats/index.ts";

const SEQ: CompareOptions = { alpha: 0.05, sequential: true, tuning: 5000, cuped: false, binary: true };
const conv = (n: number, x: number): Moments => ({ ...emptyMoments(), n, sum: x, sumSq: x });

describe("the counts a confidence sequence waits for", () => {
  it("is 10 conversions and 10 non-conversions in each group, at the edge exactly", () => {
    expect(SEQUENTIAL_MIN_COUNT).toBe(10);
    expect(sequentialTooEarly({ x: 10, n: 100 }, { x: 10, n: 100 })).toBeNull();
    expect(sequentialTooEarly({ x: 9, n: 100 }, { x: 10, n: 100 })).toBe(
      "the holdout has 9 conversions; the confidence sequence needs 10 conversions and 10 non-conversions in each group",
    );
    expect(sequentialTooEarly({ x: 10, n: 100 }, { x: 1, n: 100 })).toBe(
      "the treatment has 1 conversion; the confidence sequence needs 10 conversions and 10 non-conversions in each group",
    );
    // Non-conversions: 90 of 100 converted leaves 10 (enough), 91 leaves 9.
    expect(sequentialTooEarly({ x: 90, n: 100 }, { x: 50, n: 100 })).toBeNull();
    expect(sequentialTooEarly({ x: 91, n: 100 }, { x: 0, n: 100 })).toBe(
      "the holdout has 9 non-conversions and the treatment has 0 conversions; the confidence sequence needs 10 conversions and 10 non-conversions in each group",
    );
  });

  it("withholds p and every interval until then, keeping the lift as a point estimate", () => {
    const early = compareMetric(conv(33, 9), conv(300, 40), SEQ).metric;
    expect(early.too_early).toMatch(/^the holdout has 9 conversions;/);
    expect([early.p, early.ci_low, early.ci_high, early.ci_rel_low, early.ci_rel_high]).toEqual([null, null, null, null, null]);
    expect(early.lift_abs).toBeCloseTo(40 / 300 - 9 / 33, 12);
    const ready = compareMetric(conv(33, 10), conv(300, 40), SEQ).metric;
    expect(ready.too_early).toBeNull();
    expect(ready.p).not.toBeNull();
    expect(ready.ci_low).not.toBeNull();
    // Not in sequential mode: no such field at all (the JSON of a fixed-horizon report is unchanged).
    expect("too_early" in compareMetric(conv(33, 9), conv(300, 40), { ...SEQ, sequential: false }).metric).toBe(false);
  });

  it("gates revenue on the same customers' conversion counts", () => {
    const rev = (n: number, x: number): Moments => ({ ...emptyMoments(), n, sum: 50 * x, sumSq: 2500 * x });
    const o = { ...SEQ, binary: false };
    expect(compareMetric(rev(33, 9), rev(300, 40), { ...o, gate: [conv(33, 9), conv(300, 40)] }).metric.p).toBeNull();
    expect(compareMetric(rev(33, 10), rev(300, 40), { ...o, gate: [conv(33, 10), conv(300, 40)] }).metric.p).not.toBeNull();
  });
});

describe("the score sequence for conversion", () => {
  it("has the boundary at which the always-valid p is alpha", () => {
    for (const n of [50, 333, 5000, 1e5]) {
      const c = sequentialBoundary(n, 0.05, 5000);
      expect(c).toBeCloseTo(sequentialHalfWidth(1, n, 0.05, 5000), 14);
      expect(sequentialPValue(c, 1, n, 0.05, 5000)).toBeCloseTo(0.05, 12);
      expect(c).toBeGreaterThan(1.96);
    }
  });

  it("is the score interval at that boundary: wider than the fixed-horizon one, and p, absolute and relative agree", () => {
    fc.assert(
      fc.property(fc.integer({ min: 20, max: 400 }), fc.integer({ min: 200, max: 4000 }), fc.double({ min: 0.05, max: 0.5, noNaN: true }), fc.double({ min: 0.05, max: 0.5, noNaN: true }), (nh, nt, ph, pt) => {
        const xh = Math.max(10, Math.min(nh - 10, Math.round(nh * ph)));
        const xt = Math.max(10, Math.min(nt - 10, Math.round(nt * pt)));
        const m = compareMetric(conv(nh, xh), conv(nt, xt), SEQ).metric;
        const fixed = scoreTest({ x: xh, n: nh }, { x: xt, n: nt }, 0.05)!;
        const s = scoreTest({ x: xh, n: nh }, { x: xt, n: nt }, 0.05, sequentialBoundary(nh + nt, 0.05, 5000))!;
        expect(m.ci_low).toBeCloseTo(s.ciLow, 12);
        expect(m.ci_high).toBeCloseTo(s.ciHigh, 12);
        expect(m.ci_low!).toBeLessThanOrEqual(fixed.ciLow);
        expect(m.ci_high!).toBeGreaterThanOrEqual(fixed.ciHigh);
        // Away from the boundary itself (rounding), the three verdicts are one.
        if (Math.abs(Math.log(m.p! / 0.05)) < 1e-6) return;
        const rejects = m.p! < 0.05;
        expect(m.ci_low! > 0 || m.ci_high! < 0).toBe(rejects);
        expect(m.ci_rel_low! > 0 || (m.ci_rel_high !== null && m.ci_rel_high! < 0)).toBe(rejects);
      }),
      { numRuns: 300, seed: 17 },
    );
  });
});

describe("a sequential report before and after the counts", () => {
  const cfg: ReportConfig = {
    attribution: 7 * 86_400_000, goal: "order_placed", revenueProp: "amount", channelCost: new Map(), offers: new Map(),
    holdout: new Map([["early", 0.1], ["ready", 0.1]]), globalHoldout: 0, alerts: {}, rules: ["early", "ready"],
  };
  function agg(): Aggregates {
    const a: Aggregates = { rules: new Map(), global: null, kindsByChannel: new Map(), dataFrom: null, periodEnd: 0, periodStart: 0 };
    for (const [rule, xh] of [["early", 4], ["ready", 12]] as const) {
      const r = emptyRuleAggregate(rule);
      r.hold = { conv: conv(100, xh), rev: { ...emptyMoments(), n: 100, sum: 40 * xh, sumSq: 1800 * xh } };
      r.treat = { conv: conv(900, 120), rev: { ...emptyMoments(), n: 900, sum: 40 * 120, sumSq: 1800 * 120 } };
      r.firstAt = 0;
      a.rules.set(rule, r);
    }
    return a;
  }

  it("says why in the JSON, and 'too early' in the table and the markdown", () => {
    const rep = buildReport(cfg, agg(), { sequential: true });
    const [early, ready] = rep.rules;
    expect(early!.conversion.too_early).toBe("the holdout has 4 conversions; the confidence sequence needs 10 conversions and 10 non-conversions in each group");
    expect(early!.revenue_per_customer.too_early).toBe(early!.conversion.too_early);
    expect([early!.conversion.p, early!.conversion.q, early!.revenue_per_customer.p, early!.revenue_per_customer.q]).toEqual([null, null, null, null]);
    expect(early!.conversion.verdict).toBe("no_clear_effect");
    expect(ready!.conversion.too_early).toBeNull();
    expect(ready!.conversion.q).not.toBeNull();
    const table = reportTable(rep);
    const line = table.split("\n").find((l) => l.startsWith("early "))!;
    expect(line.match(/too early/g)).toHaveLength(2); // conversion q and revenue q
    expect(table.split("\n").find((l) => l.startsWith("ready "))).not.toContain("too early");
    expect(table).toContain("early — too early for the confidence sequence: the holdout has 4 conversions;");
    expect(reportMarkdown(rep)).toContain("**Too early:** `early`: too early for the confidence sequence: the holdout has 4 conversions;");
    // Fixed-horizon: no field, no note.
    const fixed = buildReport(cfg, agg());
    expect(fixed.rules[0]!.conversion.too_early).toBeUndefined();
    expect(reportTable(fixed)).not.toContain("too early");
  });
});
