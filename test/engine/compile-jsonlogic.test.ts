import { describe, expect, it } from "vitest";
import fc from "fast-check";
import jsonLogic from "json-logic-js";
import { evaluate } from "../../language/evaluator.ts";
import { JsonLogicExportError, jsonLogicData, jsonLogicKey, toJsonLogic } from "../../engine/compile/jsonlogic.ts";
import type { Expr } from "../../language/ast.ts";
import type { EvalEnv } from "../../language/values.ts";
import { B, BASE, DAY, HARD_STRINGS, envArb, exprArb, testWorkspace } from "../support/arbitraries.ts";

const ws = testWorkspace();
/**
 * lower() and list equality have no JSON Logic form, nor an ordered comparison of strings that
 * json-logic-js would order by UTF-16 code unit (no literal below U+D800 on a side); everything else must export.
 */
const exportable = (e: Expr): boolean => !JSON.stringify(e).includes('"fn":"lower"') && !hasListEquality(e) && !refusedOrder(e);

function refusedOrder(e: Expr): boolean {
  try {
    toJsonLogic(e, ws);
    return false;
  } catch (err) {
    return err instanceof JsonLogicExportError && err.message.includes("UTF-16");
  }
}

function hasListEquality(e: Expr): boolean {
  const s = JSON.stringify(e);
  return /"op":"(==|!=)"/.test(s) && (s.includes('"kind":"list"') || s.includes('"name":"tags"'));
}

const run = (e: Expr, env: EvalEnv) => jsonLogic.apply(toJsonLogic(e, ws) as never, jsonLogicData(e, env, ws) as never);

describe("toJsonLogic keeps our semantics under json-logic-js", () => {
  it("gives the evaluator's answer on random bool expressions and customers", () => {
    fc.assert(
      fc.property(exprArb("bool", 3).filter(exportable), envArb, (e, env) => {
        const want = evaluate(e, env, ws);
        const got = run(e, env);
        // JSON Logic sees a condition; our evaluator's null is false in a condition.
        expect(got === true).toBe(want === true);
        if (want !== null) expect(got).toBe(want);
      }),
      { numRuns: 3000, seed: 42 },
    );
  });

  it("guards null comparisons and arithmetic that JSON Logic would let through", () => {
    const env: EvalEnv = { now: BASE, customer: { age: null }, events: [], rfm: null };
    expect(jsonLogic.apply({ "<": [null, 1] })).toBe(true);
    expect(run(B.bin("<", B.attr("age"), B.num(1)), env)).toBe(false);
    expect(run(B.bin("==", B.bin("+", B.attr("age"), B.num(1)), B.nul()), env)).toBe(true);
    expect(run(B.bin("==", B.bin("/", B.num(1), B.num(0)), B.nul()), env)).toBe(true);
    expect(run(B.in(B.attr("age"), B.list(B.nul())), env)).toBe(false);
  });

  it("reads aggregates and time functions as precomputed vars with dot-free keys", () => {
    const e = B.bin(">", B.agg("sum", "order_placed", { prop: "amount", within: 30 * DAY }), B.num(100));
    expect(toJsonLogic(e, ws)).toEqual({ ">": [{ var: "sum(order_placed%2Eamount within 30d)" }, 100] });
    expect(jsonLogicKey("a.b%")).toBe("a%2Eb%25");
    const d = B.bin(">=", B.call("days_since", B.attr("signup")), B.num(3));
    expect(toJsonLogic(d, ws)).toEqual({ and: [{ "!=": [{ var: "days_since(signup)" }, null] }, { ">=": [{ var: "days_since(signup)" }, 3] }] });
  });

  it("refuses what JSON Logic cannot say", () => {
    expect(() => toJsonLogic(B.bin("==", B.call("lower", B.attr("city")), B.str("x")), ws)).toThrow(JsonLogicExportError);
  });

  it("orders strings by code point, or refuses: json-logic-js's < compares UTF-16 code units", () => {
    expect(jsonLogic.apply({ "<": ["😀", "Ａ"] })).toBe(true); // U+1F600 < U+FF21 by its first unit, not by code point
    const env = (city: string): EvalEnv => ({ now: BASE, customer: { city, plan: "Ａ", score: 1 }, events: [], rfm: null });
    // Against a literal below U+D800 the two orders agree: exported, same answers on the hard strings.
    for (const lit of ["Z", "é", "ΣΑΣ", ""]) {
      for (const e of [B.bin("<", B.attr("city"), B.str(lit)), B.bin(">=", B.str(lit), B.attr("city")), B.between(B.attr("city"), B.str(""), B.str(lit))]) {
        for (const city of HARD_STRINGS) expect(run(e, env(city)), `${city} ${lit}`).toBe(evaluate(e, env(city), ws));
      }
    }
    // Otherwise the export would answer differently for some strings: refused, with the reason.
    for (const e of [B.bin("<", B.attr("city"), B.str("Ａ")), B.bin("<", B.attr("city"), B.attr("plan")), B.between(B.attr("city"), B.str("Z"), B.str("😀"))]) {
      expect(() => toJsonLogic(e, ws)).toThrow(/UTF-16 code unit.*code point/);
    }
    // Numbers and times are not strings: exported as before.
    expect(JSON.stringify(toJsonLogic(B.bin("<", B.attr("score"), B.attr("age")), ws))).toContain('{"<":[{"var":"score"},{"var":"age"}]}');
  });
});
