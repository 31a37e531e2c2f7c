import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { formatText } from "../../language/formatter.ts";
import { loadWorkspaceFromFiles, printExpr } from "../../language/index.ts";
import { main } from "../../cli/main.ts";
import { memoryIO } from "../../cli/io.ts";
import { exprArb } from "../support/arbitraries.ts";

const SHOP = fileURLToPath(new URL("../../playbooks/shop", import.meta.url));

/** Every expression of a workspace in canonical text, by where it sits: the program's meaning for these tests. */
function meaning(path: string, text: string): string[] {
  const { workspace: ws, diagnostics } = loadWorkspaceFromFiles("w", [{ path, text }]);
  expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  const out = [...ws.segments].map(([n, s]) => `${n}=${printExpr(s.expr)}`);
  for (const [id, r] of ws.rules) out.push(`${id}:${JSON.stringify(r.on, (k, v) => (k.endsWith("pan") ? undefined : v))}:${r.who ? printExpr(r.who) : ""}`);
  out.push(JSON.stringify(ws.caps, (k, v) => (k.endsWith("pan") ? undefined : v)));
  return out;
}

describe("playbook fmt", () => {
  it("leaves the normative example workspace exactly as it is", async () => {
    for (const f of ["policy.yaml", "lifecycle.yaml", "retention.yaml"]) {
      const text = readFileSync(join(SHOP, f), "utf8");
      expect(formatText(f, text).text).toBe(text);
    }
  });

  it("canonicalizes expressions, triggers and caps in place and keeps comments and alignment", () => {
    const messy =
      "# policy\r\nsegments:\r\n  a:   rfm.r>=4 and(rfm.f>=4)   \r\n  b: x not in [\"a\",'b'] # keep me\r\n" +
      "caps:\r\n  - max 2  per 1d\r\n  - email:   max 3 per   7d\r\n" +
      "rules:\r\n  r:\r\n    on: 14d   after order_delivered where  amount>3\r\n    who: ((a))\r\n    send: { channel: email }\r\n\r\n\r\n";
    const want =
      "# policy\nsegments:\n  a:   rfm.r >= 4 and rfm.f >= 4\n  b: x not in [\"a\", \"b\"] # keep me\n" +
      "caps:\n  - max 2 per 1d\n  - email:   max 3 per 7d\n" +
      "rules:\n  r:\n    on: 14d after order_delivered where amount > 3\n    who: a\n    send: { channel: email }\n";
    expect(formatText("w.yaml", messy).text).toBe(want);
    expect(formatText("w.yaml", want)).toMatchObject({ text: want, changed: false });
  });

  it("is idempotent and never changes meaning (random expressions with random spacing)", () => {
    fc.assert(
      fc.property(exprArb("bool", 3), fc.array(fc.constantFrom("", " ", "  "), { minLength: 64, maxLength: 64 }), (e, spaces) => {
        let i = 0;
        const spaced = printExpr(e).replace(/ /g, () => " " + spaces[i++ % spaces.length]);
        const plain = /^[a-z(]/.test(spaced) && !/: |#|:$/.test(spaced) ? `\n  u:   ${spaced}` : "";
        const text = `segments:\n  s: ${JSON.stringify(spaced)}\n  t: '${spaced.replace(/'/g, "''")}'${plain}\n`;
        const once = formatText("w.yaml", text).text;
        expect(formatText("w.yaml", once).text).toBe(once);
        expect(meaning("w.yaml", once)).toEqual(meaning("w.yaml", text));
      }),
      // Fixed seeds, so CI is repeatable; -2143344557 found `10% ?? -1` printed without brackets (unparsable).
      { numRuns: 300, seed: -2143344557 },
    );
  });

  it("brackets a negative literal where unary minus would not parse (`a ?? (-1)`)", () => {
    const text = "segments:\n  s: x ?? (-1) > 0\n";
    const once = formatText("w.yaml", text).text;
    expect(once).toBe(text);
    expect(formatText("w.yaml", once).text).toBe(once);
  });

  it("--check lists files that would change and exits 1; then fmt fixes them and --check exits 0", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pb-fmt-"));
    writeFileSync(join(dir, "a.yaml"), "segments:\n  a: x>1\n");
    writeFileSync(join(dir, "b.yaml"), "segments:\n  b: y > 1\n");
    let io = memoryIO(dir);
    expect(await main(["fmt", "--check", "."], io)).toBe(1);
    expect(io.out).toBe("a.yaml\n");
    io = memoryIO(dir);
    expect(await main(["fmt", "."], io)).toBe(0);
    expect(readFileSync(join(dir, "a.yaml"), "utf8")).toBe("segments:\n  a: x > 1\n");
    io = memoryIO(dir);
    expect(await main(["fmt", "--check", "."], io)).toBe(0);
  });

  it("exits 2 with one line for a folder that does not exist", async () => {
    const io = memoryIO();
    expect(await main(["fmt", "/nonexistent/folder"], io)).toBe(2);
    expect(io.err).toBe("playbook fmt: /nonexistent/folder: no such file or folder\n");
  });
});
