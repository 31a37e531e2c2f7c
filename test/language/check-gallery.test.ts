/**
 * The gallery: one small broken workspace per folder under gallery/, each with
 * `expected.txt`, the rendered diagnostics (paths relative to the case). Review
 * a changed expected.txt like code; `UPDATE_GOLDEN=1` rewrites them.
 */
import { describe, expect, it } from "vitest";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { loadWorkspace } from "../../language/index.ts";
import { checkWorkspace } from "../../language/check.ts";
import { compareDiagnostics } from "../../language/diagnostics.ts";
import { renderDiagnostics, summaryLine } from "../../language/render.ts";

const GALLERY = fileURLToPath(new URL("./gallery/", import.meta.url));
const cases = readdirSync(GALLERY, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();

/** Loads and checks a case folder and renders what `playbook check` would print. */
async function render(dir: string): Promise<{ text: string; codes: string[] }> {
  const { workspace, diagnostics } = await loadWorkspace(dir);
  const all = [...diagnostics, ...(diagnostics.some((d) => d.severity === "error") ? [] : checkWorkspace(workspace))].sort(compareDiagnostics);
  return { text: renderDiagnostics(all, workspace.files, { cwd: dir }) + summaryLine(all) + "\n", codes: all.map((d) => d.code) };
}

describe("diagnostics gallery", () => {
  it("has cases", () => expect(cases.length).toBeGreaterThanOrEqual(10));

  for (const name of cases) {
    it(`${name} renders as expected.txt`, async () => {
      const dir = join(GALLERY, name);
      const { text } = await render(dir);
      const file = join(dir, "expected.txt");
      if (process.env.UPDATE_GOLDEN || !existsSync(file)) writeFileSync(file, text);
      expect(text).toBe(readFileSync(file, "utf8"));
    });
  }

  it("each case shows the code it is named for", async () => {
    const want: Record<string, string> = {
      "unknown-name": "PB101", "type-mismatch": "PB201", "name-conflict": "PB006", "reserved-name": "PB108", "segment-cycle": "PB109", unused: "PB301",
      "nullable-field": "PB303", "never-holds": "PB304", "cadence-caps": "PB305", "policy-ranges": "PB309",
      "previous-first-step": "PB204", references: "PB102", "where-scope": "PB111", "condition-not-bool": "PB202",
      "yaml-mistakes": "PB013", "foreign-operator": "PB015", "bad-name": "PB016", "value-fixes": "PB004", "priority-tie": "PB313",
    };
    for (const [name, code] of Object.entries(want)) expect((await render(join(GALLERY, name))).codes, name).toContain(code);
  });
});
