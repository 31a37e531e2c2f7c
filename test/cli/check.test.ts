import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { main } from "../../cli/main.ts";
import { memoryIO } from "../../cli/io.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const SHOP = join(ROOT, "playbooks/shop");
const GALLERY = join(ROOT, "test/language/gallery");
const STACK = /\n\s+at .+:\d+:\d+\)?/;

async function check(args: string[], cwd = ROOT) {
  const io = memoryIO(cwd);
  const code = await main(["check", ...args], io);
  return { code, out: io.out, err: io.err };
}

describe("playbook check", () => {
  it("the example workspace checks with warnings only, including cart_email's first_name", async () => {
    const r = await check(["playbooks/"]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/warning PB303: template "cart_email" needs "first_name"/);
    expect(r.out).not.toMatch(/"birthday_gift" needs/);
    expect(r.out).not.toMatch(/"vip_preview" needs/);
    expect(r.out).not.toMatch(/ error /);
  });

  it("paths are relative to the working folder", async () => {
    const r = await check(["."], SHOP);
    expect(r.out).toMatch(/^lifecycle\.yaml:\d+:\d+: warning PB303/m);
  });

  it("exits 1 with errors and prints the summary line", async () => {
    const r = await check([join(GALLERY, "unknown-name")]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/error PB101: unknown name "frist_name"/);
    expect(r.out.trimEnd().split("\n").at(-1)).toMatch(/^\d+ errors?, \d+ warnings?$/);
  });

  it("paths are shown as typed: relative with ../ kept, absolute stays absolute (text and json)", async () => {
    const up = await check(["../test/language/gallery/unknown-name"], join(ROOT, "playbooks"));
    expect(up.out).toMatch(/^\.\.\/test\/language\/gallery\/unknown-name\/rules\.yaml:\d+:\d+: error PB101/m);
    const abs = await check(["--format", "json", join(GALLERY, "unknown-name")], join(ROOT, "playbooks"));
    expect(JSON.parse(abs.out).diagnostics[0].file).toBe(join(GALLERY, "unknown-name", "rules.yaml"));
  });

  it("--format json is one stable document", async () => {
    const r = await check(["--format", "json", "unknown-name"], GALLERY);
    const doc = JSON.parse(r.out);
    expect(Object.keys(doc)).toEqual(["diagnostics", "errors", "warnings"]);
    expect(doc.diagnostics[0]).toMatchObject({ code: "PB101", name: "unknown-name", severity: "error", file: "unknown-name/rules.yaml" });
    expect(Object.keys(doc.diagnostics[0])).toEqual(["code", "name", "severity", "message", "file", "line", "col", "endLine", "endCol", "hint"]);
    expect(r.code).toBe(1);
  });

  it("a folder that does not exist is error PB000 (exit 1), with a did-you-mean for a typo", async () => {
    const r = await check(["no/such/folder"]);
    expect(r.code).toBe(1);
    expect(r.err).toBe("");
    expect(r.out).toBe("error PB000: no such folder: no/such/folder\n1 error, 0 warnings\n");
    const typo = await check(["playbooks/shp"]);
    expect(typo.code).toBe(1);
    expect(typo.out).toBe('error PB000: no such folder: playbooks/shp\n  hint: did you mean "shop"?\n1 error, 0 warnings\n');
  });

  it("an empty folder is error PB000 (exit 1)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pb-empty-"));
    try {
      const r = await check(["."], dir);
      expect(r.code).toBe(1);
      expect(r.out).toBe("error PB000: no .yaml or .yml files in .\n  hint: give the folder that holds the playbook's YAML files\n1 error, 0 warnings\n");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a bad --format is a usage error (exit 2)", async () => {
    const r = await check(["--format", "xml", "playbooks/"]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("--format must be text, json, sarif or github");
  });

  it("an empty folder does not crash", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pb-empty-"));
    try {
      const r = await check([dir]);
      expect([0, 1]).toContain(r.code);
      expect(r.out + r.err).not.toMatch(STACK);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("hostile files end in diagnostics, never a stack trace: bytes, BOM + CRLF, deep nesting, a huge expression, alias bombs", async () => {
    const policy = readFileSync(join(SHOP, "policy.yaml"), "utf8");
    const cases: Record<string, string | Buffer> = {
      bytes: Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256)),
      bom_crlf: "\uFEFF" + policy.replace(/\n/g, "\r\n"),
      nested: `segments:\n  deep: ${"(".repeat(10_000)}true${")".repeat(10_000)}\n`,
      huge: `segments:\n  big: ${Array.from({ length: 40_000 }, (_, i) => `count(app_open) > ${i}`).join(" and ")}\n`,
      aliases: `a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n`,
      tabs: "rules:\n\tr:\n\t\ton: app_open\n",
    };
    for (const [name, content] of Object.entries(cases)) {
      const dir = mkdtempSync(join(tmpdir(), `pb-${name}-`));
      try {
        writeFileSync(join(dir, "w.yaml"), content);
        const r = await check([dir]);
        // A BOM and CRLF line ends are fine: the policy file still checks clean.
        if (name === "bom_crlf") expect(r.code, r.out).toBe(0);
        else expect([1, 2], name).toContain(r.code);
        expect(r.out + r.err, name).not.toMatch(STACK);
        expect(r.err, name).not.toMatch(/internal error/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }, 60_000);

  it("random mutations of the example never end in a stack trace: exit 0, 1 or 2 only", async () => {
    const files = readdirSync(SHOP).filter((f) => f.endsWith(".yaml")).sort().map((f) => ({ name: f, text: readFileSync(join(SHOP, f), "utf8") }));
    const dir = mkdtempSync(join(tmpdir(), "pb-fuzz-"));
    const edit = fc.record({
      file: fc.nat(files.length - 1),
      at: fc.double({ min: 0, max: 1, noNaN: true }),
      del: fc.nat(40),
      ins: fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom("\t", ":", "- ", "{", "}", "[", "\"", "&a *a", "\n  ", "((((", " and ", " == ", "null", "\uFEFF", "\r\n", "%", "1d", "rfm.", "previous", "not")),
    });
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 4 }), async (edits) => {
          const texts = files.map((f) => f.text);
          for (const e of edits) {
            const t = texts[e.file]!;
            const at = Math.floor(e.at * t.length);
            texts[e.file] = t.slice(0, at) + e.ins + t.slice(at + e.del);
          }
          files.forEach((f, i) => writeFileSync(join(dir, f.name), texts[i]!));
          const r = await check([dir]);
          expect([0, 1, 2]).toContain(r.code);
          expect(r.out + r.err).not.toMatch(STACK);
          expect(r.err).not.toMatch(/internal error/);
        }),
        { numRuns: 60, seed: 20261123 },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
