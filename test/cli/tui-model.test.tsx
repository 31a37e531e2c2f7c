import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import type { Report } from "../../experiments/report-types.ts";
import { filterRules, scrollTop, sortRules, verdictOf, verdictSide } from "../../cli/tui/model.ts";
import { barScale, clipToPossible, liftBar, liftInterval, roundUp, significantSide } from "../../cli/tui/bar.ts";
import type { RuleReport } from "../../experiments/report-types.ts";
import { cellText, layoutColumns } from "../../cli/tui/cells.ts";
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

  it("shows ROMI as — while the revenue lift's interval spans zero, as the report's table does", () => {
    const r = byId("cart_recovery");
    const rev = (ci_low: number, ci_high: number) => ({ ...r, romi: 523_900, revenue_per_customer: { ...r.revenue_per_customer, ci_low, ci_high } });
    expect(cellText("romi", rev(-10, 30), 0.05, "works")).toBe("—");
    expect(cellText("romi", rev(5, 30), 0.05, "works")).toBe("524k×");
    expect(cellText("romi", rev(-30, -5), 0.05, "works")).toBe("524k×");
    expect(cellText("romi", { ...rev(5, 30), romi: null }, 0.05, "works")).toBe("–");
  });

  it("never calls a rule with too few conversions to judge 'works', whatever q says, nor draws its bar solid", () => {
    const r = byId("cart_recovery");
    const few = { ...r, conversion: { ...r.conversion, verdict: "too_few_conversions" as const, needed: 400 } };
    expect(verdictOf(few, 0.05)).toBe("underpowered");
    expect(significantSide(few, 0.05)).toBe(0);
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

  it("draws a bar of exactly the width asked, with the estimate or an overflow mark and zero visible (property)", () => {
    const num = fc.double({ min: -5, max: 5, noNaN: true });
    fc.assert(fc.property(num, num, num, fc.integer({ min: 5, max: 60 }), fc.constantFrom(-1, 0, 1), (a, b, c, w, side) => {
      const [low, point, high] = [a, b, c].sort((x, y) => x - y) as [number, number, number];
      const bar = liftBar({ low, point, high }, barScale([{ low, point, high }]), w, side as -1 | 0 | 1);
      expect([...bar].length).toBe(w);
      expect(bar).toMatch(/[●○◀▶◁▷]/);
      if (low > 0 || high < 0) expect(bar).toMatch(/[│●○]/);
    }));
  });

  it("a bar's side of zero always matches the verdict, over random rules (property)", () => {
    // A solid bar (├─┤●◀▶) wholly on one side of an untouched zero line reads "significant on that
    // side"; it must show exactly when the verdict is works (right) or HARMS (left).
    const SOLID = /[├─┤●◀▶]/;
    const rule = fc.record({
      h: fc.double({ min: 0, max: 1, noNaN: true }),
      lift: fc.double({ min: -1, max: 1, noNaN: true }),
      lo: fc.double({ min: 0, max: 0.6, noNaN: true }),
      hi: fc.double({ min: 0, max: 0.6, noNaN: true }),
      q: fc.option(fc.double({ min: 0, max: 1, noNaN: true })),
      ci: fc.boolean(),
      held: fc.nat(500),
      srm: fc.boolean(),
    });
    fc.assert(fc.property(fc.array(rule, { minLength: 1, maxLength: 12 }), fc.integer({ min: 5, max: 60 }), fc.constantFrom(0.01, 0.05, 0.1), (rs, w, alpha) => {
      const rules: RuleReport[] = rs.map((x, k) => {
        const lift = Math.max(-x.h, Math.min(1 - x.h, x.lift));
        return {
          ...byId("welcome"), rule: `r${k}`, srm_flag: x.srm, holdout_share: 0.1, entries: { treatment: 1000, holdout: x.held },
          conversion: { ...byId("welcome").conversion, holdout: x.h, treatment: x.h + lift, lift_abs: lift, q: x.q, ci_low: x.ci ? lift - x.lo : null, ci_high: x.ci ? lift + x.hi : null },
        };
      });
      const scale = barScale(rules.map(liftInterval));
      for (const r of rules) {
        const v = verdictOf(r, alpha);
        const bar = [...liftBar(liftInterval(r), scale, w, verdictSide(v))];
        const mid = Math.floor((w - 1) / 2);
        const marks = bar.map((ch, k) => ({ ch, k })).filter(({ ch, k }) => ch !== " " && k !== mid);
        const solid = bar[mid] === "│" && marks.some(({ ch }) => SOLID.test(ch));
        const right = solid && marks.every(({ k }) => k > mid);
        const left = solid && marks.every(({ k }) => k < mid);
        expect({ v, right }).toEqual({ v, right: v === "works" });
        expect({ v, left }).toEqual({ v, left: v === "harms" });
      }
    }), { numRuns: 500 });
  });

  it("clips intervals to what a rate allows and rounds the axis up to a round value", () => {
    // Held out at 5%: the treated rate cannot be below 0, so the lift cannot be below −5 pp.
    expect(clipToPossible({ point: 0.2, low: -0.3, high: 1.2 }, 0.05)).toEqual({ point: 0.2, low: -0.05, high: 0.95 });
    expect([0.3, 0.336, 0.055, 0.0021, 7].map(roundUp)).toEqual([0.3, 0.4, 0.06, 0.0025, 8]);
    // The demo's renewal: 19 held out, relative [−1484%, +2649%] but pp [+8.8, +35.5] and q 0.031.
    const renewal: RuleReport = { ...byId("cart_recovery"), conversion: { ...byId("cart_recovery").conversion, treatment: 0.257, holdout: 0.0526, lift_abs: 0.2212, ci_low: 0.0879, ci_high: 0.3545, lift_rel: 4.2, ci_rel_low: -14.84, ci_rel_high: 26.49, q: 0.031 } };
    expect(liftInterval(renewal)).toEqual({ point: 0.2212, low: 0.0879, high: 0.3545 });
    expect(liftBar(liftInterval(renewal), 0.4, 10, verdictSide(verdictOf(renewal, 0.05)))).toBe("    │├●─┤ ");
    expect(verdictOf(renewal, 0.05)).toBe("works");
    // Clear of zero but q ≥ alpha: dotted, hollow estimate.
    expect(liftBar(liftInterval(renewal), 0.4, 10, verdictSide(verdictOf(renewal, 0.01)))).toBe("    │┊○┄┊ ");
  });

  it("a rule with nobody held out says no holdout, not low power; SRM still comes first", () => {
    const none: RuleReport = { ...byId("birthday"), entries: { treatment: 617, holdout: 0 }, holdout_share: 0 };
    expect(verdictOf(none, 0.05)).toBe("noholdout");
    expect(verdictOf({ ...none, srm_flag: true }, 0.05)).toBe("srm");
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

describe("rule view intervals", () => {
  it("clip a conversion interval to what a rate allows: never below −100% relative or −(holdout rate) in pp", async () => {
    const { possibleConversion } = await import("../../cli/tui/RuleView.tsx");
    const c = { ...byId("birthday").conversion, holdout: 0.0526, lift_abs: 0.2212, ci_low: -0.3, ci_high: 0.3545, ci_rel_low: -14.84, ci_rel_high: 26.49 };
    const p = possibleConversion(c);
    expect([p.ci_low, p.ci_high, p.ci_rel_low]).toEqual([-0.0526, 0.3545, -1]);
    expect(p.ci_rel_high).toBeCloseTo((1 - 0.0526) / 0.0526, 6);
  });
});

describe("quit keys", () => {
  it("Ctrl-C quits from anywhere, even while typing a filter or reading the help; q only outside the filter", async () => {
    const { INITIAL, reduceKey } = await import("../../cli/tui/keys.ts");
    const act = (input: string, ctrl = false) => ({ input, key: { ctrl }, report, rowsHeight: 10 });
    expect(reduceKey({ ...INITIAL, typing: true }, act("c", true)).quit).toBe(true);
    expect(reduceKey({ ...INITIAL, help: true }, act("c", true)).quit).toBe(true);
    expect(reduceKey({ ...INITIAL, typing: true }, act("q")).filter).toBe("q");
    expect(reduceKey(INITIAL, act("q")).quit).toBe(true);
  });
});
