/**
 * Arms in the engine (issue 18 §1) and holdout groups (§5), through the real loader,
 * compiler and decision loop: the log's `arm` field, the weight boundary (bucket
 * 4999 / 5000 at 50/50), minimal movement when a weight changes, stickiness of an
 * entry in progress, content variants picking the template, explain naming the arm,
 * a holdout group holding out the same customers from every rule of the family, and
 * the law: among treated customers the arm shares equal the weights whatever their
 * holdout hash.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { loadWorkspaceFromFiles } from "../../language/index.ts";
import { checkWorkspace } from "../../language/check.ts";
import { compileExpr } from "../../engine/compile/closure.ts";
import { buildProgram, type Program } from "../../engine/runtime/program.ts";
import { decideWindow } from "../../engine/runtime/batch.ts";
import { decisionToJson } from "../../engine/decision.ts";
import { armBucket, armSalt } from "../../engine/runtime/arm-hash.ts";
import { holdoutBucket } from "../../engine/runtime/holdout-hash.ts";
import { explainCustomer } from "../../engine/runtime/explain.ts";
import type { CustomerState } from "../../engine/runtime/state.ts";
import type { EventRecord, Value } from "../../language/values.ts";

const T0 = Date.parse("2026-03-01T10:00:00Z");
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function program(w1: string, w2: string, holdout = "10%", extra = ""): Program {
  const text = `schema:
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
rules:
  cart_recovery:
    on: cart_abandoned
    variants:
      push_first: { weight: ${w1}, steps: [ { after: 1h, channel: push, template: cart_push }, { after: 1d, channel: email, template: cart_email } ] }
      email_only: { weight: ${w2}, send: { channel: email, template: cart_email } }
    holdout: ${holdout}
  plain:
    on: cart_abandoned
    send: { channel: push, template: cart_push }
    holdout: 0%
${extra}`;
  const { workspace: ws, diagnostics } = loadWorkspaceFromFiles("/ws", [{ path: "ws.yaml", text }]);
  const errors = [...diagnostics, ...checkWorkspace(ws)].filter((d) => d.severity === "error");
  expect(errors).toEqual([]);
  return buildProgram(ws, (e) => compileExpr(e, ws));
}

function base(ids: string[]) {
  const customers = new Map<string, Record<string, Value>>(ids.map((id) => [id, { customer_id: id, email: `${id}@x.io` }]));
  const events = new Map<string, EventRecord[]>(ids.map((id) => [id, [{ name: "cart_abandoned", ts: T0, props: { cart_value: 1500 } }]]));
  return { customers, events };
}

function run(p: Program, ids: string[], to = T0 + 3 * DAY, states = new Map<string, CustomerState>(), from = T0 - 1) {
  return decideWindow(p, base(ids), states, from, to, false).decisions;
}

const armOfEach = (ds: ReturnType<typeof run>, rule = "cart_recovery") => new Map(ds.filter((d) => d.rule === rule && d.step === 1).map((d) => [d.customer_id, d.arm ?? null]));

describe("the log's arm field", () => {
  it("names the arm after `variant`; null on a rule without variants; held-out lines carry their hash's arm", () => {
    const ds = run(program("50%", "50%", "50%"), ["c1", "c2", "c3", "c4", "c5", "c6"]);
    const line = decisionToJson(ds.find((d) => d.rule === "plain")!);
    expect(line).toContain('"variant":"treatment","arm":null,"status"');
    for (const d of ds.filter((x) => x.rule === "cart_recovery")) {
      const expected = armBucket(armSalt("cart_recovery"), d.customer_id) < 5000 ? "push_first" : "email_only";
      expect(d.arm).toBe(expected);
      expect(d.variant).toBe(holdoutBucket("cart_recovery", d.customer_id) < 0.5 ? "holdout" : "treatment");
      // Each arm's own journey: push_first has two steps, email_only one.
      expect(d.template).toBe(d.arm === "push_first" && d.step === 1 ? "cart_push" : "cart_email");
    }
    expect(ds.some((d) => d.variant === "holdout" && d.status === "ghost" && d.arm !== null)).toBe(true);
  });
  it("at 50/50 bucket 4999 is push_first and 5000 email_only; at 60/40 5999 is push_first and 6000 email_only", () => {
    const ids = ["c14425", "c419", "c3088", "c2919"];
    expect(ids.map((id) => armBucket(armSalt("cart_recovery"), id))).toEqual([4999, 5000, 5999, 6000]);
    const half = armOfEach(run(program("50%", "50%", "0%"), ids));
    expect(ids.map((id) => half.get(id))).toEqual(["push_first", "email_only", "email_only", "email_only"]);
    const sixty = armOfEach(run(program("60%", "40%", "0%"), ids));
    expect(ids.map((id) => sixty.get(id))).toEqual(["push_first", "push_first", "push_first", "email_only"]);
  });
  it("0% and 100%: nobody, everybody", () => {
    const ids = Array.from({ length: 200 }, (_, i) => `z${i}`);
    expect(new Set(armOfEach(run(program("0%", "100%", "0%"), ids)).values())).toEqual(new Set(["email_only"]));
    expect(new Set(armOfEach(run(program("100%", "0%", "0%"), ids)).values())).toEqual(new Set(["push_first"]));
  });
});

describe("weight changes", () => {
  const ids = Array.from({ length: 3000 }, (_, i) => `m${i}`);
  it("raising push_first from 50% to 60% moves only the customers with buckets in [5000, 6000), and no one's holdout", () => {
    const a = run(program("50%", "50%"), ids);
    const b = run(program("60%", "40%"), ids);
    const before = armOfEach(a);
    const after = armOfEach(b);
    let moved = 0;
    for (const id of ids) {
      const bucket = armBucket(armSalt("cart_recovery"), id);
      if (before.get(id) !== after.get(id)) {
        moved++;
        expect([before.get(id), after.get(id)]).toEqual(["email_only", "push_first"]);
        expect(bucket >= 5000 && bucket < 6000).toBe(true);
      } else expect(bucket >= 5000 && bucket < 6000).toBe(false);
    }
    expect(moved).toBeGreaterThan(200);
    const held = (ds: typeof a) => ds.filter((d) => d.variant === "holdout").map((d) => `${d.customer_id}#${d.step}`).filter((x) => x.endsWith("#1")).sort();
    expect(held(b)).toEqual(held(a));
  });
  it("an entry in progress keeps its arm when the weights change before its next step (sticky)", () => {
    const id = "c14425"; // bucket 4999: push_first at 50/50, email_only at 40/60
    const states = new Map<string, CustomerState>();
    const first = run(program("50%", "50%", "0%"), [id], T0 + 2 * HOUR, states);
    const own = (ds: typeof first) => ds.filter((d) => d.rule === "cart_recovery").map((d) => [d.step, d.arm, d.template]);
    expect(own(first)).toEqual([[1, "push_first", "cart_push"]]);
    const later = run(program("40%", "60%", "0%"), [id], T0 + 3 * DAY, states, T0 + 2 * HOUR);
    expect(own(later)).toEqual([[2, "push_first", "cart_email"]]);
    // A new entry after the change is assigned by the new weights.
    expect(armOfEach(run(program("40%", "60%", "0%"), [id])).get(id)).toBe("email_only");
  });
});

describe("content variants and explain", () => {
  const extra = `  nudge:
    on: order_placed
    send:
      channel: email
      variants: { short: { template: cart_short }, long: { template: cart_long } }
    holdout: 0%
`;
  it("each arm sends its template; the arm salt is RULE::STEP::arm", () => {
    const p = program("50%", "50%", "0%", extra);
    const ids = Array.from({ length: 40 }, (_, i) => `n${i}`);
    const data = { customers: base(ids).customers, events: new Map(ids.map((id) => [id, [{ name: "order_placed", ts: T0, props: { amount: 10 } }]])) };
    const ds = decideWindow(p, data, new Map(), T0 - 1, T0 + DAY, false).decisions.filter((d) => d.rule === "nudge");
    expect(ds).toHaveLength(40);
    for (const d of ds) {
      const arm = armBucket(armSalt("nudge", "1"), d.customer_id) < 5000 ? "short" : "long";
      expect([d.arm, d.template]).toEqual([arm, arm === "short" ? "cart_short" : "cart_long"]);
    }
  });
  it("explain names the arm on the rule's line and gives the bucket and the ranges", () => {
    const p = program("50%", "50%", "0%");
    const text = explainCustomer(p, { id: "c419", attrs: { customer_id: "c419", email: "x@y.z" }, events: [{ name: "cart_abandoned", ts: T0, props: { cart_value: 1 } }], tz: "UTC", rfm: null }, { at: T0 + 2 * HOUR });
    expect(text).toContain("rule cart_recovery (priority 50, cadence of 2 steps, arm email_only): on cart_abandoned");
    expect(text).toContain('arm                      email_only (bucket 5000 of 10000 under salt "cart_recovery::arm"; push_first [0, 5000), email_only [5000, 10000))');
    expect(text).toMatch(/rule plain \(priority 50\): on cart_abandoned/);
  });
});

describe("holdout groups", () => {
  it("hold out the same customers from every rule of the family, at the family's share", () => {
    const extra = `  promo_a:
    on: cart_abandoned
    holdout_group: promo
    holdout: 30%
    send: { channel: email, template: cart_short }
  promo_b:
    on: cart_abandoned
    holdout_group: promo
    holdout: 30%
    send: { channel: email, template: cart_long }
`;
    const ids = Array.from({ length: 1000 }, (_, i) => `g${i}`);
    const ds = run(program("50%", "50%", "10%", extra), ids);
    const held = (rule: string) => ds.filter((d) => d.rule === rule && d.variant === "holdout").map((d) => d.customer_id).sort();
    expect(held("promo_a")).toEqual(held("promo_b"));
    expect(held("promo_a")).toEqual(ids.filter((id) => holdoutBucket("group:promo", id) < 0.3).sort());
    expect(held("promo_a")).not.toEqual(held("cart_recovery"));
  });
});

describe("law: arms are independent of the holdout", () => {
  it("among treated customers the arm shares equal the weights, in the lower and the upper half of the holdout hash alike", () => {
    const ids = Array.from({ length: 4000 }, (_, i) => `p${i}`);
    fc.assert(
      fc.property(fc.integer({ min: 5, max: 95 }), fc.integer({ min: 0, max: 50 }), (w, h) => {
        const ds = run(program(`${w}%`, `${100 - w}%`, `${h}%`), ids, T0 + 2 * HOUR).filter((d) => d.rule === "cart_recovery" && d.step === 1 && d.variant === "treatment");
        // Treated customers split by their holdout hash: below and above the middle of the treated range.
        const mid = h / 100 + (1 - h / 100) / 2;
        for (const half of [ds.filter((d) => holdoutBucket("cart_recovery", d.customer_id) < mid), ds.filter((d) => holdoutBucket("cart_recovery", d.customer_id) >= mid)]) {
          const share = half.filter((d) => d.arm === "push_first").length / half.length;
          const se = Math.sqrt(((w / 100) * (1 - w / 100)) / half.length);
          expect(Math.abs(share - w / 100)).toBeLessThan(4.5 * se);
        }
      }),
      { numRuns: 12, seed: 18 },
    );
  });
});
