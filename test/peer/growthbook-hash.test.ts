import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { growthbookHash, holdoutBucket } from "../../engine/runtime/holdout.ts";

const cases = JSON.parse(readFileSync(new URL("./fixtures/growthbook-hash-cases.json", import.meta.url), "utf8")) as {
  hash: [string, string, number, number | null][];
};

describe("GrowthBook hash peer cases", () => {
  it.each(cases.hash)("hash(%j, %j, v%d) is %j", (seed, value, version, expected) => {
    const h = growthbookHash(seed, value, version);
    if (expected === null) expect(h).toBeNull();
    else expect(h).toBeCloseTo(expected, 10);
  });

  it("v2 is the engine's holdout bucket", () => {
    for (const [seed, value, version] of cases.hash) {
      if (version === 2) expect(holdoutBucket(seed, value)).toBe(growthbookHash(seed, value, 2));
    }
  });
});
