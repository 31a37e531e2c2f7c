import { describe, expect, it } from "vitest";
import { buildWorkspace, type MiniWorkspace } from "../engine/scenarios/mini-workspace.ts";
import { checkWorkspace } from "../../language/check.ts";
import { evaluate } from "../../language/evaluator.ts";
import { audienceImpact } from "../../cli/diff/impact.ts";
import type { Population } from "../../cli/diff/data.ts";

// Workspaces from the engine's scenario builder (the real AST, no parser
// needed), names resolved by the real checker, evaluated by the reference
// evaluator, replayed by the real engine.
function ws(who: string, extra: Partial<MiniWorkspace> = {}) {
  const w = buildWorkspace({
    channels: { email: null },
    attributes: { age: "number" },
    segments: { adults: "age >= 18" },
    rules: { welcome: { on: "signed_up", who, send: { channel: "email" } } },
    ...extra,
  }).ws;
  checkWorkspace(w);
  return w;
}

const AT = Date.UTC(2026, 10, 20);
const ev = (name: string, iso: string) => ({ name, ts: Date.parse(iso), props: {} });
const pop: Population = {
  customers: [
    { id: "c1", attrs: { customer_id: "c1", age: 30 } },
    { id: "c2", attrs: { customer_id: "c2", age: 19 } },
    { id: "c3", attrs: { customer_id: "c3", age: 16 } },
  ],
  events: new Map([
    ["c1", [ev("signed_up", "2026-11-18T10:00:00Z")]],
    ["c2", [ev("signed_up", "2026-11-18T11:00:00Z")]],
    ["c3", [ev("signed_up", "2026-11-19T11:00:00Z")]],
  ]),
};

describe("diff audience impact", () => {
  it("counts customers leaving a rule's audience and the messages that go with them", async () => {
    const im = await audienceImpact(ws("age >= 18"), ws("age >= 21"), evaluate, pop, AT);
    expect(im.customers).toBe(3);
    expect(im.audiences).toEqual([
      { kind: "segment", name: "adults", before: 2, after: 2, entering: 0, leaving: 0, entering_sample: [], leaving_sample: [] },
      // welcome starts on signed_up: its audience is who it fired for in the 7 days replayed.
      { kind: "rule", name: "welcome", before: 2, after: 1, entering: 0, leaving: 1, entering_sample: [], leaving_sample: ["c2"], basis: "triggered" },
    ]);
    expect(im.messages!.per_day).toEqual([{ channel: "email", before: 2 / 7, after: 1 / 7 }]);
  });

  it("shows a cap that starts to bite", async () => {
    const events = new Map(pop.events);
    // c1 signs up twice in a day: a new 1-per-day cap stops the second welcome.
    events.set("c1", [ev("signed_up", "2026-11-18T10:00:00Z"), ev("signed_up", "2026-11-18T12:00:00Z")]);
    const im = await audienceImpact(ws("age >= 18"), ws("age >= 18", { caps: ["max 1 per 1d"] }), evaluate, { ...pop, events }, AT);
    expect(im.messages!.per_day).toEqual([{ channel: "email", before: 3 / 7, after: 2 / 7 }]);
    expect(im.messages!.capped).toEqual([{ reason: expect.stringContaining("max 1 per 1d"), before: 0, after: 1 }]);
  });
});
