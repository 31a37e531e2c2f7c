/**
 * Whatever a user hands `check` or `fmt` ends in diagnostics and a clean exit
 * code, never a stack trace (issue 2, "Bad input").
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { main } from "../../cli/main.ts";
import { memoryIO } from "../../cli/io.ts";
import { loadWorkspaceFromFiles } from "../../language/index.ts";
import { codeInfo } from "../../language/codes.ts";

const SHOP = fileURLToPath(new URL("../../playbooks/shop", import.meta.url));
const SHOP_FILES = ["policy.yaml", "lifecycle.yaml", "retention.yaml"].map((f) => ({ path: `shop/${f}`, text: readFileSync(join(SHOP, f), "utf8") }));

/** Runs check and fmt --check on a folder holding one file with these bytes. */
async function runBoth(bytes: Uint8Array | string): Promise<{ codes: number[]; out: string }> {
  const dir = mkdtempSync(join(tmpdir(), "pb-bad-"));
  writeFileSync(join(dir, "w.yaml"), bytes);
  const codes: number[] = [];
  let out = "";
  for (const args of [["check", dir], ["fmt", "--check", dir]]) {
    const io = memoryIO(dir);
    codes.push(await main(args, io));
    out += io.out + io.err;
  }
  return { codes, out };
}

function expectClean(r: { codes: number[]; out: string }): void {
  for (const c of r.codes) expect([0, 1, 2]).toContain(c);
  expect(r.out).not.toMatch(/internal error|\n\s+at .+:\d+:\d+/);
}

describe("bad input never crashes check or fmt", () => {
  const cases: [string, Uint8Array | string][] = [
    ["random bytes", Uint8Array.from({ length: 4096 }, (_, i) => (i * 2654435761) % 256)],
    ["truncated YAML", SHOP_FILES[0]!.text.slice(0, 700)],
    ["tabs for indentation", "rules:\n\tr:\n\t\ton: x\n"],
    ["a byte-order mark", "\uFEFFsegments:\n  a: x > 1\n"],
    ["CRLF line ends", "segments:\r\n  a: x > 1\r\n"],
    ["invalid UTF-8", Uint8Array.from([0x73, 0x3a, 0x20, 0xff, 0xfe, 0xc3, 0x28, 0x0a])],
    ["a YAML alias bomb", "a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\nsegments:\n  s: { jsonlogic: *f }\n"],
    ["a 10 MB expression", "segments:\n  a: " + "x and ".repeat(1_750_000) + "x\n"],
    ["10,000 nested parentheses", "segments:\n  a: " + "(".repeat(10_000) + "x" + ")".repeat(10_000) + "\n"],
    ["a list at the top", "- a\n- b\n"],
    ["a scalar where a rule belongs", "rules:\n  r: 5\n"],
  ];
  for (const [name, bytes] of cases) {
    it(`survives ${name}`, async () => {
      const r = await runBoth(bytes);
      expectClean(r);
      expect(r.codes[0]).not.toBe(70);
    }, 60_000);
  }

  it("reports an empty folder as error PB000 and exits 1", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pb-empty-"));
    const io = memoryIO(dir);
    expect(await main(["check", dir], io)).toBe(1);
    expect(io.out).toContain("error PB000: no .yaml or .yml files in " + dir);
  });

  it("exits 1 with PB000 for a folder that does not exist", async () => {
    const io = memoryIO();
    expect(await main(["check", "/no/such/folder"], io)).toBe(1);
    expect(io.out).toBe("error PB000: no such folder: /no/such/folder\n1 error, 0 warnings\n");
  });

  it("mutated example workspaces load without throwing, with registered codes and spans inside the file", () => {
    const mutation = fc.record({
      file: fc.nat({ max: SHOP_FILES.length - 1 }),
      at: fc.nat(),
      len: fc.nat({ max: 40 }),
      insert: fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom(":", "\t", "  ", "- ", "{", "[", "'", '"', "&a", "*a", "\n", " and ", "(", "#")),
    });
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 5 }), (muts) => {
        const files = SHOP_FILES.map((f) => ({ ...f }));
        for (const m of muts) {
          const f = files[m.file]!;
          const at = m.at % (f.text.length + 1);
          f.text = f.text.slice(0, at) + m.insert + f.text.slice(at + m.len);
        }
        const { diagnostics } = loadWorkspaceFromFiles("shop", files);
        for (const d of diagnostics) {
          expect(codeInfo(d.code).code).toBe(d.code);
          if (!d.span) continue;
          const f = files.find((x) => x.path === d.span!.file)!;
          expect(d.span.start).toBeGreaterThanOrEqual(0);
          expect(d.span.end).toBeLessThanOrEqual(f.text.length + 1);
        }
      }),
      { numRuns: 400, seed: 20261124 },
    );
  });
});
