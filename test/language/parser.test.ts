import { describe, expect, it } from "vitest";
import { parseExpression, printExpr } from "../../language/index.ts";
import { parseTrigger, parseCap, textSpanMap } from "../../language/parse.ts";
import { printCap, printTrigger } from "../../language/printer.ts";
import type { Expr } from "../../language/ast.ts";

/** The tree without spans, for readable expectations. */
function shape(e: unknown): unknown {
  return JSON.parse(JSON.stringify(e, (k, v) => (k === "span" || k.endsWith("Span") || k === "raw" ? undefined : v)));
}
const parse = (t: string): Expr => {
  const r = parseExpression(t);
  expect(r.diagnostics).toEqual([]);
  return r.expr!;
};

describe("expression grammar", () => {
  it("binds or < and < not < comparison < sum < product < unary < ?? < member", () => {
    expect(printExpr(parse("a or b and not c == 1 + 2 * -d ?? e.f"))).toBe("a or b and not c == 1 + 2 * -d ?? e.f");
    expect(shape(parse("1 + 2 * 3"))).toEqual({
      kind: "binary", op: "+", left: { kind: "number", value: 1 },
      right: { kind: "binary", op: "*", left: { kind: "number", value: 2 }, right: { kind: "number", value: 3 } },
    });
    expect(shape(parse("not a and b"))).toMatchObject({ kind: "binary", op: "and", left: { kind: "unary", op: "not" } });
  });

  it("reads every literal form with its value", () => {
    expect(shape(parse("[1.5, \"a\", 'b', true, false, null, 15m, 12h, 3d, 2w, 10%, 2026-11-20, 2026-11-20T10:00:00Z]"))).toEqual({
      kind: "list",
      items: [
        { kind: "number", value: 1.5 }, { kind: "string", value: "a" }, { kind: "string", value: "b" },
        { kind: "bool", value: true }, { kind: "bool", value: false }, { kind: "null" },
        { kind: "duration", ms: 900_000 }, { kind: "duration", ms: 43_200_000 }, { kind: "duration", ms: 259_200_000 },
        { kind: "duration", ms: 1_209_600_000 }, { kind: "percent", value: 0.1 },
        { kind: "date", ms: Date.UTC(2026, 10, 20) }, { kind: "datetime", ms: Date.UTC(2026, 10, 20, 10) },
      ],
    });
    expect(shape(parse("2026-11-20T13:00+03:00"))).toEqual({ kind: "datetime", ms: Date.UTC(2026, 10, 20, 10) });
  });

  it("turns aggregate calls and qualified event sets into their own nodes", () => {
    expect(shape(parse("sum(order_placed.amount where amount > 10 within 30d)"))).toEqual({
      kind: "agg", fn: "sum", event: "order_placed", prop: "amount",
      where: { kind: "binary", op: ">", left: { kind: "name", name: "amount" }, right: { kind: "number", value: 10 } },
      within: { kind: "duration", ms: 2_592_000_000 },
    });
    expect(shape(parse("order_placed within 1h"))).toEqual({ kind: "exists", event: "order_placed", within: { kind: "duration", ms: 3_600_000 } });
    expect(shape(parse("days_since(last(order_placed).ts)"))).toEqual({
      kind: "call", fn: "days_since",
      args: [{ kind: "member", object: { kind: "agg", fn: "last", event: "order_placed" }, prop: "ts" }],
    });
  });

  it("reads in, not in and between", () => {
    expect(shape(parse("city not in [\"a\"]"))).toMatchObject({ kind: "in", negated: true });
    expect(shape(parse("x between 1 and 2 and y"))).toMatchObject({ kind: "binary", op: "and", left: { kind: "between" } });
  });

  it("gives every node the exact span of its text", () => {
    const e = parse("count(order_placed) == 1 and  days_since(x) <= 30");
    if (e.kind !== "binary") throw new Error("shape");
    expect([e.span.start, e.span.end]).toEqual([0, 49]);
    expect([e.left.span.start, e.left.span.end]).toEqual([0, 24]);
    expect([e.right.span.col, e.right.span.endCol]).toEqual([31, 50]);
    const agg = (e.left as { left: Expr }).left;
    if (agg.kind !== "agg") throw new Error("shape");
    expect([agg.eventSpan.start, agg.eventSpan.end]).toEqual([6, 18]);
  });

  it("points a syntax error at the first token that does not fit", () => {
    const r = parseExpression("a and and b");
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]).toMatchObject({ code: "PB010", message: 'unexpected "and" in expression', span: { col: 7, endCol: 10 } });
    expect(parseExpression("a $ b").diagnostics[0]).toMatchObject({ code: "PB011", span: { col: 3 } });
    expect(parseExpression("count(x) >=").diagnostics[0]).toMatchObject({ code: "PB010", message: "unexpected end of expression" });
  });

  it("refuses 10,000 nested parentheses with a diagnostic instead of overflowing the stack", () => {
    const r = parseExpression("(".repeat(10_000) + "a" + ")".repeat(10_000));
    expect(r.diagnostics[0]).toMatchObject({ code: "PB012" });
  });

  it("prints canonically and reads its own output back to the same tree", () => {
    for (const t of ["(a or b) and c", "a - (b - c)", "-(a + b)", "(order_placed where amount > 1) and vip", "not (a == b)", "(a ?? b).c"]) {
      const e = parse(t);
      expect(shape(parse(printExpr(e)))).toEqual(shape(e));
    }
    expect(printExpr(parse("((a))  or(b)"))).toBe("a or b");
  });
});

describe("trigger and cap grammars", () => {
  const trig = (t: string) => parseTrigger(t, textSpanMap("f", t));
  const cap = (t: string) => parseCap(t, textSpanMap("f", t));

  it("reads every trigger form", () => {
    const forms: [string, unknown][] = [
      ["signed_up", { kind: "event", event: "signed_up" }],
      ["cart_abandoned where cart_value >= 1000", { kind: "event", event: "cart_abandoned", where: { kind: "binary", op: ">=" } }],
      ["14d after order_delivered", { kind: "after", delay: { ms: 14 * 86_400_000 }, event: "order_delivered" }],
      ["5d before subscription_ends_at", { kind: "before", lead: { ms: 5 * 86_400_000 }, attribute: "subscription_ends_at" }],
      ["anniversary of birthday", { kind: "anniversary", attribute: "birthday" }],
      ["no app_open for 30d", { kind: "inactivity", event: "app_open", duration: { ms: 30 * 86_400_000 } }],
      ["enter at_risk", { kind: "enter", segment: "at_risk" }],
      ["leave at_risk", { kind: "leave", segment: "at_risk" }],
      ["every thursday at 11:00", { kind: "every", day: "thursday", time: "11:00", minuteOfDay: 660 }],
      ["every day at 9:05", { kind: "every", day: "day", time: "09:05", minuteOfDay: 545 }],
      ["once at 2026-12-01T10:00", { kind: "once", local: "2026-12-01T10:00", utcMs: null }],
      ["once at 2026-12-01T10:00:00Z", { kind: "once", utcMs: Date.UTC(2026, 11, 1, 10) }],
    ];
    for (const [text, want] of forms) {
      const r = trig(text);
      expect(r.diagnostics, text).toEqual([]);
      expect(r.trigger, text).toMatchObject(want as object);
      expect(trig(printTrigger(r.trigger!)).trigger).toMatchObject(want as object);
    }
  });

  it("reads every cap form", () => {
    expect(cap("max 2 per 1d").cap).toMatchObject({ kind: "max", scope: { kind: "all" }, count: 2, per: { ms: 86_400_000 } });
    expect(cap("email: max 3 per 7d").cap).toMatchObject({ kind: "max", scope: { kind: "channel", channel: "email" }, count: 3 });
    expect(cap("topic: max 1 per 3d").cap).toMatchObject({ scope: { kind: "topic" } });
    expect(cap("rule: max 1 per 3d").cap).toMatchObject({ scope: { kind: "rule" } });
    expect(cap("gap 1h between messages").cap).toMatchObject({ kind: "gap", duration: { ms: 3_600_000 } });
    expect(cap("pause 2d after order_placed").cap).toMatchObject({ kind: "pause", event: "order_placed" });
    expect(printCap(cap("email: max 3 per 7d").cap!)).toBe("email: max 3 per 7d");
  });

  it("explains what a trigger may look like when it cannot read one", () => {
    const r = trig("every thursday 11:00");
    expect(r.diagnostics[0]).toMatchObject({ code: "PB010" });
    expect(r.diagnostics[0]!.hint).toContain("every DAY at HH:MM");
  });
});

describe("how Chevrotain is loaded", () => {
  it("from the single-file bundle the package ships, of the same version as the package", async () => {
    const { chevrotainSource, VERSION } = await import("../../language/chevrotain.ts");
    const { createRequire } = await import("node:module");
    const { readFileSync } = await import("node:fs");
    const { dirname, join } = await import("node:path");
    // lib/src/api.js → the package root two levels up.
    const root = join(dirname(createRequire(import.meta.url).resolve("chevrotain")), "..", "..");
    expect(chevrotainSource).toBe("bundle");
    expect(VERSION).toBe(JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version);
  });
});
