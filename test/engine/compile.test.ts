import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { evaluate } from "../../language/evaluator.ts";
import { compileCondition, compileExpr, compileRowPredicate, featureKeyOf } from "../../engine/compile/closure.ts";
import type { AggExpr, Expr, ExistsExpr } from "../../language/ast.ts";
import type { EvalEnv, Value } from "../../language/values.ts";
import { B, BASE, DAY, envArb, exprArb, testWorkspace, type GenType } from "../support/arbitraries.ts";

const ws = testWorkspace();
const anyType = fc.constantFrom<GenType>("num", "str", "bool", "time", "dur", "strlist");
const typedExpr = anyType.chain((t) => exprArb(t, 3));

/** Top-level aggregates of an expression (not under a where): the ones features may stand for. */
function topAggs(e: Expr, out: (AggExpr | ExistsExpr)[] = []): (AggExpr | ExistsExpr)[] {
  if (e.kind === "agg" || e.kind === "exists") out.push(e);
  else for (const v of Object.values(e)) {
    if (v && typeof v === "object" && "kind" in v && "span" in v) topAggs(v as Expr, out);
    if (Array.isArray(v)) for (const x of v) if (x && typeof x === "object" && "kind" in x) topAggs(x as Expr, out);
  }
  return out;
}

describe("compileExpr agrees with the reference evaluator", () => {
  it("on random well-typed expressions and random customers (scanning events)", () => {
    fc.assert(
      fc.property(typedExpr, envArb, (e, env) => {
        const ref = evaluate(e, { ...env, segments: {} }, ws);
        const got = compileExpr(e, ws)({ ...env, segments: {} });
        expect(got).toStrictEqual(ref);
        // Without a segment memo too.
        expect(compileExpr(e, ws)(env)).toStrictEqual(evaluate(e, env, ws));
      }),
      { numRuns: 4000, seed: 20261120 },
    );
  });

  it("when aggregates come from env.features (keys from featureKey)", () => {
    fc.assert(
      fc.property(exprArb("bool", 3), envArb, (e, env) => {
        const features: Record<string, Value> = { "count(unrelated)": 99 };
        for (const a of topAggs(e)) features[featureKeyOf(a)] = evaluate(a, env, ws);
        const withFeatures: EvalEnv = { ...env, features, events: [] };
        const ref = evaluate(e, env, ws);
        // Aggregates under a where or reading the trigger still scan, so keep the events for those.
        expect(compileExpr(e, ws)({ ...withFeatures, events: env.events })).toStrictEqual(ref);
      }),
      { numRuns: 1500, seed: 7 },
    );
  });

  it("compileCondition is the expression seen as a condition (true only for true)", () => {
    fc.assert(
      fc.property(exprArb("bool", 3), envArb, (e, env) => {
        expect(compileCondition(e, ws)(env)).toBe(evaluate(e, env, ws) === true);
      }),
      { numRuns: 1000, seed: 3 },
    );
  });
});

describe("compiled fast path details", () => {
  const env: EvalEnv = { now: BASE, customer: { age: 31 }, events: [{ name: "order_placed", ts: BASE - DAY, props: { amount: 10 } }], rfm: null };

  it("reads a precomputed feature instead of scanning when the key is present", () => {
    const agg = B.agg("count", "order_placed", { within: 30 * DAY });
    expect(featureKeyOf(agg as AggExpr)).toBe("count(order_placed within 30d)");
    const f = compileExpr(agg, ws);
    expect(f(env)).toBe(1);
    expect(f({ ...env, features: { "count(order_placed within 30d)": 7 } })).toBe(7);
    expect(f({ ...env, features: { other: 7 } })).toBe(1);
  });

  it("fills env.segments with the segments it evaluates", () => {
    const segments: Record<string, boolean> = {};
    compileExpr(B.seg("active"), ws)({ ...env, segments });
    expect(segments).toEqual({ active: false, big_spender: false });
    expect(compileExpr(B.seg("active"), ws)({ ...env, segments: { active: true } })).toBe(true);
  });
});

describe("compileRowPredicate", () => {
  it("reads attributes, feature columns and RFM columns from one row", () => {
    const e = B.bin(
      "and",
      B.bin("and", B.bin(">=", B.attr("age"), B.num(30)), B.in(B.attr("city"), B.list(B.str("London"), B.str("Paris")))),
      B.bin("and", B.bin(">", B.agg("count", "order_placed", { within: 90 * DAY }), B.num(2)), B.bin(">=", B.member(B.rfm(), "m"), B.num(3))),
    );
    const cols: Record<string, string> = { "count(order_placed within 90d)": "orders_90d", "rfm.m": "rfm_m" };
    const p = compileRowPredicate(e, ws, (k) => cols[k]);
    expect(p({ age: 30, city: "Paris", orders_90d: 3, rfm_m: 3 }, BASE)).toBe(true);
    expect(p({ age: 30, city: "Rome", orders_90d: 3, rfm_m: 3 }, BASE)).toBe(false);
    expect(p({ age: null, city: "Paris", orders_90d: 3, rfm_m: 3 }, BASE)).toBe(false);
    expect(p({ city: "Paris", age: 40, orders_90d: 3 }, BASE)).toBe(false);
  });

  it("inlines segments and computes days_since from the now argument", () => {
    const p = compileRowPredicate(B.bin("and", B.seg("londoner"), B.bin("<", B.call("days_since", B.attr("signup")), B.num(2))), ws);
    expect(p({ city: "London", signup: BASE - DAY - 1 }, BASE)).toBe(true);
    expect(p({ city: "London", signup: BASE - 2 * DAY }, BASE)).toBe(false);
    expect(p({ city: "Paris", signup: BASE }, BASE)).toBe(false);
  });

  it("agrees with the evaluator on attribute-only conditions", () => {
    const attrOnly = (e: Expr): boolean => !JSON.stringify(e).match(/"(agg|exists|trigger_event|previous|segment|event)"|"scope"|"fn":"(delivered|opened|clicked|in_cadence)"|"rfm"/);
    fc.assert(
      fc.property(exprArb("bool", 3).filter(attrOnly), envArb, (e, env) => {
        const p = compileRowPredicate(e, ws);
        expect(p(env.customer as Record<string, unknown>, env.now)).toBe(evaluate(e, env, ws) === true);
      }),
      { numRuns: 1000, seed: 11 },
    );
  });

  it("refuses what a row cannot hold", () => {
    expect(() => compileRowPredicate(B.call("in_cadence"), ws)).toThrow(/row predicate/);
    expect(() => compileRowPredicate(B.exists("order_placed", { within: DAY }), ws, () => undefined)).toThrow(/no column/);
  });
});
