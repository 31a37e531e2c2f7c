import { describe, expect, it } from "vitest";
import type { Cap, DurationLit, Span } from "../../language/ast.ts";
import { capText, firstBlockingCap, nextFreeTime, type ContactRecord } from "../../engine/runtime/caps.ts";

const span = {} as Span;
const D = (ms: number, raw: string): DurationLit => ({ kind: "duration", ms, raw, span });
const day = D(86_400_000, "1d");
const rec = (ts: number, channel = "email", topic = "t", rule = "r"): ContactRecord => ({ ts, channel, topic, rule, step: 1 });
const q = (t: number, rule = "r", topic = "t", channel = "email") => ({ t, channel, topic, rule });

describe("caps", () => {
  const max2: Cap = { kind: "max", span, scope: { kind: "all" }, count: 2, per: day };
  it("windows are half-open (t − D, t]: a record exactly D ago no longer counts", () => {
    const h = [rec(0), rec(1000)];
    expect(firstBlockingCap([max2], h, [], q(86_400_000 - 1))).toBe(max2);
    expect(firstBlockingCap([max2], h, [], q(86_400_000))).toBeNull();
    expect(nextFreeTime(max2, h, [], q(5000))).toBe(86_400_000);
  });
  it("a topic cap counts other rules only", () => {
    const topic: Cap = { kind: "max", span, scope: { kind: "topic" }, count: 1, per: day };
    expect(firstBlockingCap([topic], [rec(0, "email", "t", "r")], [], q(10, "r"))).toBeNull();
    expect(firstBlockingCap([topic], [rec(0, "email", "t", "other")], [], q(10, "r"))).toBe(topic);
    expect(firstBlockingCap([topic], [rec(0, "email", "u", "other")], [], q(10, "r"))).toBeNull();
  });
  it("gap and pause block inside their window and free at its end", () => {
    const gap: Cap = { kind: "gap", span, duration: D(3_600_000, "1h") };
    expect(firstBlockingCap([gap], [rec(0)], [], q(3_599_999))).toBe(gap);
    expect(firstBlockingCap([gap], [rec(0)], [], q(3_600_000))).toBeNull();
    const pause: Cap = { kind: "pause", span, duration: day, event: "order_placed", eventSpan: span };
    const ev = [{ name: "order_placed", ts: 100, props: {} }];
    expect(firstBlockingCap([pause], [], ev, q(50))).toBeNull();
    expect(firstBlockingCap([pause], [], ev, q(100))).toBe(pause);
    expect(nextFreeTime(pause, [], ev, q(200))).toBe(100 + 86_400_000);
  });
  it("reasons are the cap lines as written", () => {
    expect(capText(max2)).toBe("max 2 per 1d");
    expect(capText({ kind: "max", span, scope: { kind: "channel", channel: "sms", span }, count: 1, per: day })).toBe("sms: max 1 per 1d");
    expect(capText({ kind: "gap", span, duration: D(3_600_000, "1h") })).toBe("gap 1h between messages");
  });
});
