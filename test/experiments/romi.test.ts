/**
 * ROMI's interval (docs/statistics.md, "Money") and the power the demo
 * prints: against a direct computation from the raw numbers (Welch's interval
 * worked out here with jstat, not through experiments/stats), and a seeded
 * Monte-Carlo check that the interval covers the true ROMI about 95% of the
 * time in a shop-like regime (10% holdout, a fifth of customers buying,
 * log-normal baskets, cost per message in roubles).
 */
import { createRequire } from "node:module";
import seedrandom from "seedrandom";
import { describe, expect, it } from "vitest";
import type { ReportConfig } from "../../experiments/config.ts";
import { addDecision, newEntryTable, type DecisionFields } from "../../experiments/entries.ts";
import { FeedbackMatcher } from "../../experiments/funnel.ts";
import { GoalIndexBuilder } from "../../experiments/outcomes.ts";
import { buildReport } from "../../experiments/report.ts";
import { aggregateInMemory } from "../../experiments/aggregate-memory.ts";
import { compareMetric } from "../../experiments/compare.ts";
import { romiCell } from "../../experiments/format/table.ts";
import { reportMarkdown } from "../../experiments/format/markdown.ts";
import { addObservation, emptyMoments, minimumDetectableEffect, powerAt, romiInterval, romiShown, seFromMde } from "../../experiments/stats/index.ts";

const { jStat } = createRequire(import.meta.url)("jstat") as { jStat: { studentt: { inv(p: number, df: number): number }; normal: { cdf(x: number, m: number, s: number): number } } };

const DAY = 86_400_000;
const T0 = Date.parse("2026-11-01T10:00:00Z");
const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");

const cfg: ReportConfig = {
  attribution: 7 * DAY, goal: "order_placed", revenueProp: "amount",
  channelCost: new Map([["email", 2]]), offers: new Map(),
  holdout: new Map([["r", 0.5]]), globalHoldout: 0, alerts: {}, rules: ["r"], revenueCap: null,
};

function d(customer: string, variant: "treatment" | "holdout"): DecisionFields {
  return { customer_id: customer, rule: "r", step: 1, entry_id: `r:${customer}`, entered_at: iso(T0), variant, status: variant === "treatment" ? "send" : "ghost", channel: "email", send_at: iso(T0) };
}

/** A report over treated and held-out customers with the given revenue each (0 = no order). */
function report(treated: number[], held: number[]) {
  const t = newEntryTable(cfg.offers);
  treated.forEach((_, i) => addDecision(t, d(`t${i}`, "treatment")));
  held.forEach((_, i) => addDecision(t, d(`h${i}`, "holdout")));
  const g = new GoalIndexBuilder();
  const goal = (id: string, amount: number) => amount > 0 && g.push(t.customerIndex.get(id)!, T0 + DAY, amount);
  treated.forEach((a, i) => goal(`t${i}`, a));
  held.forEach((a, i) => goal(`h${i}`, a));
  return buildReport(cfg, aggregateInMemory(cfg, t, g.build(t.customers.length), new FeedbackMatcher(t).summary, null), { minDelivered: 0 });
}

const meanOf = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const varOf = (xs: number[]) => xs.reduce((s, x) => s + (x - meanOf(xs)) ** 2, 0) / (xs.length - 1);

describe("ROMI interval", () => {
  it("is the Welch interval of the revenue lift mapped through (n_T·Δ − C)/C, computed directly", () => {
    const treated = [500, 300, 800, 450, 600, 700, 550, 650, 400, 500, 0, 600];
    const held = [0, 200, 0, 0, 100, 0, 0, 300];
    const r = report(treated, held).rules[0]!;
    // Direct: Welch on the raw revenues, Satterthwaite df, t quantile from jstat; its SE floored at
    // Student's pooled one (docs/statistics.md, "Revenue: few buyers").
    const va = varOf(held) / held.length;
    const vb = varOf(treated) / treated.length;
    const df = (va + vb) ** 2 / (va ** 2 / (held.length - 1) + vb ** 2 / (treated.length - 1));
    const diff = meanOf(treated) - meanOf(held);
    const pooled = ((held.length - 1) * varOf(held) + (treated.length - 1) * varOf(treated)) / (held.length + treated.length - 2);
    const se = Math.max(Math.sqrt(va + vb), Math.sqrt(pooled * (1 / held.length + 1 / treated.length)));
    expect(se).toBeGreaterThan(Math.sqrt(va + vb)); // the floor is what decides here
    const half = jStat.studentt.inv(0.975, df) * se;
    const cost = 2 * treated.length;
    expect(r.cost).toBe(cost);
    const g = (x: number) => (treated.length * x - cost) / cost;
    expect(r.romi).toBeCloseTo(g(diff), 9);
    expect(r.romi_ci_low!).toBeCloseTo(g(diff - half), 9);
    expect(r.romi_ci_high!).toBeCloseTo(g(diff + half), 9);
    // Here the revenue lift's interval excludes zero, so the tables show ROMI and its interval.
    expect(diff - half).toBeGreaterThan(0);
    expect(romiCell(r)).toBe(`${Math.round(g(diff))}× [${Math.round(g(diff - half))}, ${Math.round(g(diff + half))}]`); // whole numbers from 100 on
  });

  it("is shown as — when the revenue lift's interval spans zero, and – when there is no ROMI", () => {
    const rep = report([500, 0, 0, 300, 0, 0], [0, 400, 0, 200, 0]);
    const r = rep.rules[0]!;
    expect(r.revenue_per_customer.ci_low!).toBeLessThan(0);
    expect(r.revenue_per_customer.ci_high!).toBeGreaterThan(0);
    expect(r.romi).not.toBeNull();
    expect(r.romi_ci_low).not.toBeNull();
    expect(romiCell(r)).toBe("—");
    expect(reportMarkdown(rep)).toContain("| — |");
    expect(romiCell({ ...r, romi: null })).toBe("–");
    expect(romiInterval(10, 1, 20, 100, 0)).toEqual({ romi: null, low: null, high: null });
    expect(romiShown(-1, 2)).toBe(false);
    expect(romiShown(0.5, 2)).toBe(true);
    expect(romiShown(-3, -1)).toBe(true);
    expect(romiShown(null, null)).toBe(false);
  });

  it("covers the true ROMI about 95% of the time in a shop-like regime (seeded Monte Carlo)", () => {
    // 1,800 treated / 200 held out; 20% vs 23% buy, baskets log-normal around 2,500;
    // cost 0.2 per e-mail and 4 per SMS for every treated customer, plus a 375 coupon per treated buyer.
    const rng = seedrandom("romi-coverage");
    const normal = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
    const basket = () => Math.exp(Math.log(2500) - 0.125 + 0.5 * normal()); // mean exactly 2,500
    const [nT, nH, pT, pH] = [1800, 200, 0.23, 0.2];
    const trueLift = (pT - pH) * 2500;
    const reps = 400;
    let covered = 0;
    let shown = 0;
    for (let k = 0; k < reps; k++) {
      const t = emptyMoments();
      const h = emptyMoments();
      let buyers = 0;
      for (let i = 0; i < nT; i++) {
        const buys = rng() < pT;
        buyers += Number(buys);
        addObservation(t, buys ? basket() : 0);
      }
      for (let i = 0; i < nH; i++) addObservation(h, rng() < pH ? basket() : 0);
      const cost = nT * (0.2 + 4) + 375 * buyers;
      const m = compareMetric(h, t, { alpha: 0.05, sequential: false, tuning: 5000, cuped: false }).metric;
      const r = romiInterval(m.lift_abs, m.ci_low, m.ci_high, nT, cost);
      // The truth for this run's spending: what the same money returned in expectation.
      const truth = (nT * trueLift - cost) / cost;
      if (r.low! <= truth && truth <= r.high!) covered++;
      if (romiShown(m.ci_low, m.ci_high)) shown++;
    }
    // SE of a 95% coverage over 400 runs is 1.1 points; 91–98% is about ±3 SE.
    expect(covered / reps).toBeGreaterThan(0.91);
    expect(covered / reps).toBeLessThan(0.98);
    // The lift (+75 per customer) is near this design's MDE, so ROMI is shown in some runs, not all.
    expect(shown).toBeGreaterThan(0);
    expect(shown).toBeLessThan(reps);
  });
});

describe("power", () => {
  it("is the normal-approximation power, 80% at the MDE and α at no effect", () => {
    const se = 0.012;
    expect(powerAt(se, minimumDetectableEffect(se, 0.05), 0.05)!).toBeCloseTo(0.8, 3);
    expect(powerAt(se, 0, 0.05)!).toBeCloseTo(0.05, 9);
    // Direct: Φ(δ/SE − 1.959964) + Φ(−δ/SE − 1.959964) for δ = 3 pp.
    const k = 0.03 / se;
    expect(powerAt(se, -0.03, 0.05)!).toBeCloseTo(jStat.normal.cdf(k - 1.959963985, 0, 1) + jStat.normal.cdf(-k - 1.959963985, 0, 1), 9);
    expect(seFromMde(minimumDetectableEffect(se, 0.05), 0.05)!).toBeCloseTo(se, 12);
    expect(powerAt(null, 0.03, 0.05)).toBeNull();
  });
});
