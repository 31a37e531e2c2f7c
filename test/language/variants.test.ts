/**
 * `variants:` and `holdout_group` in the language (issue 18 §1, §5): the two forms read
 * into the AST, weights at the 100% boundary (PB019), the shape rules (PB020), shares
 * across a holdout group (PB021), every diagnostic at file:line:col; fmt re-prints
 * expressions inside arms; the JSON Schema accepts both forms.
 */
import { describe, expect, it } from "vitest";
import { Ajv } from "ajv";
import { parse } from "yaml";
import { loadWorkspaceFromFiles } from "../../language/index.ts";
import { checkWorkspace } from "../../language/check.ts";
import { formatText } from "../../language/formatter.ts";
import { playbookSchema } from "../../language/json-schema.ts";
import { allSteps, armsOf, contentStep, stepsOf } from "../../language/variants.ts";

const BASE = `schema:
  customer: { email: string? }
  events:
    cart_abandoned: { cart_value: number }
    order_placed: { amount: number }
channels:
  email: { requires: email != null }
  push: { requires: true }
templates:
  cart_push: { fields: [] }
  cart_email: { fields: [] }
  cart_short: { fields: [] }
  cart_long: { fields: [] }
`;

function load(rules: string) {
  const text = BASE + "rules:\n" + rules;
  const { workspace, diagnostics } = loadWorkspaceFromFiles("/ws", [{ path: "ws.yaml", text }]);
  const all = diagnostics.some((d) => d.severity === "error") ? diagnostics : [...diagnostics, ...checkWorkspace(workspace)];
  return { ws: workspace, diags: all.filter((d) => d.severity === "error").map((d) => `${d.span?.line}:${d.span?.col} ${d.code} ${d.message}`), text };
}

const twoArms = (w1: string, w2: string) => `  cart_recovery:
    on: cart_abandoned where cart_value >= 1000
    variants:
      push_first: { weight: ${w1}, steps: [ { after: 1h, channel: push, template: cart_push }, { after: 1d, channel: email, template: cart_email } ] }
      email_only: { weight: ${w2}, send: { channel: email, template: cart_email } }
    holdout: 10%
`;

describe("rule-level variants", () => {
  it("reads each arm's journey, weights as fractions, in declaration order", () => {
    const { ws, diags } = load(twoArms("50%", "50%"));
    expect(diags).toEqual([]);
    const r = ws.rules.get("cart_recovery")!;
    expect(r.arms!.map((a) => [a.name, a.weight, a.isCadence, a.steps.length])).toEqual([["push_first", 0.5, true, 2], ["email_only", 0.5, false, 1]]);
    expect(stepsOf(r, "email_only")[0]!.template!.name).toBe("cart_email");
    expect(stepsOf(r, "push_first")[0]!.template!.name).toBe("cart_push");
    expect(allSteps(r)).toHaveLength(3);
    expect(armsOf(r)!.map((a) => a.name)).toEqual(["push_first", "email_only"]);
    expect(contentStep(r)).toBeNull();
  });
  it("weights adding up to exactly 100% pass; 0.01% under or over is PB019 at the variants key", () => {
    expect(load(twoArms("50%", "50%")).diags).toEqual([]);
    expect(load(twoArms("33.33%", "66.67%")).diags).toEqual([]);
    expect(load(twoArms("0%", "100%")).diags).toEqual([]);
    expect(load(twoArms("49.99%", "50%")).diags).toEqual(['17:5 PB019 the weights of the variants of rule "cart_recovery" add up to 99.99%, not 100%']);
    expect(load(twoArms("50.01%", "50%")).diags).toEqual(['17:5 PB019 the weights of the variants of rule "cart_recovery" add up to 100.01%, not 100%']);
  });
  it("a weight on some arms but not others is PB019 at the arm without one", () => {
    const { diags } = load(`  r:
    on: order_placed
    variants:
      a: { weight: 50%, send: { channel: email, template: cart_short } }
      b: { send: { channel: email, template: cart_long } }
`);
    expect(diags).toEqual(['19:7 PB019 variant "b" has no weight while others have one']);
  });
  it("no weights at all: equal shares", () => {
    const { ws, diags } = load(`  r:
    on: order_placed
    variants:
      a: { send: { channel: email, template: cart_short } }
      b: { send: { channel: email, template: cart_long } }
      c: { send: { channel: push, template: cart_push } }
`);
    expect(diags).toEqual([]);
    expect(ws.rules.get("r")!.arms!.map((a) => a.weight)).toEqual([1 / 3, 1 / 3, 1 / 3]);
  });
  it("PB020: one arm; variants beside send; arms in two places", () => {
    expect(load(`  r:
    on: order_placed
    variants:
      a: { weight: 100%, send: { channel: email, template: cart_short } }
`).diags).toEqual(['18:7 PB020 the variants of rule "r" has one arm; variants need at least two']);
    expect(load(`  r:
    on: order_placed
    send: { channel: email, template: cart_short }
    variants:
      a: { send: { channel: email, template: cart_short } }
      b: { send: { channel: email, template: cart_long } }
`).diags).toEqual(['17:5 PB020 rule "r" has `variants:` and `send:`']);
    expect(load(`  r:
    on: order_placed
    variants:
      a: { send: { channel: email, variants: { x: { template: cart_short }, y: { template: cart_long } } } }
      b: { send: { channel: email, template: cart_long } }
`).diags).toEqual(['18:48 PB020 rule "r" already has arms (its `variants:`); a rule splits its customers one way only']);
  });
  it("an arm without send or steps is PB005; an unknown key in an arm is PB002 with the hint", () => {
    const { diags } = load(`  r:
    on: order_placed
    variants:
      a: { weight: 50%, sned: { channel: email, template: cart_short } }
      b: { weight: 50%, send: { channel: email, template: cart_long } }
`);
    expect(diags).toEqual(['18:25 PB002 unknown key "sned" in variant "a"', '18:7 PB005 variant "a" of rule "r" has neither `send:` nor `steps:`']);
  });
  it("an unknown channel or template inside an arm is found (PB105, PB106)", () => {
    const { diags } = load(`  r:
    on: order_placed
    variants:
      a: { send: { channel: fax, template: cart_short } }
      b: { send: { channel: email, template: cart_lng } }
`);
    expect(diags).toEqual(['18:29 PB105 unknown channel "fax"', '19:46 PB106 unknown template "cart_lng"']);
  });
});

describe("content variants in a step", () => {
  const rule = (extra = "") => `  nudge:
    on: order_placed
    send:
      channel: email${extra}
      variants: { short: { template: cart_short }, long: { template: cart_long } }
`;
  it("reads the arms (equal shares without weights); the step's template is the first arm's", () => {
    const { ws, diags } = load(rule());
    expect(diags).toEqual([]);
    const s = ws.rules.get("nudge")!.steps[0]!;
    expect(s.variants!.map((v) => [v.name, v.weight, v.template.name])).toEqual([["short", 0.5, "cart_short"], ["long", 0.5, "cart_long"]]);
    expect(s.template!.name).toBe("cart_short");
    expect(contentStep(ws.rules.get("nudge")!)).toBe(1);
  });
  it("a template beside content variants is PB020; an unknown template of an arm is PB106", () => {
    expect(load(rule("\n      template: cart_push")).diags).toEqual(['19:7 PB020 step 1 of rule "nudge" has `variants:` and `template:`']);
    expect(load(`  nudge:
    on: order_placed
    send: { channel: email, variants: { short: { template: cart_short }, long: { template: cart_lng } } }
`).diags).toEqual(['17:92 PB106 unknown template "cart_lng"']);
  });
  it("two steps with variants is PB020 at the second", () => {
    const { diags } = load(`  c:
    on: order_placed
    steps:
      - { channel: email, variants: { a: { template: cart_short }, b: { template: cart_long } } }
      - { after: 1d, channel: email, variants: { a: { template: cart_short }, b: { template: cart_long } } }
`);
    expect(diags).toEqual(['19:50 PB020 rule "c" already has arms (step 1); a rule splits its customers one way only']);
  });
});

describe("holdout_group", () => {
  const group = (h1: string, h2: string, salt = "") => `  a:
    on: order_placed
    holdout_group: promo
    holdout: ${h1}
    send: { channel: email, template: cart_short }
  b:
    on: order_placed
    holdout_group: promo
    holdout: ${h2}${salt}
    send: { channel: email, template: cart_long }
`;
  it("gives every rule of the group one salt", () => {
    const { ws, diags } = load(group("10%", "10%"));
    expect(diags).toEqual([]);
    expect([ws.rules.get("a")!.salt, ws.rules.get("b")!.salt]).toEqual(["group:promo", "group:promo"]);
    expect(ws.rules.get("a")!.holdoutGroup).toBe("promo");
  });
  it("shares that differ (even by 0.01%) are PB021 at the second rule's holdout, noting the first", () => {
    const { diags } = load(group("10%", "10.01%"));
    expect(diags).toEqual(['23:14 PB021 rule "b" holds out 10.01% but its holdout_group "promo" holds out 10% (rule "a")']);
  });
  it("the default share counts as given: 10% written on one rule and left out on the other is the same share", () => {
    const text = group("10%", "10%").replace("    holdout: 10%\n    send: { channel: email, template: cart_long }", "    send: { channel: email, template: cart_long }");
    expect(load(text).diags).toEqual([]);
  });
  it("a salt of its own beside holdout_group is PB021", () => {
    expect(load(group("10%", "10%", "\n    salt: mine")).diags).toEqual(['24:5 PB021 rule "b" sets a `salt` and a `holdout_group`']);
  });
});

describe("fmt and the JSON Schema", () => {
  it("fmt re-prints an arm's step conditions, and is idempotent", () => {
    const rules = `  c:
    on: order_placed
    variants:
      a:
        steps:
          - channel: email
            template: cart_short
          - after: 1d
            unless: opened( previous )
            channel: email
            template: cart_long
      b:
        send: { channel: email, template: cart_long }
`;
    const once = formatText("ws.yaml", BASE + "rules:\n" + rules).text;
    expect(once).toContain("            unless: opened(previous)\n");
    expect(formatText("ws.yaml", once).text).toBe(once);
  });
  it("the schema accepts both forms and holdout_group, and refuses an unknown key in an arm", () => {
    const validate = new Ajv({ strict: false, allowUnionTypes: true }).compile(playbookSchema());
    const good = parse(BASE + "rules:\n" + twoArms("50%", "50%") + `  nudge:
    on: order_placed
    holdout_group: promo
    send:
      channel: email
      variants: { short: { template: cart_short, weight: 40% }, long: { template: cart_long, weight: 60% } }
`);
    expect(validate(good), JSON.stringify(validate.errors)).toBe(true);
    const bad = parse(BASE + "rules:\n" + twoArms("50%", "50%").replace("email_only: { weight", "email_only: { wieght"));
    expect(validate(bad)).toBe(false);
  });
});
