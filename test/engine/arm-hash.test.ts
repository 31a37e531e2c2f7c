import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { armBucket, armForBucket, armSalt, assignArm } from "../../engine/runtime/arm-hash.ts";
import { holdoutBucket } from "../../engine/runtime/holdout-hash.ts";

const arms = [{ name: "push_first", weight: 0.5 }, { name: "email_only", weight: 0.5 }];

describe("arm assignment", () => {
  it("a bucket exactly at a cumulative boundary goes to the next arm; one below stays", () => {
    expect(armForBucket(4999, [0.5, 0.5])).toBe(0);
    expect(armForBucket(5000, [0.5, 0.5])).toBe(1);
    expect(armForBucket(0, [0.5, 0.5])).toBe(0);
    expect(armForBucket(9999, [0.5, 0.5])).toBe(1);
    expect(armForBucket(3333, [0.3333, 0.3333, 0.3334])).toBe(1);
    expect(armForBucket(3332, [0.3333, 0.3333, 0.3334])).toBe(0);
  });
  it("is sticky: same customer, same arm", () => {
    const s = armSalt("cart_recovery");
    expect(assignArm(s, "c42", arms)).toBe(assignArm(s, "c42", arms));
    expect(armSalt("r")).not.toBe("r");
  });
  it("raising a weight moves only the customers between the old and the new boundary", () => {
    const s = armSalt("cart_recovery");
    for (let i = 0; i < 5000; i++) {
      const id = `c${i}`;
      const before = assignArm(s, id, arms);
      const after = assignArm(s, id, [{ name: "push_first", weight: 0.6 }, { name: "email_only", weight: 0.4 }]);
      if (before !== after) {
        expect(before).toBe("email_only");
        const b = armBucket(s, id);
        expect(b >= 5000 && b < 6000).toBe(true);
      }
    }
  });
  it("property: among treated customers arm shares equal the weights whatever their holdout hash", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 99 }), fc.integer({ min: 1, max: 50 }), (pct, holdPct) => {
        const w = [pct / 100, 1 - pct / 100];
        const s = armSalt("rule_p");
        let treated = 0;
        let first = 0;
        for (let i = 0; i < 20000; i++) {
          const id = `u${i}`;
          if (holdoutBucket("rule_p", id) < holdPct / 100) continue;
          treated++;
          if (armForBucket(armBucket(s, id), w) === 0) first++;
        }
        // 4 standard errors of a binomial share
        const se = Math.sqrt((w[0]! * w[1]!) / treated);
        expect(Math.abs(first / treated - w[0]!)).toBeLessThan(4 * se + 1e-9);
      }),
      { numRuns: 25, seed: 18 },
    );
  });
});
