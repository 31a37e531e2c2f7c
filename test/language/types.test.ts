import { describe, expect, it } from "vitest";
import type { Expr, Type } from "../../language/ast.ts";
import { check } from "./check-support.ts";
import { loadWorkspace } from "../../language/index.ts";
import { checkWorkspace } from "../../language/check.ts";
import { walkExpr } from "../../language/resolver.ts";
import { allExprs } from "../../language/lints/unused.ts";

/** Types `who` (wrapped as `(X) == (X)`-free: we read the type of the who node itself). */
function typeOf(expr: string, on = "order_placed") {
  const { ws, diags } = check({ rules: { r: { on, who: expr, send: { channel: "email", template: "plain" } } } });
  const who = ws.rules.get("r")!.who!;
  return { type: who.type as Type, diags, who };
}
const leftType = (expr: string) => {
  const { who, diags } = typeOf(expr);
  return { type: (who as Extract<Expr, { kind: "binary" }>).left.type, diags };
};

describe("types", () => {
  it("every node gets a type", () => {
    const { who, diags } = typeOf("days_since(registered_at) > 30 and lower(city ?? \"\") in [\"moscow\"]");
    expect(diags).toEqual([]);
    const seen: (Type | undefined)[] = [];
    const walk = (e: Expr): void => {
      seen.push(e.type);
      if (e.kind === "binary" || e.kind === "in") (walk(e.left), walk(e.right));
      if (e.kind === "call") e.args.forEach(walk);
      if (e.kind === "list") e.items.forEach(walk);
    };
    walk(who);
    expect(seen.every((t) => t !== undefined)).toBe(true);
  });

  it("nullable attributes, first/last and avg/min/max are nullable; ?? removes nullability", () => {
    expect(leftType("city == \"x\"").type).toEqual({ base: "string", nullable: true });
    expect(leftType("last(order_placed) != null").type).toEqual({ base: "event", nullable: true, event: "order_placed" });
    expect(leftType("avg(order_placed.amount) > 1").type).toEqual({ base: "number", nullable: true });
    expect(leftType("count(order_placed) > 1").type).toEqual({ base: "number", nullable: false });
    expect(leftType("(city ?? \"none\") == \"x\"").type).toEqual({ base: "string", nullable: false });
    expect(leftType("last(order_placed).amount > 1").type).toEqual({ base: "number", nullable: true });
    expect(leftType("rfm.cell == \"555\"").type).toEqual({ base: "string", nullable: true });
  });

  it("arithmetic with a nullable operand is nullable", () => {
    expect(leftType("avg(order_placed.amount) * 2 > 1").type).toEqual({ base: "number", nullable: true });
  });

  it("datetime ± duration is a datetime; datetime − datetime is a duration; dates compare with datetimes", () => {
    expect(leftType("registered_at + 3d > 2026-01-01").type).toEqual({ base: "datetime", nullable: false });
    expect(leftType("registered_at - last(order_placed).ts > 30d").type).toEqual({ base: "duration", nullable: true });
    expect(typeOf("birthday < registered_at").diags).toEqual([]);
  });

  it("percents are numbers; durations are not", () => {
    expect(typeOf("amount / 100 > 10%").diags).toEqual([]);
    const d = typeOf("days_since(registered_at) > 30d").diags;
    expect(d.map((x) => x.code)).toEqual(["PB201"]);
    expect(d[0]!.hint).toBe("durations are written with a unit: 30d, 12h, 15m");
  });

  it("a mismatch names the operand a marketer should look at", () => {
    const d = typeOf("city > 5").diags;
    expect(d).toHaveLength(1);
    expect(d[0]!.message).toBe('cannot compare a string with a number: "city" is a string');
  });

  it("in needs a list of the left's type, literal or list attribute", () => {
    expect(typeOf("\"x\" in tags").diags).toEqual([]);
    expect(typeOf("city in [1, 2]").diags.map((d) => d.code)).toEqual(["PB201"]);
    expect(typeOf("city in email").diags[0]!.message).toContain('"in" needs a list on the right');
  });

  it("conditions must be true/false (PB202)", () => {
    const d = typeOf("city").diags;
    expect(d[0]).toMatchObject({ code: "PB202", message: 'who must be true or false, but "city" is a string (may be null)' });
    const { diags } = check({ segments: { s: "count(order_placed)" }, channels: { sms: { requires: "email" } }, suppress: "amount" });
    expect(diags.map((x) => x.code).sort()).toEqual(["PB101", "PB202", "PB202", "PB301", "PB302"]);
  });

  it("a where clause must be a condition and sees the event's props", () => {
    expect(typeOf("count(order_placed where amount) > 0").diags.map((d) => d.code)).toEqual(["PB202"]);
    expect(typeOf("count(order_placed where order_id == \"a\") > 0").diags).toEqual([]);
  });

  it("sum/avg need a number prop of the event", () => {
    expect(typeOf("sum(order_placed.order_id) > 0").diags.map((d) => d.code)).toEqual(["PB206"]);
    expect(typeOf("sum(order_placed.amout) > 0").diags[0]).toMatchObject({ code: "PB107", hint: 'did you mean "amount"?' });
  });

  it("delivered/opened/clicked(previous) only in conditions of steps ≥ 2", () => {
    const two = (cond: string, at: 1 | 2) => {
      const steps = [{ channel: "email", template: "plain" }, { after: "1d", channel: "email", template: "plain" }] as { channel: string; template: string; unless?: string }[];
      steps[at - 1]!.unless = cond;
      return check({ rules: { r: { on: "order_placed", steps } } }).codes;
    };
    expect(two("clicked(previous)", 2)).toEqual([]);
    expect(two("clicked(previous)", 1)).toEqual(["PB204"]);
    expect(typeOf("opened(previous)").diags.map((d) => d.code)).toEqual(["PB204"]);
  });

  it("in_cadence() is allowed anywhere in rules", () => {
    expect(typeOf("not in_cadence()").diags).toEqual([]);
  });

  it("an unknown function is PB110 with did-you-mean", () => {
    expect(typeOf("day_since(registered_at) > 3").diags[0]).toMatchObject({ code: "PB110", hint: 'did you mean "days_since"?' });
  });

  it("one mistake is reported once: errors do not cascade to parents", () => {
    expect(typeOf("(frist_name + 1) * 2 > 3 and lower(frist_name) == \"a\"").diags.map((d) => d.code)).toEqual(["PB101", "PB101"]);
  });

  it("in the example workspace every expression node is typed and every name resolved", async () => {
    const { workspace } = await loadWorkspace("playbooks/shop");
    expect(checkWorkspace(workspace).filter((d) => d.severity === "error")).toEqual([]);
    let nodes = 0;
    for (const x of allExprs(workspace)) {
      walkExpr(x, (n) => {
        nodes++;
        expect(n.type, n.kind).toBeDefined();
        expect(n.type!.base).not.toBe("error");
        if (n.kind === "name") expect(n.ref, n.name).toBeDefined();
      });
    }
    expect(nodes).toBeGreaterThan(100);
  });
});
