import { describe, expect, it } from "vitest";
import fc from "fast-check";
import type { EventRecord, Value } from "../../language/values.ts";
import { decideWindow } from "../../engine/runtime/batch.ts";
import { buildProgram } from "../../engine/runtime/program.ts";
import { assign, holdoutBucket } from "../../engine/runtime/holdout.ts";
import { buildWorkspace, type MiniWorkspace } from "./scenarios/mini-workspace.ts";
import { miniCompile } from "./scenarios/mini-expr.ts";

const T0 = Date.parse("2026-11-20T00:00:00Z");
const HOUR = 3_600_000;

function workspace(promoHoldout: number): MiniWorkspace {
  return {
    defaults: { send_hours: "09:00-21:00" },
    channels: { email: null, push: "consent_push" },
    caps: ["max 2 per 1d", "push: max 1 per 1d", "topic: max 1 per 2d", "gap 1h between messages", "pause 1d after order"],
    rules: {
      promo: { on: "ping", holdout: promoHoldout, priority: 80, queue: "6h", send: { channel: ["push", "email"], topic: "deals" } },
      cart: { on: "cart", holdout: 0, priority: 60, steps: [{ channel: "push", topic: "deals" }, { after: "5h", channel: "email" }] },
      news: { on: "pong", holdout: 0, send: { channel: ["email", "push"] } },
    },
  };
}

function decide(promoHoldout: number, events: EventRecord[], consent: boolean) {
  const { ws, segments } = buildWorkspace(workspace(promoHoldout));
  const p = buildProgram(ws, miniCompile(segments, new Set(["order"])));
  const customers = new Map<string, Record<string, Value>>([["c", { customer_id: "c", consent_push: consent }]]);
  // The workspace hash differs between the two variants of the workspace; it is not a decision.
  return decideWindow(p, { customers, events: new Map([["c", events]]) }, new Map(), T0, T0 + 72 * HOUR, true).decisions.map((d) => ({ ...d, playbook: "" }));
}

const eventArb = fc.record({ name: fc.constantFrom("ping", "cart", "pong", "order"), hour: fc.integer({ min: 0, max: 60 }) });

describe("ghost sends", () => {
  it("a held-out customer's messages from other rules are exactly those they get when treated", () => {
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 14 }), fc.boolean(), (raw, consent) => {
        const events = raw.map((e) => ({ name: e.name, ts: T0 + e.hour * HOUR, props: {} })).sort((a, b) => a.ts - b.ts);
        const treated = decide(0, events, consent);
        const held = decide(1, events, consent);
        const others = (ds: typeof treated) => ds.filter((d) => d.rule !== "promo");
        expect(others(held)).toEqual(others(treated));
        // The rule's own lines differ only in variant and send → ghost.
        const own = (ds: typeof treated) => ds.filter((d) => d.rule === "promo").map((d) => ({ ...d, variant: "x", status: d.status === "ghost" ? "send" : d.status }));
        expect(own(held)).toEqual(own(treated));
        expect(held.filter((d) => d.rule === "promo").every((d) => d.variant === "holdout" && d.status !== "send")).toBe(true);
      }),
      { numRuns: 150, seed: 20261124 },
    );
  });
});

describe("holdout assignment", () => {
  const { ws } = buildWorkspace(workspace(0.3));
  const rule = ws.rules.get("promo")!;
  it("is the GrowthBook v2 bucket under the rule's salt", () => {
    for (const id of ["a", "b", "c42", "h1", "t1"]) {
      expect(assign(ws, rule, id).variant).toBe(holdoutBucket("promo", id) < 0.3 ? "holdout" : "treatment");
    }
  });
  it("raising the share only moves customers from treatment to holdout", () => {
    fc.assert(
      fc.property(fc.string(), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (id, a, b) => {
        const [lo, hi] = a < b ? [a, b] : [b, a];
        const at = (h: number) => assign(ws, { ...rule, holdout: h }, id).variant;
        if (at(lo) === "holdout") expect(at(hi)).toBe("holdout");
      }),
    );
  });
  it("the global holdout (salt __global) holds a customer out of every rule", () => {
    const g = { ...ws, defaults: { ...ws.defaults, globalHoldout: 0.1 } };
    expect(holdoutBucket("__global", "h2")).toBeLessThan(0.1);
    for (const r of g.rules.values()) expect(assign(g, { ...r, holdout: 0 }, "h2")).toEqual({ variant: "holdout", global: true });
  });
  it("the salt defaults to the rule id, so a renamed salt reshuffles and an edited rule does not", () => {
    const ids = Array.from({ length: 400 }, (_, i) => `c${i}`);
    const base = ids.map((id) => assign(ws, rule, id).variant);
    expect(ids.map((id) => assign(ws, { ...rule, priority: 10, queue: 0 }, id).variant)).toEqual(base);
    expect(ids.map((id) => assign(ws, { ...rule, salt: "other" }, id).variant)).not.toEqual(base);
  });
});
