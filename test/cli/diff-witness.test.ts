import { describe, expect, it } from "vitest";
import type { Expr, Span, Workspace } from "../../language/ast.ts";
import { evaluate } from "../../language/evaluator.ts";
import { findWitnesses } from "../../cli/diff/witness.ts";
import type { Change } from "../../cli/diff/compare.ts";
import type { Population } from "../../cli/diff/data.ts";

// Hand-built, already resolved ASTs: the witness search is tested on the
// reference evaluator alone, whatever state the parser is in.
const span: Span = { file: "t.yaml", start: 0, end: 0, line: 1, col: 1, endLine: 1, endCol: 1 };
const attr = (name: string): Expr => ({ kind: "name", name, ref: { kind: "attribute", name }, span });
const num = (value: number): Expr => ({ kind: "number", value, raw: String(value), span });
const str = (value: string): Expr => ({ kind: "string", value, raw: JSON.stringify(value), span });
const bin = (op: "and" | "or" | ">=" | ">" | "==" | "<" | "<=", left: Expr, right: Expr): Expr => ({ kind: "binary", op, left, right, span });
const count = (event: string, days: number): Expr => ({ kind: "agg", fn: "count", fnSpan: span, event, eventSpan: span, within: { kind: "duration", ms: days * 86_400_000, raw: `${days}d`, span }, span });
const inList = (left: Expr, items: Expr[]): Expr => ({ kind: "in", negated: false, left, right: { kind: "list", items, span }, span });

function ws(who: Expr): Workspace {
  return {
    root: "/t", files: [], schema: { customer: new Map(), events: new Map() },
    defaults: { timezone: "UTC", sendHours: null, holdout: 0.1, globalHoldout: 0, attribution: 7 * 86_400_000, goal: null, exit: [], expires: 86_400_000, spans: {} },
    channels: new Map(), caps: [], templates: new Map(), segments: new Map(), alerts: {},
    rules: new Map([["r", { id: "r", who } as never]]),
  };
}

const WHO: Change[] = [{ kind: "rule", name: "r", change: "changed", file: "t.yaml", fields: [{ field: "who", before: "old", after: "new", expr: true }] }];
const NOW = Date.UTC(2026, 10, 20);

describe("diff witnesses", () => {
  it("finds the boundary customer when >= becomes >", () => {
    const r = findWitnesses(WHO, ws(bin(">=", attr("age"), num(18))), ws(bin(">", attr("age"), num(18))), evaluate, null, NOW);
    expect(r.witnesses).toEqual([{ kind: "rule", name: "r", field: "who", source: "synthesized", customer_id: null, customer: { age: 18 }, events: [], before: true, after: false }]);
  });

  it("synthesizes events for a changed count threshold", () => {
    const r = findWitnesses(WHO, ws(bin(">=", count("order_placed", 30), num(2))), ws(bin(">=", count("order_placed", 30), num(3))), evaluate, null, NOW);
    const w = r.witnesses[0]!;
    expect(w.events.map((e) => e.event)).toEqual(["order_placed", "order_placed"]);
    expect([w.before, w.after]).toEqual([true, false]);
  });

  it("tries every listed value and one outside the list for `in`", () => {
    const r = findWitnesses(WHO, ws(inList(attr("tier"), [str("gold"), str("silver")])), ws(inList(attr("tier"), [str("gold")])), evaluate, null, NOW);
    expect(r.witnesses[0]!.customer).toEqual({ tier: "silver" });
  });

  it("prefers a real customer from the data, the first by id", () => {
    const pop: Population = {
      customers: [
        { id: "c1", attrs: { customer_id: "c1", age: 40, tier: "gold" } },
        { id: "c2", attrs: { customer_id: "c2", age: 18, tier: "x" } },
        { id: "c3", attrs: { customer_id: "c3", age: 18 } },
      ],
      events: new Map(),
    };
    const r = findWitnesses(WHO, ws(bin(">=", attr("age"), num(18))), ws(bin(">", attr("age"), num(18))), evaluate, pop, NOW);
    expect(r.witnesses[0]).toMatchObject({ source: "data", customer_id: "c2", customer: { age: 18 }, before: true, after: false });
  });

  it("reports none for expressions that mean the same", () => {
    const r = findWitnesses(WHO, ws(bin(">=", attr("age"), num(18))), ws(bin("<=", num(18), attr("age"))), evaluate, null, NOW);
    expect(r.witnesses).toEqual([]);
    // A bounded search that really ran: age at 17, 18, 19 and null.
    expect(r.none[0]!.why).toBe("4 synthesized customers tried (boundary values of every name the expressions read), none tells them apart: they may be equivalent");
  });

  it("finds a witness when one conjunct is added", () => {
    const a = bin(">=", attr("age"), num(18));
    const b = bin("and", a, bin("==", attr("tier"), str("gold")));
    const w = findWitnesses(WHO, ws(a), ws(b), evaluate, null, NOW).witnesses[0]!;
    expect(w.before).toBe(true);
    expect(w.after).toBe(false);
    expect((w.customer as { age: number }).age).toBeGreaterThanOrEqual(18);
  });
});
