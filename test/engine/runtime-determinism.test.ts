import { describe, expect, it } from "vitest";
import fc from "fast-check";
import type { EventRecord, Value } from "../../language/values.ts";
import { decideWindow } from "../../engine/runtime/batch.ts";
import { buildProgram } from "../../engine/runtime/program.ts";
import { stripTime } from "../../engine/runtime/order.ts";
import { logText } from "../../engine/runtime/log-file.ts";
import { buildWorkspace } from "./scenarios/mini-workspace.ts";
import { miniCompile } from "./scenarios/mini-expr.ts";

const T0 = Date.parse("2026-11-20T00:00:00Z");
const HOUR = 3_600_000;
const { ws, segments } = buildWorkspace({
  defaults: { send_hours: "09:00-21:00", holdout: 0.3, global_holdout: 0.05, exit: ["order"] },
  channels: { email: null, push: "consent" },
  caps: ["max 2 per 1d", "topic: max 1 per 1d", "gap 1h between messages"],
  rules: {
    a: { on: "ping", queue: "4h", send: { channel: ["push", "email"], topic: "t" } },
    b: { on: "pong", priority: 70, steps: [{ channel: "email", topic: "t" }, { after: "3h", channel: "push" }] },
    c: { on: "every day at 10:00", who: "consent", send: { channel: "push" } },
  },
});
const program = buildProgram(ws, miniCompile(segments, new Set(["order"])));

const dataArb = fc.array(
  fc.record({ id: fc.constantFrom("c1", "c2", "c3", "c10", "b"), name: fc.constantFrom("ping", "pong", "order"), hour: fc.integer({ min: 0, max: 47 }), consent: fc.boolean() }),
  { maxLength: 30 },
);

function logOf(rows: { id: string; name: string; hour: number; consent: boolean }[]): string {
  const customers = new Map<string, Record<string, Value>>();
  const events = new Map<string, EventRecord[]>();
  for (const r of rows) {
    if (!customers.has(r.id)) customers.set(r.id, { customer_id: r.id, consent: r.consent });
    const l = events.get(r.id) ?? [];
    l.push({ name: r.name, ts: T0 + r.hour * HOUR, props: {} });
    events.set(r.id, l);
  }
  for (const l of events.values()) l.sort((x, y) => x.ts - y.ts);
  return logText(decideWindow(program, { customers, events }, new Map(), T0, T0 + 48 * HOUR, true).decisions.map(stripTime));
}

describe("determinism", () => {
  it("the same inputs give a byte-identical log, whatever the order customers and rows arrive in", () => {
    fc.assert(
      fc.property(dataArb, fc.integer(), (rows, seed) => {
        const shuffled = [...rows].sort((x, y) => ((x.hour * 31 + seed) % 7) - ((y.hour * 31 + seed) % 7));
        // Same customer attributes whichever row comes first.
        const fix = (rs: typeof rows) => rs.map((r) => ({ ...r, consent: rows.find((x) => x.id === r.id)!.consent }));
        expect(logOf(fix(shuffled))).toBe(logOf(fix(rows)));
      }),
      { numRuns: 100, seed: 20261124 },
    );
  });
  it("the log is ordered by decision time, then customer id, rule, step", () => {
    const text = logOf([
      { id: "c2", name: "ping", hour: 10, consent: true },
      { id: "c1", name: "ping", hour: 10, consent: true },
      { id: "c1", name: "pong", hour: 10, consent: true },
    ]);
    const lines = text.trim().split("\n").map((l) => JSON.parse(l) as { customer_id: string; rule: string; step: number; entered_at: string });
    // 10:00: both customers' candidates, customer by customer, rule by rule; then 13:00 (b step 2); then the next day.
    expect(lines.map((l) => `${l.customer_id}/${l.rule}#${l.step}@${l.entered_at.slice(8, 13)}`)).toEqual([
      "c1/a#1@20T10", "c1/b#1@20T10", "c1/c#1@20T10", "c2/a#1@20T10", "c2/c#1@20T10", "c1/b#2@20T10", "c1/c#1@21T10", "c2/c#1@21T10",
    ]);
  });
});

describe("isoSeconds of the runtime (cached per day) equals the plain formatter", () => {
  it("on random instants across the years, days and seconds", async () => {
    const { isoSeconds: fast } = await import("../../engine/runtime/iso.ts");
    const { isoSeconds: plain } = await import("../../engine/decision.ts");
    fc.assert(
      fc.property(fc.integer({ min: -62_000_000_000_000, max: 300_000_000_000_000 }), (ms) => {
        expect(fast(ms)).toBe(plain(ms));
      }),
      { numRuns: 20_000, seed: 11 },
    );
    for (const ms of [0, -1, 86_399_999, 86_400_000, Date.UTC(2026, 2, 29, 1, 59, 59, 999)]) expect(fast(ms)).toBe(plain(ms));
  });
});

describe("isoInstant of the runtime equals the plain formatter (milliseconds only when non-zero)", () => {
  it("on random instants, whole seconds and not", async () => {
    const { isoInstant: fast } = await import("../../engine/runtime/iso.ts");
    const { isoInstant: plain } = await import("../../engine/decision.ts");
    fc.assert(
      fc.property(fc.integer({ min: -62_000_000_000_000, max: 300_000_000_000_000 }), fc.boolean(), (ms, whole) => {
        const t = whole ? Math.floor(ms / 1000) * 1000 : ms;
        expect(fast(t)).toBe(plain(t));
      }),
      { numRuns: 20_000, seed: 12 },
    );
    expect(plain(Date.UTC(2026, 10, 20, 10, 0, 0))).toBe("2026-11-20T10:00:00Z");
    expect(plain(Date.UTC(2026, 10, 20, 10, 0, 0, 500))).toBe("2026-11-20T10:00:00.500Z");
    expect(plain(Date.UTC(2026, 10, 20, 10, 0, 0, 5))).toBe("2026-11-20T10:00:00.005Z");
    for (const ms of [-1, -999, 1, 999, 86_399_999]) expect(fast(ms)).toBe(plain(ms));
  });
});
