import { describe, expect, it } from "vitest";
import { existsSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import { goalCopyPath } from "../../engine/runtime/rfm-days.ts";

describe("goalCopyPath", () => {
  it("two calls in the same millisecond get different folders (playbook test runs cases concurrently)", () => {
    const paths = Array.from({ length: 20 }, () => goalCopyPath());
    try {
      expect(new Set(paths).size).toBe(20);
      expect(new Set(paths.map(dirname)).size).toBe(20);
      for (const p of paths) {
        expect(existsSync(dirname(p))).toBe(true);
        expect(existsSync(p)).toBe(false);
      }
    } finally {
      for (const p of paths) rmSync(dirname(p), { recursive: true, force: true });
    }
  });
});
