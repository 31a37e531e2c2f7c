import { describe, expect, it } from "vitest";
import { checkWorkspace } from "../../language/check.ts";
import type { Expr } from "../../language/ast.ts";
import { check } from "./check-support.ts";

const rule = (who: string, on = "order_placed") => ({ rules: { r: { on, who, send: { channel: "email", template: "plain" } } } });

describe("name resolution", () => {
  it("a clean workspace has no diagnostics", () => {
    expect(check(rule("vip and count(order_placed within 30d) > 1")).diags).toEqual([]);
  });

  it("an unknown name is PB101 at the name, with a did-you-mean from the names in scope", () => {
    const { diags } = check(rule("frist_name != null"));
    expect(diags).toHaveLength(1);
    expect(diags[0]).toMatchObject({ code: "PB101", severity: "error", message: 'unknown name "frist_name"', hint: 'did you mean "first_name"?' });
    expect(diags[0]!.span).toMatchObject({ col: 6, endCol: 16 });
  });

  it("trigger-event props are in scope by name and as EVENT.prop in event-triggered rules", () => {
    const { diags, ws } = check(rule("amount > 100 and order_placed.amount > 100"));
    expect(diags).toEqual([]);
    const who = ws.rules.get("r")!.who as Extract<Expr, { kind: "binary" }>;
    expect((who.left as Extract<Expr, { kind: "binary" }>).left).toMatchObject({ ref: { kind: "prop", event: "order_placed", prop: "amount", scope: "trigger" } });
  });

  it("trigger props are not in scope in rules triggered otherwise, and the hint says where they are", () => {
    const { diags } = check(rule("amount > 100", "every monday at 10:00"));
    expect(diags.map((d) => d.code)).toEqual(["PB101"]);
    expect(diags[0]!.hint).toContain("prop of order_placed");
  });

  it("EVENT.prop of an event that is not the trigger is PB111 with a last(…) hint", () => {
    const { diags } = check(rule("order_placed.amount > 100", "app_open"));
    expect(diags[0]).toMatchObject({ code: "PB111", hint: "for the latest one, write last(order_placed).amount" });
  });

  it("inside where, bare names are that event's props first, then the trigger's", () => {
    const { diags, ws } = check(rule("count(product_viewed where product_id == back_in_stock.product_id within 30d) > 0", "back_in_stock"));
    expect(diags).toEqual([]);
    const agg = ((ws.rules.get("r")!.who as Extract<Expr, { kind: "binary" }>).left) as Extract<Expr, { kind: "agg" }>;
    const eq = agg.where as Extract<Expr, { kind: "binary" }>;
    expect(eq.left).toMatchObject({ ref: { kind: "prop", event: "product_viewed", scope: "where" } });
    expect((eq.right as Extract<Expr, { kind: "member" }>).object).toMatchObject({ ref: { kind: "trigger_event", event: "back_in_stock" } });
  });

  it("segments, attributes, events and rfm resolve to their kinds", () => {
    const { ws, diags } = check({ segments: { big: "sum(order_placed.amount) > 1000" }, ...rule("big and vip and app_open and rfm.r >= 4") });
    expect(diags).toEqual([]);
    const refs: unknown[] = [];
    const walk = (e: Expr) => {
      if (e.kind === "name") refs.push(e.ref);
      if (e.kind === "binary") (walk(e.left), walk(e.right));
      if (e.kind === "member") walk(e.object);
    };
    walk(ws.rules.get("r")!.who!);
    expect(refs).toEqual([{ kind: "segment", name: "big" }, { kind: "attribute", name: "vip" }, { kind: "event", name: "app_open" }, { kind: "rfm" }]);
  });

  it("a segment or event taking a built-in name is PB108 (names defined twice are the loader's PB006)", () => {
    const { diags } = check({ segments: { rfm: "vip", customer_id: "vip" }, ...rule("vip") });
    expect(diags.filter((d) => d.code === "PB108").map((d) => d.message)).toEqual([
      '"rfm" is built in (the customer\'s RFM scores); a segment cannot take its name',
      '"customer_id" is the built-in customer attribute; a segment cannot take its name',
    ]);
  });

  it("segment cycles are PB109 with the path", () => {
    const { diags } = check({ segments: { a: "b and vip", b: "c", c: "a" }, ...rule("a") });
    const cyc = diags.filter((d) => d.code === "PB109");
    expect(cyc).toHaveLength(1);
    expect(cyc[0]!.message).toBe('segment "a" depends on itself: a → b → c → a');
  });

  it("triggers, channels, templates, caps, exits and template fields are resolved with did-you-mean", () => {
    const { diags } = check({
      templates: { plain: ["frist_name"] },
      caps: ["emial: max 1 per 1d", "pause 1d after order_placd"],
      rules: {
        a: { on: "ordr_placed", exit: ["app_opn"], send: { channel: "emial", template: "plian" } },
        b: { on: "enter vipp", send: { channel: "email" } },
        c: { on: "3d before birthdya", send: { channel: "email" } },
      },
    });
    const got = diags.map((d) => [d.code, d.hint]);
    expect(got).toEqual(expect.arrayContaining([
      ["PB104", 'did you mean "first_name"?'],
      ["PB105", 'did you mean "email"?'],
      ["PB102", 'did you mean "order_placed"?'],
      ["PB102", 'did you mean "app_open"?'],
      ["PB106", 'did you mean "plain"?'],
      ["PB103", undefined],
      ["PB104", 'did you mean "birthday"?'],
    ]));
    expect(diags.filter((d) => d.code === "PB105")).toHaveLength(2);
  });

  it("before/anniversary need a date or datetime attribute (PB203)", () => {
    const { diags } = check({ rules: { a: { on: "anniversary of city", send: { channel: "email" } } } });
    expect(diags.map((d) => d.code)).toContain("PB203");
  });

  it("segments, channels' requires and suppress see no props and no in_cadence()", () => {
    const { codes } = check({ segments: { s: "amount > 1 and in_cadence()" }, ...rule("s") });
    expect(codes).toEqual(["PB101", "PB111"]);
  });
});
