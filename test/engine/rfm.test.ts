import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { exceedBounds, fitRfmBounds, quantileBounds, quantileBoundsSorted, rfmInput, rfmScorer, scoreRfm, selectInto } from "../../engine/rfm.ts";
import type { RfmConfig } from "../../language/ast.ts";
import type { EventRecord } from "../../language/values.ts";

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 1);
const S = { file: "t", start: 0, end: 0, line: 1, col: 1, endLine: 1, endCol: 1 };
const order = (daysAgo: number, amount: number): EventRecord => ({ name: "order_placed", ts: NOW - daysAgo * DAY, props: { amount } });
/** The example workspace's rfm section: explicit recency, quintiles for frequency and monetary. */
const SHOP: RfmConfig = { span: S, event: "order_placed", value: "amount", window: 365 * DAY, scores: 5, recency: [30, 60, 120, 240].map((d) => d * DAY) };

describe("RFM scores (language.md)", () => {
  it("scores recency against explicit bounds: > a bound lowers r", () => {
    const b = { recency: SHOP.recency!, frequency: [2, 3, 4, 5], monetary: [100, 200, 300, 400] };
    const at = (days: number) => scoreRfm(SHOP, b, rfmInput(SHOP, [order(days, 50)], NOW), NOW)!.r;
    expect([at(1), at(30), at(31), at(60), at(61), at(121), at(241), at(364)]).toEqual([5, 5, 4, 4, 3, 2, 1, 1]);
  });

  it("scores frequency and monetary by the bounds they reach (>=)", () => {
    const b = { recency: SHOP.recency!, frequency: [2, 3, 4, 5], monetary: [100, 200, 300, 400] };
    const events = [order(1, 100), order(2, 100), order(3, 50)];
    expect(scoreRfm(SHOP, b, rfmInput(SHOP, events, NOW), NOW)).toEqual({ r: 5, f: 3, m: 3, cell: "533" });
  });

  it("has no scores without a goal event in the window (the window is half-open)", () => {
    const b = fitRfmBounds(SHOP, [], NOW);
    expect(scoreRfm(SHOP, b, rfmInput(SHOP, [order(365, 10)], NOW), NOW)).toBeNull();
    expect(scoreRfm(SHOP, b, rfmInput(SHOP, [{ name: "order_placed", ts: NOW + 1, props: { amount: 5 } }], NOW), NOW)).toBeNull();
    expect(scoreRfm(SHOP, b, rfmInput(SHOP, [order(364.99, 10)], NOW), NOW)).not.toBeNull();
  });

  it("cuts at quantiles of the customers with goal events, a tied group kept together in the lower score", () => {
    // counts 1..10: bound k is the smallest value with at least 2k customers below it → 3, 5, 7, 9
    expect(quantileBounds([10, 9, 8, 7, 6, 5, 4, 3, 2, 1], 5)).toEqual([3, 5, 7, 9]);
    // a heavy tie: the eight one-order customers all score 1; the first bound is 2 orders
    expect(quantileBounds([1, 1, 1, 1, 1, 1, 1, 1, 2, 3], 5)).toEqual([2, 2, 2, 2]);
    // one value only: nobody reaches a higher score
    expect(quantileBounds([4, 4, 4], 3)).toEqual([Infinity, Infinity]);
    const histories = Array.from({ length: 10 }, (_, i) => Array.from({ length: i + 1 }, (_, j) => order(j + 1, 10)));
    const score = rfmScorer(SHOP, histories, NOW);
    expect(histories.map((h) => score("x", h, NOW)!.f)).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
    expect(histories.map((h) => score("x", h, NOW)!.m)).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
  });

  it("fits recency at quantiles of the time since the last order when no bounds are given", () => {
    const cfg: RfmConfig = { ...SHOP, recency: undefined, scores: 3 };
    const histories = [1, 2, 3, 4, 5, 6].map((d) => [order(d, 10)]);
    const score = rfmScorer(cfg, histories, NOW);
    // ages 1..6 days; bounds at sorted positions ⌈k·6/3⌉ − 1 = 1, 3 → 2d and 4d; r = 3 − (bounds exceeded)
    expect(histories.map((h) => score("x", h, NOW)!.r)).toEqual([3, 3, 2, 2, 1, 1]);
  });
});

describe("quantile bounds by selection equal their definition by sorting (fast-check)", () => {
  // Values with many ties (small integers, as order counts are), spread doubles (sums), and NaN.
  const values = fc.oneof(
    fc.array(fc.integer({ min: 0, max: 6 }), { maxLength: 300 }),
    fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { maxLength: 300 }),
    fc.array(fc.constantFrom(0, 1, 1, 2.5, -0, NaN, Infinity), { maxLength: 40 }),
  );
  const scores = fc.integer({ min: 2, max: 9 });

  // -0 and 0 are the same bound (`x >= v`, `age > v`); sorting orders them, selection may return either.
  const plain = (xs: number[]) => xs.map((x) => x + 0);

  it("reaches (frequency, monetary)", () => {
    fc.assert(fc.property(values, scores, (v, s) => void expect(plain(quantileBounds(v, s))).toEqual(plain(quantileBoundsSorted(v, s)))), { numRuns: 500, seed: 20261201 });
  });

  it("exceeds (recency)", () => {
    const sorted = (v: number[], s: number) => {
      const a = Float64Array.from(v).sort();
      return Array.from({ length: s - 1 }, (_, k) => (a.length ? a[Math.max(0, Math.ceil(((k + 1) * a.length) / s) - 1)]! : Infinity));
    };
    fc.assert(fc.property(values, scores, (v, s) => void expect(plain(exceedBounds(v, s))).toEqual(plain(sorted(v, s)))), { numRuns: 500, seed: 20261201 });
  });

  it("selectInto gives the value at each sorted position and partitions around it", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: 1, maxLength: 200 }), fc.nat(), (v, k0) => {
        const k = k0 % v.length;
        const a = Float64Array.from(v);
        const x = selectInto(a, k);
        expect(x).toBe(Float64Array.from(v).sort()[k]);
        for (let i = 0; i < a.length; i++) expect(i < k ? a[i]! <= x : i > k ? a[i]! >= x : a[i] === x).toBe(true);
      }),
      { numRuns: 500, seed: 20261201 },
    );
  });
});
