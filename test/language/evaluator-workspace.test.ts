/**
 * The evaluator and its compiled forms on real YAML through the front end and
 * the checker: every condition of the example workspace, and segments written
 * `{ jsonlogic: … }`.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { fileURLToPath } from "node:url";
import { loadWorkspace, loadWorkspaceFromFiles, parseExpression } from "../../language/index.ts";
import { checkWorkspace } from "../../language/check.ts";
import { evaluate } from "../../language/evaluator.ts";
import { compileCondition, compileExpr } from "../../engine/compile/closure.ts";
import { JsonLogicExportError, jsonLogicData, toJsonLogic } from "../../engine/compile/jsonlogic.ts";
import { conditionsOf } from "../../cli/commands/compile.ts";
import jsonLogic from "json-logic-js";
import type { Workspace } from "../../language/ast.ts";
import { BASE, DAY, schemaEnvArb } from "../support/arbitraries.ts";

const SHOP = fileURLToPath(new URL("../../playbooks/shop", import.meta.url));

function checked(ws: Workspace, diagnostics: { severity: string; message: string }[]): Workspace {
  const errors = [...diagnostics, ...checkWorkspace(ws)].filter((d) => d.severity === "error");
  expect(errors.map((d) => d.message)).toEqual([]);
  return ws;
}

describe("the example workspace", async () => {
  const { workspace, diagnostics } = await loadWorkspace(SHOP);
  const ws = checked(workspace, diagnostics);
  const conditions = conditionsOf(ws);

  it("has conditions to test", () => {
    expect(conditions.length).toBeGreaterThan(10);
  });

  it("every condition: compiled closure, compiled condition and JSON Logic agree with the evaluator on random customers", () => {
    fc.assert(
      fc.property(fc.constantFrom(...conditions), schemaEnvArb(ws), (c, env) => {
        const want = evaluate(c.expr, env, ws);
        expect(compileExpr(c.expr, ws)({ ...env, segments: {} })).toStrictEqual(want);
        expect(compileCondition(c.expr, ws)(env)).toBe(want === true);
        let rule;
        try {
          rule = toJsonLogic(c.expr, ws);
        } catch (e) {
          if (e instanceof JsonLogicExportError) return;
          throw e;
        }
        expect(jsonLogic.apply(rule as never, jsonLogicData(c.expr, env, ws) as never) === true).toBe(want === true);
      }),
      { numRuns: 3000, seed: 99 },
    );
  });
});

const POLICY = `schema:
  customer:
    age: number?
    city: string?
    plan: string
  events:
    order_placed: { amount: number }
segments:
  capitals:
    jsonlogic: { "and": [ { ">=": [ { "var": "age" }, 18 ] }, { "in": [ { "var": "city" }, ["London", "Paris"] ] } ] }
  capitals_text: age >= 18 and city in ["London", "Paris"]
  premium:
    jsonlogic: { "if": [ { "==": [ { "var": "plan" }, "pro" ] }, true, { ">": [ { "var": "age" }, 60 ] } ] }
  premium_text: plan == "pro" or age > 60
  band:
    jsonlogic: { "<=": [ 18, { "var": ["age", 0] }, 30 ] }
  band_text: (age ?? 0) between 18 and 30
`;

describe("segments written { jsonlogic: … }", () => {
  const { workspace, diagnostics } = loadWorkspaceFromFiles("/ws", [{ path: "/ws/policy.yaml", text: POLICY }]);
  const ws = checked(workspace, diagnostics.filter((d) => d.severity === "error"));

  it("go through the checker and mean what the equivalent playbook text means", () => {
    fc.assert(
      fc.property(schemaEnvArb(ws), (env) => {
        for (const name of ["capitals", "premium", "band"]) {
          expect(evaluate(ws.segments.get(name)!.expr, env, ws)).toBe(evaluate(ws.segments.get(`${name}_text`)!.expr, env, ws));
        }
      }),
      { numRuns: 500, seed: 5 },
    );
  });

  it("keep the JSON they came from", () => {
    expect(ws.segments.get("band")!.jsonlogic).toEqual({ "<=": [18, { var: ["age", 0] }, 30] });
  });
});

describe("parsed expressions", () => {
  const { workspace } = loadWorkspaceFromFiles("/ws", [{ path: "/ws/policy.yaml", text: POLICY }]);
  const ws = workspace;
  checkWorkspace(ws);
  const ev = (text: string, customer: Record<string, unknown>, events: { name: string; ts: number; props: Record<string, unknown> }[] = []) => {
    const { expr, diagnostics } = parseExpression(text);
    expect(diagnostics).toEqual([]);
    // Resolve through a throwaway segment so the checker fills refs and types.
    ws.segments.set("probe", { name: "probe", span: expr!.span, expr: expr! });
    checkWorkspace(ws);
    const env = { now: BASE, customer: customer as never, events: events as never, rfm: null };
    const v = evaluate(expr!, env, ws);
    expect(compileExpr(expr!, ws)(env)).toStrictEqual(v);
    return v;
  };

  it("evaluate as written", () => {
    expect(ev("age / 0 == null", { age: 3 })).toBe(true);
    expect(ev("city != \"London\"", { city: null })).toBe(false);
    expect(ev("city not in [\"London\"]", { city: "Paris" })).toBe(true);
    expect(ev("sum(order_placed.amount within 2d) > 10", {}, [{ name: "order_placed", ts: BASE - DAY, props: { amount: 11 } }, { name: "order_placed", ts: BASE - 3 * DAY, props: { amount: 5 } }])).toBe(true);
    expect(ev("count(order_placed where amount > 7)", {}, [{ name: "order_placed", ts: BASE - DAY, props: { amount: 11 } }, { name: "order_placed", ts: BASE - 3 * DAY, props: { amount: 5 } }])).toBe(1);
  });
});
