/**
 * The statistics keep their promises (README, "The numbers that matter"), on
 * synthetic experiments with a known true effect run through the report's
 * whole in-memory pipeline (decision lines → first entries → outcome windows
 * → Welch/BH/SRM). Effects are additive in probability: a treated customer
 * with natural conversion probability p converts with p + δ (one uniform
 * draw per customer, so p + δ stays in [0, 1]), hence the true lift of every
 * rule is exactly δ.
 *
 * Seeds: 200 experiments × 6 rules = 1,200 intervals per check, so the
 * coverage estimate has a standard error of 0.63 points and the 93–97% band
 * is ±3 standard errors around 95%.
 */
import { describe, expect, it } from "vitest";
import seedrandom from "seedrandom";
import type { ReportConfig } from "../../experiments/config.ts";
import { addDecision, newEntryTable } from "../../experiments/entries.ts";
import { FeedbackMatcher } from "../../experiments/funnel.ts";
import { GoalIndexBuilder } from "../../experiments/outcomes.ts";
import { aggregateInMemory } from "../../experiments/aggregate-memory.ts";
import { buildReport } from "../../experiments/report.ts";
import { holdoutBucket } from "../../experiments/holdout.ts";
import type { Report } from "../../experiments/report-types.ts";
import {
  CONVERSION_CASES, measureConversion, measureReport, measureRevenue, measureSequential, REPORT_CASES, REVENUE_CASES, SEQUENTIAL_CASES,
} from "../../bench/calibration.ts";

const DAY = 86_400_000;
const T0 = Date.parse("2026-10-01T00:00:00Z");
const SEEDS = 200;
const CUSTOMERS = 3000;
const HOLDOUT = 0.2;
const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");

/** One synthetic experiment: every customer may enter each rule once; returns the report. */
function experiment(seed: number, effects: number[], tamper = 0): Report {
  const rng = seedrandom(`calibration-${seed}`);
  const rules = effects.map((_, i) => `rule_${i}`);
  const cfg: ReportConfig = {
    attribution: 7 * DAY, goal: "order_placed", revenueProp: "amount", channelCost: new Map([["email", 1]]), offers: new Map(),
    holdout: new Map(rules.map((r) => [r, HOLDOUT])), globalHoldout: 0, alerts: {}, rules,
  };
  const table = newEntryTable();
  const orders: [string, number, number][] = [];
  for (let c = 0; c < CUSTOMERS; c++) {
    const id = `s${seed}c${c}`;
    const p = 0.05 + 0.25 * rng(); // latent propensity to buy within a week
    const value = 500 + 1500 * rng();
    rules.forEach((rule, r) => {
      if (rng() < 0.5) return;
      const at = T0 + Math.floor(rng() * 28) * DAY + Math.floor(rng() * 24) * 3_600_000;
      let held = holdoutBucket(`${rule}#${seed}`, id) < HOLDOUT;
      // Tampering: a broken pipeline that logs some held-out customers as treated.
      if (held && tamper > 0 && rng() < tamper) held = false;
      addDecision(table, {
        customer_id: id, rule, step: 1, entry_id: `${rule}:${id}:${iso(at)}`, entered_at: iso(at), variant: held ? "holdout" : "treatment",
        status: held ? "ghost" : "send", channel: "email", send_at: iso(at + 3_600_000),
      });
      const u = rng();
      if (u < p + (held ? 0 : effects[r]!)) orders.push([id, at + 60_000 + Math.floor(rng() * 6 * DAY), Math.round(value * (0.5 + rng()))]);
    });
  }
  const g = new GoalIndexBuilder();
  for (const [id, ts, amount] of orders) g.push(table.customerIndex.get(id)!, ts, amount);
  const agg = aggregateInMemory(cfg, table, g.build(table.customers.length), new FeedbackMatcher(table).summary, null);
  return buildReport(cfg, agg);
}

describe("calibration over 200 seeded experiments", () => {
  it("95% intervals of the conversion lift cover the true effect 93–97% of the time (effects 0, +1, +2, +4, −2, 0 points)", () => {
    const effects = [0, 0.01, 0.02, 0.04, -0.02, 0];
    let covered = 0;
    let total = 0;
    for (let s = 0; s < SEEDS; s++) {
      const rep = experiment(s, effects);
      rep.rules.forEach((r, i) => {
        total++;
        if (r.conversion.ci_low! <= effects[i]! && effects[i]! <= r.conversion.ci_high!) covered++;
      });
    }
    const coverage = covered / total;
    if (process.env.CALIBRATION_LOG) console.log(`coverage ${covered}/${total} = ${coverage}`);
    expect(total).toBe(SEEDS * effects.length);
    expect(coverage).toBeGreaterThanOrEqual(0.93);
    expect(coverage).toBeLessThanOrEqual(0.97);
  });

  it("with every effect zero, about 5% of rules have p < 0.05 and at most about 5% have q < 0.05", () => {
    const effects = [0, 0, 0, 0, 0, 0];
    let p05 = 0;
    let q05 = 0;
    let total = 0;
    for (let s = 0; s < SEEDS; s++) {
      for (const r of experiment(1000 + s, effects).rules) {
        total++;
        if (r.conversion.p! < 0.05) p05++;
        if (r.conversion.q! < 0.05) q05++;
      }
    }
    if (process.env.CALIBRATION_LOG) console.log(`A/A: p<0.05 ${p05}/${total}, q<0.05 ${q05}/${total}`);
    // p is calibrated (binomial band of ±3 SE around 5%); BH can only lower the count.
    expect(p05 / total).toBeGreaterThan(0.05 - 3 * 0.0063);
    expect(p05 / total).toBeLessThan(0.05 + 3 * 0.0063);
    expect(q05 / total).toBeLessThanOrEqual(0.05);
    expect(q05).toBeLessThanOrEqual(p05);
  });

  it("flags SRM when assignment is tampered with, and almost never otherwise", () => {
    let clean = 0;
    let tampered = 0;
    const n = 40;
    for (let s = 0; s < n; s++) {
      if (experiment(2000 + s, [0])!.rules[0]!.srm_flag) clean++;
      // 30% of held-out customers logged as treated: of ~1,500 entries the holdout shrinks from ~300 to ~210.
      if (experiment(3000 + s, [0], 0.3).rules[0]!.srm_flag) tampered++;
    }
    if (process.env.CALIBRATION_LOG) console.log(`SRM: clean ${clean}/${n}, tampered ${tampered}/${n}`);
    expect(clean).toBeLessThanOrEqual(1);
    expect(tampered).toBeGreaterThanOrEqual(n * 0.9);
  });
});

describe("conversion in the small-holdout regime of issue 17 (rate 2%, 2,000 treated)", () => {
  // 1,000 seeded replications per case (npm run calibrate runs 3,000): the coverage estimate has a
  // standard error of 0.7 points, so 93–97% is ±2.9 SE around 95%; an A/A rate of 5% has SE 0.7 points.
  const REPS = 1000;
  for (const c of CONVERSION_CASES.slice(0, 2)) {
    it(`${c.name}: 95% score intervals cover 93–97%, A/A rejects ≤ 5.5%, and p, absolute and relative intervals agree`, () => {
      const f = measureConversion(c, REPS, "ci");
      if (process.env.CALIBRATION_LOG) console.log(c.name, f);
      expect(f.coverageAfter).toBeGreaterThanOrEqual(0.93);
      expect(f.coverageAfter).toBeLessThanOrEqual(0.97);
      expect(f.relCoverageAfter).toBeGreaterThanOrEqual(0.93);
      expect(f.aaAfter).toBeLessThanOrEqual(0.055);
      expect(f.disagree).toBe(0);
      // Welch, as it was, on the same draws: issue 17's 87.6% / 12.4% at 105 (and 92.0% / 8.0% at 222, near the edge).
      expect(f.coverageBefore).toBeLessThan(f.coverageAfter);
      expect(f.aaBefore).toBeGreaterThan(f.aaAfter);
      if (c.holdout === 105) expect(f.coverageBefore).toBeLessThan(0.9);
    });
  }
});

describe("issue 17's other rows, CI-sized (npm run calibrate runs them at 3,000)", () => {
  const log = (name: string, f: unknown) => {
    if (process.env.CALIBRATION_LOG) console.log(name, f);
  };

  for (const c of REVENUE_CASES.slice(0, 2)) {
    it(`${c.name}: the report's capped comparison covers 0 at least 93% of the time and rejects ≤ 5.5% under A/A`, () => {
      const f = measureRevenue(c, 1000, "ci");
      log(c.name, f);
      expect(f.coverageAfter).toBeGreaterThanOrEqual(0.93);
      expect(1 - f.coverageAfter).toBeLessThanOrEqual(0.055);
      // Raw Welch, as it was: issue 17's 84.9% / 88.0%.
      expect(f.coverageRaw).toBeLessThan(0.9);
    });
  }

  it("sequential, 30 daily looks of 300 treated + 33 held out (5% conversion): some look rejects in ≤ 5% of A/A runs, the first look is always too early", () => {
    const f = measureSequential(SEQUENTIAL_CASES[0]!, 600, "ci");
    log("sequential", f);
    expect(f.after).toBeLessThanOrEqual(0.05);
    expect(f.earlyFirst).toBe(1);
    expect(f.earlyLast).toBe(0);
    // The sequence as it was (Welch's SE from the first look): issue 17's 11.8%.
    expect(f.before).toBeGreaterThan(0.08);
  });

  it("20 A/A rules (5,000 / 556, 5% conversion) per report: ≤ 5% of reports have a BH discovery, ≤ 5.5% of rules p < .05", () => {
    const f = measureReport(REPORT_CASES[0]!, 600, "ci");
    log("BH A/A", f);
    expect(f.discoveryAfter).toBeLessThanOrEqual(0.05);
    expect(f.convP).toBeLessThanOrEqual(0.055);
    expect(f.revP).toBeLessThanOrEqual(0.055);
    expect(f.discoveryBefore).toBeGreaterThan(0.2); // Welch and raw revenue, as they were
  });

  it("power: a +30% relative lift on 5% at 20,000 / 2,222 is found by most rules", () => {
    const f = measureReport(REPORT_CASES[2]!, 60, "ci");
    log("power", f);
    expect(f.rulesWorks).toBeGreaterThan(0.6);
    expect(f.convP).toBeGreaterThan(0.7);
  });
});
