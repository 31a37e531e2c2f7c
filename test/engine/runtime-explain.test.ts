import { describe, expect, it } from "vitest";
import { join } from "node:path";
import type { EventRecord } from "../../language/values.ts";
import { explainCustomer, explanationOf } from "../../engine/runtime/explain.ts";
import { buildProgram } from "../../engine/runtime/program.ts";
import { loadScenario } from "./scenarios/runner.ts";
import { buildWorkspace } from "./scenarios/mini-workspace.ts";
import { miniCompile } from "./scenarios/mini-expr.ts";

function inputsOf(file: string, id: string) {
  const s = loadScenario(join(import.meta.dirname, "scenarios", file));
  const { ws, segments } = buildWorkspace(s.workspace);
  const p = buildProgram(ws, miniCompile(segments, new Set((s.events ?? []).map((e) => e[1]))));
  const events: EventRecord[] = (s.events ?? []).filter((e) => e[0] === id).map(([, name, ts, props]) => ({ name, ts: Date.parse(ts), props: props ?? {} }));
  return { p, c: { id, attrs: s.customers.find((c) => c.customer_id === id)!, events, tz: "UTC", rfm: null } };
}

function explainIn(file: string, id: string, at: string, rule?: string): string {
  const s = loadScenario(join(import.meta.dirname, "scenarios", file));
  const { ws, segments } = buildWorkspace(s.workspace);
  const p = buildProgram(ws, miniCompile(segments, new Set((s.events ?? []).map((e) => e[1]))));
  const events: EventRecord[] = (s.events ?? []).filter((e) => e[0] === id).map(([, name, ts, props]) => ({ name, ts: Date.parse(ts), props: props ?? {} }));
  const attrs = s.customers.find((c) => c.customer_id === id)!;
  return explainCustomer(p, { id, attrs, events, tz: "UTC", rfm: null }, { at: Date.parse(at), ...(rule ? { rule } : {}) });
}

describe("explain", () => {
  it("shows each check of a capped candidate with the cap that stopped it, then what went out", () => {
    const text = explainIn("02-caps.yaml", "gap", "2026-11-20T12:00:00Z", "news");
    expect(text).toContain("rule news (priority 50): on");
    expect(text).toContain("at 2026-11-20T08:30:00Z:");
    expect(text).toMatch(/channel push caps\s+stopped by push: max 1 per 1d/);
    expect(text).toMatch(/caps\s+stopped by gap 1h between messages/);
    expect(text).toMatch(/status\s+capped via email \(gap 1h between messages\)/);
    expect(text).toContain("→ would send step 1: template - via email at 2026-11-20T09:00:00Z (send)");
  });
  it("says why a rule had no candidate", () => {
    const text = explainIn("05-cadence.yaml", "b", "2026-11-21T12:00:00Z");
    expect(text).toMatch(/rule winback .*\n  no candidate in the window: trigger did not fire; last ping_w: never/);
    expect(text).toMatch(/exit\s+order_placed at 2026-11-20T20:00:00Z, after entry/);
    expect(text).toMatch(/status\s+exited \(order_placed\)/);
  });
  it("is deterministic", () => {
    expect(explainIn("05-cadence.yaml", "c", "2026-11-22T12:00:00Z")).toBe(explainIn("05-cadence.yaml", "c", "2026-11-22T12:00:00Z"));
  });
  it("a candidate still waiting at --at is what the log says (deferred, its next try), not a decision at --at", () => {
    const text = explainIn("05-cadence.yaml", "c", "2026-11-21T12:00:00Z", "winq");
    expect(text).not.toContain("at 2026-11-21T12:00:00Z:");
    expect(text).toContain("  still waiting at 2026-11-21T12:00:00Z (step 1, entered 2026-11-20T12:00:00Z):\n    at --at                  still waiting, nothing decided yet: the log says deferred (send_at 2026-11-23T12:00:00Z, blocked), provisional");
    // Queued inside the window: the visit says it waits and until when, then the same deferred line.
    const q = explainIn("03-rule-cap-queue.yaml", "q", "2026-11-20T12:00:00Z");
    expect(q).toMatch(/waits\s+queued: next try \S+, when the cap frees \(queue until \S+\)/);
  });
  it("states the bound expires applied: the rule's own from the trigger, or the queue past defaults.expires", () => {
    const a = explainIn("14-expires-bounds-queue.yaml", "a", "2026-11-21T00:00:00Z", "bounded");
    expect(a).toMatch(/expires\s+latest 2026-11-21T01:00:00Z, the rule's expires 6h after the trigger \(queue until 2026-11-21T01:00:00Z\)/);
    expect(a).toMatch(/status\s+capped via email \(max 1 per 1d\)/);
    const c = explainIn("14-expires-bounds-queue.yaml", "c", "2026-11-23T00:00:00Z", "patient");
    expect(c).toMatch(/expires\s+latest 2026-11-24T10:00:00Z, its queue 3d after the due time, not cut short by defaults.expires 1d \(queue until 2026-11-24T10:00:00Z\)/);
  });
  it("says where a later step's due time comes from: the previous step's decision, moved by send hours", () => {
    const text = explainIn("13-after-from-send.yaml", "p", "2026-11-21T21:00:00Z");
    expect(text).toContain("candidate                step 2, entered 2026-11-20T22:00:00Z, due 2026-11-21T20:00:00Z (11h after step 1 was decided, at 2026-11-21T09:00:00Z)");
    expect(text).toContain("candidate                step 1, entered 2026-11-20T22:00:00Z, due 2026-11-20T22:00:00Z (at the trigger), waited (hours)");
  });
  it("has a JSON form with the same content", () => {
    const { p, c } = inputsOf("05-cadence.yaml", "b");
    const x = explanationOf(p, c, { at: Date.parse("2026-11-21T12:00:00Z"), rule: "onboarding" });
    expect(Object.keys(x)).toEqual(["customer", "at", "zone", "local_time", "window", "history_from", "contact_history", "events_up_to_at", "messages_last_7d", "rules"]);
    expect({ ...x, rules: undefined }).toEqual({
      customer: "b", at: "2026-11-21T12:00:00Z", zone: "UTC", local_time: "Sat 2026-11-21 12:00",
      window: { from: "2026-11-20T12:00:00Z", to: "2026-11-21T12:00:00Z" }, history_from: "2026-11-15T12:00:00Z", contact_history: "rebuilt", events_up_to_at: 2,
      messages_last_7d: [{ rule: "onboarding", step: 1, channel: "email", at: "2026-11-20T08:00:00Z" }], rules: undefined,
    });
    expect(x.rules).toHaveLength(1);
    const r = x.rules[0]!;
    expect({ ...r, candidates: r.candidates.length }).toEqual({ rule: "onboarding", priority: 60, cadence_steps: 3, arm: null, on: "signed_up", candidates: 1, no_candidate: null, sends: [] });
    const v = r.candidates[0]!;
    expect({ ...v, checks: v.checks.map((k) => k.check) }).toEqual({
      at: "2026-11-21T08:00:00Z", step: 2, entered_at: "2026-11-20T08:00:00Z", status: "exited", waiting: null,
      checks: ["candidate", "previous", "expires", "exit", "status"],
    });
    expect(v.checks[3]).toEqual({ check: "exit", detail: "order_placed at 2026-11-20T20:00:00Z, after entry" });
    const w = explanationOf(inputsOf("05-cadence.yaml", "c").p, inputsOf("05-cadence.yaml", "c").c, { at: Date.parse("2026-11-21T12:00:00Z"), rule: "winq" });
    expect(w.rules[0]!.candidates).toEqual([{ at: "2026-11-21T12:00:00Z", step: 1, entered_at: "2026-11-20T12:00:00Z", checks: [], status: null, waiting: { send_at: "2026-11-23T12:00:00Z", reason: "blocked" } }]);
  });
});
