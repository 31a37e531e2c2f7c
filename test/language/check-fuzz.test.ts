/**
 * The checker runs on whatever the loader built, even after syntax errors
 * (other commands call it that way): on mutated copies of the example it must
 * return diagnostics, never throw, and every diagnostic must be registered and
 * point inside a file of the workspace.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { loadWorkspaceFromFiles } from "../../language/index.ts";
import { checkWorkspace } from "../../language/check.ts";
import { codeInfo } from "../../language/codes.ts";

const SHOP = "playbooks/shop";
const files = readdirSync(SHOP).filter((f) => f.endsWith(".yaml")).sort().map((f) => ({ path: join(SHOP, f), text: readFileSync(join(SHOP, f), "utf8") }));

describe("checker on broken input", () => {
  it("never throws on a partial workspace, and reports only registered codes with spans in its files", () => {
    const edit = fc.record({
      file: fc.nat(files.length - 1),
      at: fc.double({ min: 0, max: 1, noNaN: true }),
      del: fc.nat(30),
      ins: fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom("x", " or ", " and not ", ".r", "(", ")", "[]", "null", "previous", "12", "\n", ": ", "- ", "3d", "%", "rfm", "in_cadence()")),
    });
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 3 }), (edits) => {
        const texts = files.map((f) => f.text);
        for (const e of edits) {
          const t = texts[e.file]!;
          const at = Math.floor(e.at * t.length);
          texts[e.file] = t.slice(0, at) + e.ins + t.slice(at + e.del);
        }
        const { workspace } = loadWorkspaceFromFiles(SHOP, files.map((f, i) => ({ path: f.path, text: texts[i]! })));
        const diags = checkWorkspace(workspace);
        for (const d of diags) {
          expect(codeInfo(d.code).name).toBe(d.name);
          if (d.span) expect(files.map((f) => f.path)).toContain(d.span.file);
        }
      }),
      { numRuns: 150, seed: 424242 },
    );
  });
});
