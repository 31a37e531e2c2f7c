import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { didYouMean, editDistance, maxEdits } from "../../language/fuzzy.ts";

describe("did you mean", () => {
  it("suggests the key a typo came from", () => {
    expect(didYouMean("priorty", ["on", "who", "unless", "priority", "queue"])).toBe("priority");
    expect(didYouMean("frist_name", ["first_name", "email", "phone"])).toBe("first_name");
  });

  it("suggests nothing when nothing is close (the cutoff)", () => {
    expect(didYouMean("foo", ["first_name", "email"])).toBeUndefined();
    expect(didYouMean("zzzzzz", ["priority"])).toBeUndefined();
  });

  it("counts a transposition as one edit", () => {
    expect(editDistance("priorty", "priority")).toBe(1);
    expect(editDistance("ab", "ba")).toBe(1);
    expect(editDistance("", "abc")).toBe(3);
  });

  it("does not depend on the order of candidates", () => {
    expect(didYouMean("emial", ["email", "emil"])).toBe(didYouMean("emial", ["emil", "email"]));
  });

  it("is a metric: symmetric, zero only on equal strings, within the cutoff rule", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), fc.string({ maxLength: 12 }), (a, b) => {
        expect(editDistance(a, b)).toBe(editDistance(b, a));
        expect(editDistance(a, b) === 0).toBe(a === b);
        expect(editDistance(a, b)).toBeLessThanOrEqual(Math.max(a.length, b.length));
      }),
    );
    expect(maxEdits("ab")).toBe(1);
    expect(maxEdits("priority")).toBe(2);
  });
});
