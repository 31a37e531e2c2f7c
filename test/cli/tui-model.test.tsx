import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import type { Report } from "../../experiments/report-types.ts";
import { filterRules, scrollTop, sortRules, verdictOf } from "../../cli/tui/model.ts";
import { barScale, liftBar } from "../../cli/tui/charts.ts";
import { layoutColumns } from "../../cli/tui/cells.ts";
import { splitBurst } from "../../cli/tui/keys.ts";

const report = JSON.parse(readFileSync(new URL("../fixtures/tui/report.json", import.meta.url), "utf8")) as Report;
const byId = (id: string) => report.rules.find((r) => r.rule === id)!;

describe("tui model", () => {
  it("calls a rule harmful only when q < alpha and the lift is negative, and SRM overrides significance", () => {
    expect(verdictOf(byId("winback_at_risk"), 0.05)).toBe("harms");
    expect(verdictOf(byId("cart_recovery"), 0.05)).toBe("works");
    expect(verdictOf(byId("review_request"), 0.05)).toBe("srm");
    expect(verdictOf(byId("birthday"), 0.05)).toBe("underpowered");
    expect(verdictOf(byId("welcome"), 0.05)).toBe("unclear");
    expect(verdictOf(byId("cart_recovery"), 0.01)).toBe("unclear");
  });

  it("sorts nulls last and breaks ties by rule id, in either direction", () => {
    const rules = report.rules.map((r, i) => (i < 2 ? { ...r, romi: null } : { ...r, romi: 5 }));
    const ids = (rs: typeof rules) => rs.map((r) => r.rule);
    const down = ids(sortRules(rules, "romi"));
    const up = ids(sortRules(rules, "romi", true));
    expect(down.slice(-2)).toEqual(["cart_recovery", "welcome"]);
    expect(up.slice(-2)).toEqual(["cart_recovery", "welcome"]);
    expect(down.slice(0, 6)).toEqual([...down.slice(0, 6)].sort());
  });

  it("filters on alert kinds as well as ids", () => {
    expect(filterRules(report.rules, "open_rate", 0.05).map((r) => r.rule)).toEqual(["vip_preview", "hibernating_nudge"]);
    expect(filterRules(report.rules, "low pwr", 0.05).map((r) => r.rule)).toEqual(["birthday", "vip_preview", "hibernating_nudge"]);
  });

  it("keeps the selection inside the scrolled window (property)", () => {
    fc.assert(fc.property(fc.nat(50), fc.nat(50), fc.integer({ min: 1, max: 30 }), (cur, sel, rows) => {
      const t = scrollTop(cur, sel, rows);
      expect(sel >= t && sel < t + rows).toBe(true);
    }));
  });

  it("draws a bar of exactly the width asked, with the estimate and zero visible (property)", () => {
    const num = fc.double({ min: -5, max: 5, noNaN: true });
    fc.assert(fc.property(num, num, num, fc.integer({ min: 5, max: 60 }), (a, b, c, w) => {
      const [low, point, high] = [a, b, c].sort((x, y) => x - y) as [number, number, number];
      const bar = liftBar({ low, point, high }, barScale([{ low, point, high }]), w);
      expect([...bar].length).toBe(w);
      expect(bar).toContain("●");
      if (low > 0 || high < 0) expect(bar).toMatch(/[│●]/);
    }));
  });

  it("never lays out more columns than the terminal has", () => {
    for (let w = 40; w <= 200; w++) {
      const cols = layoutColumns(w);
      expect(2 + cols.reduce((a, c) => a + c.width, 0) + cols.length - 1).toBeLessThanOrEqual(w - 1);
    }
  });

  it("splits a burst of keys from one read into single presses", () => {
    expect(splitBurst("jj\r\t", {})).toEqual([
      { input: "j", key: {} }, { input: "j", key: {} }, { input: "", key: { return: true } }, { input: "", key: { tab: true } },
    ]);
    expect(splitBurst("q", {})).toEqual([{ input: "q", key: {} }]);
  });
});
