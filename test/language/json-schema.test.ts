/**
 * The JSON Schema (`playbook schema`, docs/playbook.schema.json) against the
 * checker: every workspace of the repository (found by walking it, not
 * listed) that checks clean is valid under it, and in the broken ones every
 * file the checker finds an unknown key in (PB002) the schema rejects; at
 * every map of those workspaces, an unknown key the checker rejects is
 * rejected by the schema and a map the schema closes the checker closes too;
 * every closed map of the schema is reached by those places; and at a map of
 * each kind, random unknown keys (property test).
 */
import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import fc from "fast-check";
import { Ajv } from "ajv";
import { parse, stringify } from "yaml";
import { collectYamlFiles, loadWorkspace, loadWorkspaceFromFiles } from "../../language/index.ts";
import { SECTIONS } from "../../language/workspace.ts";
import { checkWorkspace } from "../../language/check.ts";
import { playbookSchema } from "../../language/json-schema.ts";
import { schemaText } from "../../cli/commands/schema.ts";
import { ROOT, SHOP } from "../cli/run-support.ts";

const validate = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(playbookSchema());
const errors = (ds: { severity: string }[]) => ds.filter((d) => d.severity === "error");
/** A validator of its own (ajv's `errors` are per validator; the loop above must not clobber them). */
const validateFresh = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(playbookSchema());
/** The schema object the validators were compiled from, walked alongside the documents. */
const schema = playbookSchema();
const UNKNOWN = "zz_not_a_key";

type Json = Record<string, unknown>;
type Path = (string | number)[];

/** The value at `path` of `doc`. */
const at = (doc: unknown, path: Path) => path.reduce<Json>((m, k) => (m as Record<string | number, unknown>)[k] as Json, doc as Json);

/** The branch of `node` (an anyOf) that describes `value`: the one of the value's JSON type. */
function branch(node: Json, value: unknown): Json {
  const any = node.anyOf as Json[] | undefined;
  if (!any) return node;
  const kind = Array.isArray(value) ? "array" : value === null ? "null" : typeof value === "object" ? "object" : typeof value;
  const types = (b: Json) => (Array.isArray(b.type) ? b.type : [b.type]);
  return any.find((b) => types(b).includes(kind) || (kind === "number" && types(b).includes("number"))) ?? node;
}

/** The schema node describing the value at `path` of `doc`, or null where the schema says nothing. */
function schemaAtPath(root: Json, doc: unknown, path: Path): Json | null {
  let node = branch(root, doc);
  let value = doc;
  for (const k of path) {
    const props = node.properties as Record<string, Json> | undefined;
    const next = typeof k === "number" ? (node.items as Json | undefined) : (props?.[k] ?? (typeof node.additionalProperties === "object" ? (node.additionalProperties as Json) : undefined));
    if (!next) return null;
    value = (value as Record<string | number, unknown>)[k];
    node = branch(next, value);
  }
  return node;
}

/** Every map (YAML mapping) in `doc` the schema describes as an object, with its path and schema node. */
function mapsOf(doc: unknown, root: Json): { path: Path; node: object }[] {
  const out: { path: Path; node: object }[] = [];
  const walk = (v: unknown, path: Path) => {
    if (Array.isArray(v)) return v.forEach((x, i) => walk(x, [...path, i]));
    if (v === null || typeof v !== "object") return;
    const node = schemaAtPath(root, doc, path);
    if (!node || node.type !== "object") return;
    out.push({ path, node });
    for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
  };
  walk(doc, []);
  return out;
}

/** Every closed map (additionalProperties: false) of the schema, with where it is. */
function closedNodes(root: Json): { node: object; where: string }[] {
  const out: { node: object; where: string }[] = [];
  const seen = new Set<object>();
  const walk = (n: unknown, where: string) => {
    if (n === null || typeof n !== "object" || seen.has(n)) return;
    seen.add(n);
    const o = n as Json;
    if (o.additionalProperties === false) out.push({ node: o, where: where || "(top level)" });
    for (const [k, x] of Object.entries(o)) walk(x, `${where}/${k}`);
  };
  walk(root, "");
  return out;
}

/**
 * Every workspace folder of the repository: the folders holding playbook files (a map of
 * sections), and the gallery's (broken on purpose, some not even YAML). The engine's scenario
 * files (test/engine/scenarios) are not playbooks: their `workspace:` is mini-workspace.ts's
 * shorthand (`templates: { hello: [first_name] }`), which the loader never reads.
 */
function findWorkspaces(): { folders: Map<string, string[]> } {
  const isPlaybook = (v: unknown) => v !== null && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length > 0 && Object.keys(v).every((k) => (SECTIONS as readonly string[]).includes(k));
  const folders = new Map<string, string[]>();
  const walk = (dir: string) => {
    for (const e of readdirSync(join(ROOT, dir), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (e.name.startsWith(".") || e.name === "node_modules" || e.name === "dist") continue;
      const p = dir ? `${dir}/${e.name}` : e.name;
      if (e.isDirectory()) walk(p);
      else if (/\.ya?ml$/.test(e.name) && !/\.test\.ya?ml$/.test(e.name)) {
        let doc: unknown;
        try {
          doc = parse(readFileSync(join(ROOT, p), "utf8"));
        } catch {
          continue; // the gallery's YAML mistakes: checked below as their folder's files
        }
        if (isPlaybook(doc) || /^test\/language\/gallery\//.test(p)) folders.set(dirname(p), [...(folders.get(dirname(p)) ?? []), p]);
      }
    }
  };
  walk("");
  return { folders };
}

const found = findWorkspaces();
const checkedFolder = new Map<string, { code: string; severity: string; span?: { file: string } }[]>();
for (const dir of found.folders.keys()) {
  const { workspace, diagnostics } = await loadWorkspace(join(ROOT, dir));
  checkedFolder.set(dir, diagnostics.some((d) => d.severity === "error") ? diagnostics : [...diagnostics, ...checkWorkspace(workspace)]);
}
const clean = [...checkedFolder].filter(([, ds]) => errors(ds).length === 0).map(([d]) => d);
const broken = [...checkedFolder].filter(([, ds]) => errors(ds).length > 0).map(([d]) => d);

describe("the JSON Schema", () => {
  it("is committed as docs/playbook.schema.json, equal to `playbook schema`", () => {
    expect(readFileSync(join(ROOT, "docs", "playbook.schema.json"), "utf8")).toBe(schemaText());
  });

  it("describes every section the reader knows (a section without a schema would accept anything)", () => {
    expect(Object.keys((playbookSchema().properties as object) ?? {})).toEqual([...SECTIONS]);
  });

  it("finds the repository's workspaces by walking it", () => {
    expect([...found.folders.keys()]).toEqual(expect.arrayContaining(["playbooks/shop", "examples/hillstrom/playbooks", "examples/online-retail/playbooks", "test/fixtures/segments/ws", "test/fixtures/diff", "test/experiments/fixtures/small/playbooks", "test/language/gallery/unknown-name"]));
  });

  it.each(clean)("accepts every file of %s, which checks without errors", async (dir) => {
    const paths = found.folders.get(dir)!;
    expect(paths.length).toBeGreaterThan(0);
    for (const p of paths) {
      const ok = validate(parse(readFileSync(join(ROOT, p), "utf8")));
      expect({ file: p, errors: ok ? null : validate.errors }).toEqual({ file: p, errors: null });
    }
  });

  it.each(broken)("rejects each file of %s (broken on purpose) in which the checker finds an unknown key", async (dir) => {
    const diags = checkedFolder.get(dir)!;
    for (const p of found.folders.get(dir)!) {
      if (!diags.some((d) => d.code === "PB002" && d.span?.file === join(ROOT, p))) continue;
      expect({ file: p, valid: validate(parse(readFileSync(join(ROOT, p), "utf8"))) }).toEqual({ file: p, valid: false });
    }
  });

  it("at every map of every clean workspace: the checker rejects an unknown key (PB002) exactly where the schema closes the map", () => {
    const reached = new Set<object>();
    let tried = 0;
    for (const dir of clean) {
      const files = found.folders.get(dir)!.map((p) => ({ path: join(ROOT, p), name: relative(join(ROOT, dir), join(ROOT, p)), text: readFileSync(join(ROOT, p), "utf8") }));
      const perNode = new Map<object, number>();
      for (const f of files) {
        const doc = parse(f.text);
        for (const { path, node } of mapsOf(doc, schema)) {
          // Two places per kind of map and workspace are enough; every kind is reached (asserted below).
          const n = perNode.get(node) ?? 0;
          if (n >= 2) continue;
          perNode.set(node, n + 1);
          reached.add(node);
          const mutated = structuredClone(doc);
          at(mutated, path)[UNKNOWN] = "x";
          const { workspace, diagnostics } = loadWorkspaceFromFiles(join(ROOT, dir), files.map((g) => (g === f ? { ...g, text: stringify(mutated) } : g)));
          const all = diagnostics.some((d) => d.severity === "error") ? diagnostics : [...diagnostics, ...checkWorkspace(workspace)];
          const rejected = all.some((d) => d.code === "PB002" && d.message.includes(`unknown key "${UNKNOWN}"`));
          const closed = (node as { additionalProperties?: unknown }).additionalProperties === false;
          const place = { dir, file: f.name, path: path.join("."), checker: rejected, closed };
          expect(place).toEqual({ ...place, checker: closed });
          if (rejected) expect({ ...place, valid: validateFresh(mutated) }).toEqual({ ...place, valid: false });
          tried++;
        }
      }
    }
    expect(tried).toBeGreaterThan(20);
    // Together with the places of the property test below, every closed map of the schema is reached.
    for (const [file, path] of places) reached.add(schemaAtPath(schema, base.get(file), path)!);
    const unreached = closedNodes(schema).filter((n) => !reached.has(n.node)).map((n) => n.where);
    expect(unreached).toEqual([]);
  });

  // The shop, plus a file with what it lacks (a JSON Logic segment), mutated at every map with fixed keys.
  const base = new Map<string, unknown>();
  const shopPaths = ["lifecycle.yaml", "policy.yaml", "retention.yaml"];
  for (const f of shopPaths) base.set(f, parse(readFileSync(join(SHOP, f), "utf8")));
  base.set("extra.yaml", { source: { customers: "crm.customers" }, segments: { by_logic: { jsonlogic: { "==": [{ var: "city" }, "Berlin"] } } }, rules: { extra_rule: { on: "signed_up", who: "by_logic", send: { channel: "email", template: "welcome_1" } } } });
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
    ["extra.yaml", ["source"]],
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
