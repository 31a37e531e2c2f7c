import { describe, expect, it } from "vitest";
import { check } from "./check-support.ts";

const send = { channel: "email", template: "plain" };

describe("lints", () => {
  it("unused segments and templates are warnings", () => {
    const { diags } = check({ segments: { used: "vip", spare: "count(order_placed) > 2" }, templates: { plain: [], old: [] }, rules: { r: { on: "enter used", send } } });
    expect(diags.map((d) => [d.code, d.severity, d.message])).toEqual([
      ["PB301", "warning", 'segment "spare" is not used by any rule, segment, channel or suppress'],
      ["PB302", "warning", 'template "old" is not sent by any step'],
    ]);
  });

  it("a nullable template field warns unless who narrows it (the example's cart_email)", () => {
    const t = { templates: { plain: [], greet: ["first_name"] } };
    const warn = check({ ...t, rules: { r: { on: "order_placed", send: { channel: "email", template: "greet" } }, p: { on: "app_open", send } } });
    expect(warn.codes).toEqual(["PB303"]);
    expect(warn.diags[0]!.message).toBe('template "greet" needs "first_name", which may be null for the audience of rule "r"');
    for (const who of ["first_name != null", "vip and first_name == \"Ann\"", "lower(first_name) in [\"ann\"]", "not (first_name == null or vip)"]) {
      expect(check({ ...t, rules: { r: { on: "order_placed", who, send: { channel: "email", template: "greet" } }, p: { on: "app_open", send } } }).codes).toEqual([]);
    }
    // An `or` proves nothing unless both sides do.
    expect(check({ ...t, rules: { r: { on: "order_placed", who: "first_name != null or vip", send: { channel: "email", template: "greet" } }, p: { on: "app_open", send } } }).codes).toEqual(["PB303"]);
  });

  it("narrowing sees segments in who, the step's if, unless and every channel's requires", () => {
    const t = { templates: { plain: [], greet: ["first_name"], mail: ["email"] }, segments: { named: "first_name != null" } };
    expect(check({ ...t, rules: { r: { on: "order_placed", who: "named", send: { channel: "email", template: "greet" } }, m: { on: "app_open", send: { channel: "email", template: "mail" } }, p: { on: "app_open", send } } }).codes).toEqual([]);
    expect(check({ ...t, rules: { r: { on: "order_placed", unless: "first_name == null", steps: [{ channel: "email", template: "greet" }] }, n: { on: "app_open", who: "named", send }, m: { on: "app_open", send: { channel: "email", template: "mail" } } } }).codes).toEqual([]);
  });

  it("a who that can never hold is PB304, citing both bounds; also for segments", () => {
    const r = check({ rules: { r: { on: "order_placed", who: "rfm.r >= 4 and rfm.r <= 2", send } } });
    expect(r.codes).toEqual(["PB304"]);
    expect(r.diags[0]!.message).toBe('who of rule "r" can never hold: "rfm.r >= 4" and "rfm.r <= 2" cannot both be true');
    expect(r.diags[0]!.related).toHaveLength(2);
    const s = check({ segments: { odd: "count(order_placed within 30d) > 3 and count(order_placed within 30d) < 2" }, rules: { r: { on: "order_placed", who: "odd", send } } });
    expect(s.codes).toEqual(["PB304"]);
    expect(check({ rules: { r: { on: "order_placed", who: "city == \"a\" and city == \"b\"", send } } }).codes).toEqual(["PB304"]);
    expect(check({ rules: { r: { on: "order_placed", who: "rfm.f > 5", send } } }).diags[0]!.message).toContain("rfm.f is from 1 to 5");
    expect(check({ rules: { r: { on: "order_placed", who: "amount between 10 and 5", send } } }).diags[0]!.message).toBe('who of rule "r" can never hold: "amount between 10 and 5" is empty');
  });

  it("satisfiable bounds, or-ed bounds and different aggregates are not flagged", () => {
    for (const who of ["rfm.r >= 2 and rfm.r <= 2", "rfm.r >= 4 or rfm.r <= 2", "count(order_placed within 30d) > 3 and count(order_placed) < 2", "amount between 10 and 20 and amount >= 20"]) {
      expect(check({ rules: { r: { on: "order_placed", who, send } } }).codes).toEqual([]);
    }
  });

  it("a step if that contradicts who is PB310", () => {
    const r = check({ rules: { r: { on: "order_placed", who: "amount > 100", steps: [send, { after: "1d", if: "amount < 50", ...send }] } } });
    expect(r.codes).toEqual(["PB310"]);
  });

  it("a cadence whose steps are closer than a gap, or exceed a max in a window, is PB305", () => {
    const steps = [send, { after: "30m", ...send }, { after: "1h", ...send }];
    expect(check({ caps: ["gap 1h between messages"], rules: { r: { on: "order_placed", steps } } }).diags.map((d) => d.message)).toEqual([
      'step 2 of "r" comes 30m after step 1, but the cap "gap 1h between messages" needs 1h',
    ]);
    const m = check({ caps: ["max 2 per 1d"], rules: { r: { on: "order_placed", steps } } });
    expect(m.diags.map((d) => d.message)).toEqual(['3 steps of "r" (steps 1–3) fall within 1d, but the cap "max 2 per 1d" allows 2']);
    expect(check({ caps: ["email: max 1 per 7d"], rules: { r: { on: "order_placed", steps } } }).codes).toEqual(["PB305"]);
    expect(check({ caps: ["rule: max 2 per 1d"], rules: { r: { on: "order_placed", steps } } }).codes).toEqual(["PB305"]);
  });

  it("topic caps and caps the steps respect do not fire", () => {
    const steps = [send, { after: "1d", ...send }];
    expect(check({ caps: ["topic: max 1 per 3d", "max 1 per 1d", "gap 1h between messages"], rules: { r: { on: "order_placed", steps } } }).codes).toEqual([]);
  });

  it("a channel without requires is a warning", () => {
    expect(check({ channels: { push: {} } }).diags.find((d) => d.code === "PB306")).toMatchObject({ severity: "warning", message: 'channel "push" has no requires: it will be tried for every customer' });
  });

  it("holdouts above 50% warn, outside 0–100% are errors, for rules and defaults; priority outside 0..100 is an error", () => {
    const r = (holdout: number, priority = 50) => check({ rules: { r: { on: "order_placed", holdout, priority, send } } }).codes;
    expect(r(0)).toEqual([]);
    expect(r(0.5)).toEqual([]);
    expect(r(0.6)).toEqual(["PB307"]);
    expect(r(1.5)).toEqual(["PB308"]);
    expect(r(-0.1)).toEqual(["PB308"]);
    expect(r(0.1, 101)).toEqual(["PB309"]);
    expect(check({ defaults: { globalHoldout: 0.7 } }).codes).toContain("PB307");
  });
});

describe("PB314: a rule's own expires shorter than its queue or its cadence", () => {
  it("warns at the edge: expires 6h under queue 6h 1m or a cadence due 6h 1m after the trigger; not at 6h", () => {
    const short = check({ rules: { r: { on: "order_placed", queue: "361m", expires: "6h", send } } });
    expect(short.diags.map((d) => [d.code, d.severity, d.message])).toEqual([
      ["PB314", "warning", '"r" expires 6h after the trigger, sooner than its queue 361m: a capped message waits at most until the expiry'],
    ]);
    const cadence = check({ rules: { r: { on: "order_placed", expires: "6h", steps: [{ ...send }, { ...send, after: "361m" }] } } });
    expect(cadence.diags.map((d) => d.message)).toEqual(['"r" expires 6h after the trigger, but its steps are due 361m after it: the last steps always end expired']);
    expect(check({ rules: { r: { on: "order_placed", queue: "6h", expires: "6h", steps: [{ ...send }, { ...send, after: "6h" }] } } }).codes).toEqual([]);
    // Only a rule's own expires bounds the queue; defaults.expires does not.
    expect(check({ defaults: { expires: "1h" }, rules: { r: { on: "order_placed", queue: "2d", send } } }).codes).toEqual([]);
  });
});
