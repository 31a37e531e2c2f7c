import { describe, expect, it } from "vitest";
import { sessionBlockReason } from "../../engine/runtime/messenger-session.ts";

const H24 = 24 * 3_600_000;
const base = { sessionMs: H24, approved: false, lastInbound: 1_000_000, blocked: false, channel: "whatsapp" };
const outside = "outside the 24h session: template not approved";

describe("messenger session", () => {
  it("is open 1 ms before 24 h, closed exactly at 24 h and 1 ms after", () => {
    expect(sessionBlockReason(base, base.lastInbound + H24 - 1)).toBeNull();
    expect(sessionBlockReason(base, base.lastInbound + H24)).toBe(outside);
    expect(sessionBlockReason(base, base.lastInbound + H24 + 1)).toBe(outside);
    expect(sessionBlockReason(base, base.lastInbound)).toBeNull();
  });
  it("no inbound message: only approved templates", () => {
    expect(sessionBlockReason({ ...base, lastInbound: undefined }, 5)).toBe(outside);
    expect(sessionBlockReason({ ...base, lastInbound: undefined, approved: true }, 5)).toBeNull();
  });
  it("a channel without a session is unaffected; a block suppresses even approved templates", () => {
    expect(sessionBlockReason({ ...base, sessionMs: undefined }, 1e12)).toBeNull();
    expect(sessionBlockReason({ ...base, approved: true, blocked: true }, base.lastInbound)).toBe("blocked: whatsapp");
  });
});
