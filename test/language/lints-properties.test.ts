/**
 * Laws of the reasoning lints, checked against the reference evaluator:
 * - narrowing is sound: when the facts say `who` proves `x` non-null, no
 *   customer with `x = null` satisfies `who`;
 * - never-holds is exact on conjunctions of literal bounds: it fires iff no
 *   value satisfies every bound (candidates: the constants and their midpoints
 *   and neighbours, which is enough for bounds with integer constants).
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { evaluate, truthy } from "../../language/evaluator.ts";
import { NullFacts } from "../../language/lints/facts.ts";
import type { Value } from "../../language/values.ts";
import { check } from "./check-support.ts";

const ATTRS = { first_name: "string", city: "string", score: "number" } as const;
const strVal = fc.constantFrom<Value>(null, "a", "b");
const numVal = fc.constantFrom<Value>(null, 0, 1, 5);

const atom: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom("first_name", "city").chain((a) => fc.constantFrom(`${a} != null`, `${a} == null`, `${a} == "a"`, `${a} != "a"`, `lower(${a}) == "b"`, `(${a} ?? "a") == "a"`, `${a} in ["a", "b"]`)),
  fc.constantFrom("score > 1", "score == null", "score != null", "score + 1 >= 2", "(score ?? 0) < 3", "score between 0 and 2", "-score < 0"),
);
const cond: fc.Arbitrary<string> = fc.letrec<{ c: string }>((tie) => ({
  c: fc.oneof({ depthSize: "small", withCrossShrink: true }, atom, fc.tuple(tie("c"), fc.constantFrom("and", "or"), tie("c")).map(([a, op, b]) => `(${a} ${op} ${b})`), tie("c").map((a) => `not (${a})`)),
})).c;

describe("lint laws", () => {
  it("narrowing is sound: a proved-non-null attribute is never null when who holds", () => {
    fc.assert(
      fc.property(cond, strVal, strVal, numVal, (who, fn, city, score) => {
        const { ws, codes } = check({ customer: { ...ATTRS, first_name: "string?", city: "string?", score: "number?" }, rules: { r: { on: "app_open", who, send: { channel: "email", template: "plain" } } } });
        expect(codes.filter((c) => c.startsWith("PB1") || c.startsWith("PB2"))).toEqual([]);
        const expr = ws.rules.get("r")!.who!;
        const proved = new NullFacts(ws).whenTrue(expr);
        const customer: Record<string, Value> = { customer_id: "c1", first_name: fn, city, score, email: null, consent_email: false };
        const holds = truthy(evaluate(expr, { now: 0, customer, events: [], rfm: null }, ws));
        if (holds) for (const a of proved) expect(customer[a], `${who} proves ${a}`).not.toBeNull();
      }),
      { numRuns: 400, seed: 7 },
    );
  });

  it("never-holds fires exactly when no value satisfies a conjunction of bounds", () => {
    const bound = fc.tuple(fc.constantFrom("<", "<=", ">", ">=", "=="), fc.integer({ min: 0, max: 6 }));
    fc.assert(
      fc.property(fc.array(bound, { minLength: 1, maxLength: 4 }), (bounds) => {
        const who = bounds.map(([op, c]) => `amount ${op} ${c}`).join(" and ");
        const { codes } = check({ rules: { r: { on: "order_placed", who, send: { channel: "email", template: "plain" } } } });
        const consts = bounds.map(([, c]) => c);
        const candidates = consts.flatMap((c) => [c - 1, c - 0.5, c, c + 0.5, c + 1]);
        const sat = (v: number) => bounds.every(([op, c]) => (op === "<" ? v < c : op === "<=" ? v <= c : op === ">" ? v > c : op === ">=" ? v >= c : v === c));
        expect(codes.includes("PB304"), who).toBe(!candidates.some(sat));
      }),
      { numRuns: 300, seed: 11 },
    );
  });
});
