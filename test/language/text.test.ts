/**
 * String order and lower() (language/text.ts; docs/language.md, "Semantics
 * notes", "Strings"): code point order, the simple lowercase mapping of each
 * code point; the evaluator and the compiled closures follow it. The SQL
 * targets are held to the same answers in test/engine/text-sql.test.ts.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { compareText, lowerText, nativeOrderSafe } from "../../language/text.ts";
import { LOWER_FROM, LOWER_UNICODE } from "../../language/text-table.ts";
import { lowerPairs, tableSource } from "../../language/text-table-gen.ts";
import { readFileSync } from "node:fs";
import { evaluate } from "../../language/evaluator.ts";
import { compileExpr } from "../../engine/compile/closure.ts";
import type { Expr } from "../../language/ast.ts";
import type { EvalEnv } from "../../language/values.ts";
import { B, BASE, HARD_STRINGS, testWorkspace } from "../support/arbitraries.ts";


const sign = (x: number) => Math.sign(x);
const cpOrder = (a: string, b: string) => {
  const [x, y] = [[...a].map((c) => c.codePointAt(0)!), [...b].map((c) => c.codePointAt(0)!)];
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
};

describe("string order is by code point", () => {
  it("the issue's pair: 😀 (U+1F600) is after Ａ (U+FF21), though its first UTF-16 unit is before", () => {
    expect("😀" < "Ａ").toBe(true); // JS's own operator: code units
    expect(compareText("😀", "Ａ")).toBeGreaterThan(0);
    expect(compareText("Ａ", "😀")).toBeLessThan(0);
    expect(compareText("", "")).toBe(0);
    expect(compareText("", "a")).toBeLessThan(0);
    expect(compareText("e", "e\u0301")).toBeLessThan(0); // a prefix first; combining marks are code points like any other
    expect(compareText("e\u0301", "é")).toBeLessThan(0); // no normalization: U+0065 < U+00E9
    expect(compareText("\uffff", "\u{10000}")).toBeLessThan(0);
  });

  it("equals code point order and UTF-8 byte order on random strings (astral and U+E000–U+FFFF included)", () => {
    const str = fc.oneof(fc.string({ unit: "grapheme-composite" }), fc.string({ unit: fc.constantFrom(...HARD_STRINGS) }), fc.string({ unit: "binary" }));
    fc.assert(
      fc.property(str, str, (a, b) => {
        expect(sign(compareText(a, b))).toBe(sign(cpOrder(a, b)));
        expect(sign(compareText(a, b))).toBe(sign(Buffer.compare(Buffer.from(a), Buffer.from(b))));
      }),
      { numRuns: 3000, seed: 16 },
    );
  });

  it("JS's own < is already that order against a string with no unit at or above U+D800 (what the compiled code relies on)", () => {
    const safe = fc.string({ unit: fc.integer({ min: 0, max: 0xd7ff }).map((c) => String.fromCharCode(c)) });
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), safe, (a, s) => {
        expect(nativeOrderSafe(s)).toBe(true);
        expect(a < s).toBe(compareText(a, s) < 0);
        expect(s < a).toBe(compareText(s, a) < 0);
      }),
      { numRuns: 2000, seed: 16 },
    );
    expect(nativeOrderSafe("Ａ")).toBe(false);
    expect(nativeOrderSafe("😀")).toBe(false);
  });
});

describe("lower() maps each code point by the simple lowercase mapping", () => {
  it("on the issue's strings", () => {
    expect(lowerText("ΣΑΣ")).toBe("σασ"); // no final-sigma rule ("ΣΑΣ".toLowerCase() is "σας")
    expect("ΣΑΣ".toLowerCase()).toBe("σας");
    expect(lowerText("İ")).toBe("i"); // one code point, not "i̇"
    expect(lowerText("ß")).toBe("ß");
    expect(lowerText("ẞ")).toBe("ß");
    expect(lowerText("Ａ")).toBe("ａ");
    expect(lowerText("😀")).toBe("😀");
    expect(lowerText("E\u0301")).toBe("e\u0301");
    expect(lowerText("ǅ")).toBe("ǆ");
    expect(lowerText("")).toBe("");
    expect(lowerText("London")).toBe("london");
    expect(lowerText("\u{10400}")).toBe("\u{10428}"); // Deseret: astral letters too
  });

  it("never changes the number of code points, and is JS's toLowerCase of each code point alone (İ → i)", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: "grapheme-composite" }), fc.string({ unit: fc.constantFrom(...HARD_STRINGS) })), (s) => {
        const l = lowerText(s);
        expect([...l].length).toBe([...s].length);
        expect(l).toBe([...s].map((c) => (c === "İ" ? "i" : c.toLowerCase())).join(""));
      }),
      { numRuns: 2000, seed: 16 },
    );
  });

  it("the checked-in table is the one the generator writes (Unicode " + LOWER_UNICODE + "), and this Node's ICU agrees with it", () => {
    expect([...LOWER_FROM].length).toBe(lowerPairs().length);
    if (process.versions.unicode === LOWER_UNICODE) expect(readFileSync(new URL("../../language/text-table.ts", import.meta.url), "utf8")).toBe(tableSource());
  });
});

describe("the evaluator and the compiled closures follow it", () => {
  const ws = testWorkspace();
  const env = (city: string | null): EvalEnv => ({ now: BASE, customer: { city, plan: "x", score: 1 }, events: [], rfm: null });
  const exprs: Record<string, Expr> = {
    lt: B.bin("<", B.attr("city"), B.str("Ａ")),
    ge: B.bin(">=", B.attr("city"), B.str("Ａ")),
    ltAttr: B.bin("<", B.attr("city"), B.attr("plan")),
    between: B.between(B.attr("city"), B.str("\uffff"), B.str("\u{10ffff}")),
    lowerEq: B.bin("==", B.call("lower", B.attr("city")), B.str("σασ")),
    lowerI: B.bin("==", B.call("lower", B.attr("city")), B.str("i")),
  };
  const cases: [string, string, boolean][] = [
    ["lt", "😀", false], ["ge", "😀", true], ["lt", "Z", true], ["lt", "", true], ["lt", "Ａ", false],
    ["between", "😀", true], ["between", "Ａ", false],
    ["lowerEq", "ΣΑΣ", true], ["lowerEq", "σας", false], ["lowerI", "İ", true],
  ];
  it.each(cases)("%s on %j is %s", (name, city, want) => {
    const e = exprs[name]!;
    expect(evaluate(e, env(city), ws)).toBe(want);
    expect(compileExpr(e, ws)(env(city))).toBe(want);
  });
  it("attribute against attribute (no literal: compareText at run time)", () => {
    const e = exprs.ltAttr!;
    const en: EvalEnv = { now: BASE, customer: { city: "😀", plan: "Ａ", score: 1 }, events: [], rfm: null };
    expect(evaluate(e, en, ws)).toBe(false);
    expect(compileExpr(e, ws)(en)).toBe(false);
  });
});
