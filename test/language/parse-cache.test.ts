/**
 * language/parse-cache.ts: a load that reuses the parses of unchanged files
 * gives exactly the diagnostics of a fresh load and check — across edits that
 * break and fix a file, and edits in one file that change what names in
 * another (unchanged, reused) file resolve to.
 */
import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { loadWorkspaceFromFiles } from "../../language/index.ts";
import { checkWorkspace } from "../../language/check.ts";
import { ParseCache } from "../../language/parse-cache.ts";
import { compareDiagnostics } from "../../language/diagnostics.ts";
import type { SourceFile } from "../../language/ast.ts";

const SHOP = join(import.meta.dirname, "../../playbooks/shop");
const shop: SourceFile[] = readdirSync(SHOP)
  .filter((f) => f.endsWith(".yaml") && !f.endsWith(".test.yaml"))
  .map((f) => ({ path: join(SHOP, f), text: readFileSync(join(SHOP, f), "utf8") }));

/** Load + check as `playbook check` does it: the semantic checks only without reading errors. */
function checked(files: SourceFile[], cache?: ParseCache) {
  const { workspace, diagnostics } = loadWorkspaceFromFiles(SHOP, files, cache ? { cache } : {});
  const all = diagnostics.some((d) => d.severity === "error") ? diagnostics : [...diagnostics, ...checkWorkspace(workspace)];
  return JSON.parse(JSON.stringify([...all].sort(compareDiagnostics)));
}

const edit = (files: SourceFile[], name: string, from: string, to: string) =>
  files.map((f) => {
    if (!f.path.endsWith(name)) return f;
    expect(f.text).toContain(from);
    return { ...f, text: f.text.replace(from, to) };
  });

describe("ParseCache", () => {
  it("every load of an edit sequence equals a fresh load and check", () => {
    const cache = new ParseCache();
    const steps: SourceFile[][] = [
      shop,
      edit(shop, "lifecycle.yaml", "template: welcome_1", "template: welcom_1"),
      shop,
      // The segment `champions` renamed: retention.yaml's rule now names an unknown segment …
      edit(shop, "retention.yaml", "  champions:    rfm.r", "  champs:       rfm.r"),
      // … and back: the reused who of vip_preview resolves again.
      shop,
      edit(shop, "policy.yaml", "schema:", "schema: [broken"),
      shop,
      edit(shop, "retention.yaml", "who: champions and first_name != null", "who: champions and first_name > 3"),
      shop,
    ];
    const seen = new Set<string>();
    for (const files of steps) {
      const want = checked(files);
      expect(checked(files, cache)).toEqual(want);
      seen.add(JSON.stringify(want.map((d: { code: string }) => d.code)));
    }
    // The edits did change the diagnostics (the comparison is not of equal lists throughout).
    expect(seen.size).toBeGreaterThanOrEqual(4);
  });

  it("reuses the parses of a file whose text is unchanged, and only those", () => {
    const cache = new ParseCache();
    const a = cache.file("a.yaml", "x: 1\n");
    expect(cache.file("a.yaml", "x: 1\n")).toBe(a);
    expect(cache.file("a.yaml", "x: 2\n")).not.toBe(a);
    const b = cache.file("b.yaml", "y: 1\n");
    cache.retain(["a.yaml"]);
    expect(cache.file("b.yaml", "y: 1\n")).not.toBe(b);
  });
});
