import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { isValidTimezone, localTime, localToUtc, nextSendTime } from "../../engine/runtime/timezone.ts";
import { resolveTimezone, timezoneStats } from "../../engine/runtime/customers.ts";

const iso = (t: number) => new Date(t).toISOString();
const H = { from: 9 * 60, to: 21 * 60 };

describe("time zones", () => {
  it("maps local wall-clock times to instants on both sides of a DST change", () => {
    expect(iso(localToUtc(Date.UTC(2026, 2, 7, 9, 0), "America/New_York"))).toBe("2026-03-07T14:00:00.000Z");
    expect(iso(localToUtc(Date.UTC(2026, 2, 8, 9, 0), "America/New_York"))).toBe("2026-03-08T13:00:00.000Z");
    expect(iso(localToUtc(Date.UTC(2026, 9, 25, 9, 0), "Europe/Berlin"))).toBe("2026-10-25T08:00:00.000Z");
  });
  it("a skipped local time maps past the gap; a repeated one to its first occurrence", () => {
    expect(iso(localToUtc(Date.UTC(2026, 2, 8, 2, 30), "America/New_York"))).toBe("2026-03-08T07:30:00.000Z");
    expect(iso(localToUtc(Date.UTC(2026, 10, 1, 1, 30), "America/New_York"))).toBe("2026-11-01T05:30:00.000Z");
  });
  it("localTime and localToUtc are inverse away from DST gaps", () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) }), fc.constantFrom("UTC", "Europe/Moscow", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"), (ms, tz) => {
        const t = Math.floor(ms / 60_000) * 60_000;
        const lt = localTime(t, tz);
        const back = localToUtc(lt.localDayMs + lt.minuteOfDay * 60_000, tz);
        // Equal, or the first occurrence of a repeated hour.
        expect(back === t || (back < t && localTime(back, tz).minuteOfDay === lt.minuteOfDay)).toBe(true);
      }),
    );
  });
  it("send hours: inside stays, before opens today, after opens tomorrow, in local time", () => {
    expect(iso(nextSendTime(Date.UTC(2026, 10, 20, 10), "UTC", H))).toBe("2026-11-20T10:00:00.000Z");
    expect(iso(nextSendTime(Date.UTC(2026, 10, 20, 3), "Europe/Moscow", H))).toBe("2026-11-20T06:00:00.000Z");
    expect(iso(nextSendTime(Date.UTC(2026, 10, 20, 18), "Europe/Moscow", H))).toBe("2026-11-21T06:00:00.000Z");
    expect(iso(nextSendTime(Date.UTC(2026, 2, 8, 3), "America/New_York", H))).toBe("2026-03-08T13:00:00.000Z");
  });
  it("send hours may wrap over midnight", () => {
    const night = { from: 22 * 60, to: 6 * 60 };
    expect(iso(nextSendTime(Date.UTC(2026, 10, 20, 23), "UTC", night))).toBe("2026-11-20T23:00:00.000Z");
    expect(iso(nextSendTime(Date.UTC(2026, 10, 20, 12), "UTC", night))).toBe("2026-11-20T22:00:00.000Z");
  });
  it("the next send time is never earlier and always inside the hours", () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2025, 0, 1), max: Date.UTC(2028, 0, 1) }), fc.constantFrom("UTC", "Europe/Moscow", "America/New_York", "Asia/Kathmandu"), (ms, tz) => {
        const t = nextSendTime(ms, tz, H);
        expect(t).toBeGreaterThanOrEqual(ms);
        const m = localTime(t, tz).minuteOfDay;
        expect(m >= H.from && m < H.to).toBe(true);
      }),
    );
  });
  it("a missing or unknown zone falls back to the default and is counted", () => {
    const stats = timezoneStats();
    expect(resolveTimezone({ timezone: "Asia/Tokyo" }, "UTC", stats)).toBe("Asia/Tokyo");
    expect(resolveTimezone({ timezone: "Mars/Olympus" }, "UTC", stats)).toBe("UTC");
    expect(resolveTimezone({ timezone: null }, "UTC", stats)).toBe("UTC");
    expect(resolveTimezone({}, "UTC", stats)).toBe("UTC");
    expect(stats).toEqual({ missing: 2, invalid: 1 });
    expect(isValidTimezone("")).toBe(false);
  });
});
