/**
 * The JSON Schema (`playbook schema`, docs/playbook.schema.json) against the
 * checker: every workspace of the repository that checks clean is valid under
 * it, and wherever the checker rejects an unknown key (PB002) the schema
 * rejects it too — for every map with a fixed set of keys, with random keys.
 */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { Ajv } from "ajv";
import { parse, stringify } from "yaml";
import { collectYamlFiles, loadWorkspace, loadWorkspaceFromFiles } from "../../language/index.ts";
import { checkWorkspace } from "../../language/check.ts";
import { playbookSchema } from "../../language/json-schema.ts";
import { schemaText } from "../../cli/commands/schema.ts";
import { ROOT, SHOP } from "../cli/run-support.ts";

const validate = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(playbookSchema());
const errors = (ds: { severity: string }[]) => ds.filter((d) => d.severity === "error");

describe("the JSON Schema", () => {
  it("is committed as docs/playbook.schema.json, equal to `playbook schema`", () => {
    expect(readFileSync(join(ROOT, "docs", "playbook.schema.json"), "utf8")).toBe(schemaText());
  });

  const workspaces = ["playbooks/shop", "examples/hillstrom/playbooks", "examples/online-retail/playbooks", "test/fixtures/segments/ws", "test/fixtures/diff"];
  it.each(workspaces)("accepts every file of %s, which checks without errors", async (dir) => {
    const { workspace, diagnostics } = await loadWorkspace(join(ROOT, dir));
    expect(errors([...diagnostics, ...checkWorkspace(workspace)])).toEqual([]);
    const paths: string[] = [];
    await collectYamlFiles(join(ROOT, dir), paths);
    expect(paths.length).toBeGreaterThan(0);
    for (const p of paths) {
      const ok = validate(parse(readFileSync(p, "utf8")));
      expect({ file: p, errors: ok ? null : validate.errors }).toEqual({ file: p, errors: null });
    }
  });

  // The shop, plus a file with what it lacks (a JSON Logic segment), mutated at every map with fixed keys.
  const base = new Map<string, unknown>();
  const shopPaths = ["lifecycle.yaml", "policy.yaml", "retention.yaml"];
  for (const f of shopPaths) base.set(f, parse(readFileSync(join(SHOP, f), "utf8")));
  base.set("extra.yaml", { segments: { by_logic: { jsonlogic: { "==": [{ var: "city" }, "Berlin"] } } }, rules: { extra_rule: { on: "signed_up", who: "by_logic", send: { channel: "email", template: "welcome_1" } } } });
  const places: [string, (string | number)[]][] = [
    ["lifecycle.yaml", []],
    ["policy.yaml", ["schema"]],
    ["policy.yaml", ["defaults"]],
    ["policy.yaml", ["rfm"]],
    ["policy.yaml", ["alerts"]],
    ["policy.yaml", ["channels", "email"]],
    ["policy.yaml", ["templates", "welcome_1"]],
    ["lifecycle.yaml", ["rules", "welcome"]],
    ["lifecycle.yaml", ["rules", "welcome", "steps", 0]],
    ["lifecycle.yaml", ["rules", "birthday", "send"]],
    ["lifecycle.yaml", ["rules", "birthday", "send", "offer"]],
    ["extra.yaml", ["segments", "by_logic"]],
  ];
  const filesWith = (file: string, doc: unknown) => [...base].map(([name, d]) => ({ path: name, name, text: stringify(name === file ? doc : d) }));

  it("the unmutated base checks clean and is valid", () => {
    const { workspace, diagnostics } = loadWorkspaceFromFiles("/shop", filesWith("", null));
    expect(errors([...diagnostics, ...checkWorkspace(workspace)])).toEqual([]);
    for (const d of base.values()) expect(validate(d)).toBe(true);
  });

  it.each(places)("in %s at %j an unknown key is rejected by the checker (PB002) and by the schema", (file, at) => {
    const key = fc.stringMatching(/^[a-z][a-z_]{0,11}$/);
    fc.assert(
      fc.property(key, (k) => {
        const doc = structuredClone(base.get(file)) as Record<string | number, unknown>;
        let m = doc as Record<string | number, unknown>;
        for (const p of at) m = m[p] as Record<string | number, unknown>;
        fc.pre(!(k in m));
        m[k] = "x";
        const { workspace, diagnostics } = loadWorkspaceFromFiles("/shop", filesWith(file, doc));
        const all = diagnostics.length ? diagnostics : checkWorkspace(workspace);
        expect(all.filter((d) => d.code === "PB002").map((d) => d.message)).toEqual([expect.stringContaining(`unknown key "${k}"`)]);
        expect(validate(doc)).toBe(false);
      }),
      { numRuns: 25, seed: 13 },
    );
  });
});
