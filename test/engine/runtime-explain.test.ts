import { describe, expect, it } from "vitest";
import { join } from "node:path";
import type { EventRecord } from "../../language/values.ts";
import { explainCustomer } from "../../engine/runtime/explain.ts";
import { buildProgram } from "../../engine/runtime/program.ts";
import { loadScenario } from "./scenarios/runner.ts";
import { buildWorkspace } from "./scenarios/mini-workspace.ts";
import { miniCompile } from "./scenarios/mini-expr.ts";

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
});
