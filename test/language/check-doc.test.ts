import { describe, expect, it } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { diagnosticsDoc } from "../../language/diagnostics-doc.ts";
import { CODES } from "../../language/codes.ts";

const DOC = fileURLToPath(new URL("../../docs/diagnostics.md", import.meta.url));

describe("docs/diagnostics.md", () => {
  it("lists every registered code exactly as the registry says (UPDATE_GOLDEN=1 rewrites it)", () => {
    const want = diagnosticsDoc();
    if (process.env.UPDATE_GOLDEN) writeFileSync(DOC, want);
    expect(readFileSync(DOC, "utf8")).toBe(want);
  });

  it("has one line per code in the form `PBnnn name (severity): doc`", () => {
    const lines = diagnosticsDoc().split("\n").filter((l) => l.startsWith("- `PB"));
    expect(lines).toHaveLength(CODES.length);
    expect(lines).toContain("- `PB101` unknown-name (error): " + CODES.find((c) => c.code === "PB101")!.doc);
  });

  it("registers each code and each name once", () => {
    expect(new Set(CODES.map((c) => c.code)).size).toBe(CODES.length);
    expect(new Set(CODES.map((c) => c.name)).size).toBe(CODES.length);
    for (const c of CODES) expect(c.code).toMatch(/^PB\d{3}$/);
  });
});
