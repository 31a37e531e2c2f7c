/**
 * The conversion rows of issue 17's calibration table, shared by
 * `npm run calibrate` (3,000 replications) and the CI-sized check in
 * test/experiments/calibration.test.ts. Each replication draws a holdout and
 * a treated group of Bernoulli customers (seedrandom, so every figure is
 * reproducible) and compares them through the report's own `compareMetric`:
 * "after" is the conversion path (Miettinen–Nurminen score interval and test,
 * verdict), "before" the same moments through Welch's test as they were.
 */
import seedrandom from "seedrandom";
import { compareMetric, type CompareOptions } from "../experiments/compare.ts";
import { benjaminiHochberg, mean, sequentialPValue, variance, welchTest, capRank, DEFAULT_CAP, emptyMoments, normalTrusted, type CappedGroup, type CappedRevenue, type Moments } from "../experiments/stats/index.ts";
import { emptyRuleAggregate, type Aggregates } from "../experiments/aggregates.ts";
import { buildReport } from "../experiments/report.ts";
import type { ReportConfig } from "../experiments/config.ts";

/** One row: conversion rate of the holdout, group sizes, and the true relative lift for the coverage run. */
export interface ConversionCase {
  name: string;
  rate: number;
  treated: number;
  holdout: number;
  /** Relative lift of the treated rate in the coverage run (0 = coverage under A/A). */
  lift: number;
}

/** Measured figures of one case, as shares of the replications. */
export interface ConversionFigures {
  /** Share of 95% intervals of the absolute lift that contain the truth (before: Welch; after: MN). */
  coverageBefore: number;
  coverageAfter: number;
  /** Same for the relative lift (before: delta method; after: MN ratio); unbounded intervals count as covering. */
  relCoverageAfter: number;
  /** A/A: share with p < 0.05 (before/after), and share judged "works" or "harms" by the new verdict. */
  aaBefore: number;
  aaAfter: number;
  /** A/A: share of replications judged "too few conversions". */
  tooFew: number;
  /**
   * A/A: replications where the relative and absolute intervals disagree on
   * excluding 0, or p < .05 with an interval that does not exclude it (must be 0).
   */
  disagree: number;
  /** A/A: intervals clear of 0 whose p is not below .05 (Fisher's exact p, under Cochran's rule, is the larger). */
  exactOverrides: number;
  /** At the case's true lift: share with p < .05 and a positive lift (before: Welch; after: score test, not "too few"). */
  powerBefore: number;
  powerAfter: number;
}

/** Issue 17's conversion rows (5% and 10% holdout of a rule that reaches ~2,100 customers). */
export const CONVERSION_CASES: ConversionCase[] = [
  { name: "conversion 2%, 2,000 treated, 5% holdout (105)", rate: 0.02, treated: 2000, holdout: 105, lift: 0 },
  { name: "conversion 2%, 2,000 treated, 10% holdout (222)", rate: 0.02, treated: 2000, holdout: 222, lift: 0 },
  { name: "conversion 2%, 2,000 treated, 5% holdout (105), true lift +10%", rate: 0.02, treated: 2000, holdout: 105, lift: 0.1 },
  { name: "conversion 0.5%, 2,000 treated, 5% holdout (105)", rate: 0.005, treated: 2000, holdout: 105, lift: 0 },
];

const OPTS: CompareOptions = { alpha: 0.05, sequential: false, tuning: 5000, cuped: false };

/**
 * The report's test as it was before issue 17 ("before" columns): Welch's
 * test on the moments as they are, no score method, no SE floor — the
 * project's own `welchTest`. Null when it has no test (a constant metric).
 */
function welchBefore(a: Moments, b: Moments): { diff: number; se: number; p: number; ci_low: number; ci_high: number } | null {
  const s = (m: Moments) => ({ n: m.n, mean: mean(m), variance: variance(m) });
  const t = welchTest(s(a), s(b), 0.05);
  return t ? { diff: t.diff, se: t.se, p: t.p, ci_low: t.ciLow, ci_high: t.ciHigh } : null;
}

function draw(rng: () => number, n: number, p: number): Moments {
  let x = 0;
  for (let i = 0; i < n; i++) if (rng() < p) x++;
  return { ...emptyMoments(), n, sum: x, sumSq: x };
}

/** Runs `reps` seeded replications of one case (A/A and at the case's true lift). */
export function measureConversion(c: ConversionCase, reps: number, seed = "calibrate"): ConversionFigures {
  const rng = seedrandom(`${seed}:${c.name}`);
  const f = { coverageBefore: 0, coverageAfter: 0, relCoverageAfter: 0, aaBefore: 0, aaAfter: 0, tooFew: 0, disagree: 0, exactOverrides: 0, powerBefore: 0, powerAfter: 0 };
  const pt = c.rate * (1 + c.lift);
  const truth = pt - c.rate;
  for (let r = 0; r < reps; r++) {
    // Coverage at the case's true lift.
    let h = draw(rng, c.holdout, c.rate);
    let t = draw(rng, c.treated, pt);
    const before = welchBefore(h, t);
    const after = compareMetric(h, t, { ...OPTS, binary: true }).metric;
    // No interval (a constant metric in both groups) covers nothing: Welch's "no test" is a miss, as the issue counted it.
    if (before && before.ci_low <= truth && truth <= before.ci_high) f.coverageBefore++;
    if (after.ci_low !== null && after.ci_low <= truth && truth <= after.ci_high!) f.coverageAfter++;
    if (before && before.p < 0.05 && before.diff > 0) f.powerBefore++;
    if (after.p !== null && after.p < 0.05 && after.lift_abs! > 0 && after.verdict !== "too_few_conversions") f.powerAfter++;
    if (after.ci_rel_low !== null && after.ci_rel_low! <= c.lift && (after.ci_rel_high === null || c.lift <= after.ci_rel_high!)) f.relCoverageAfter++;
    // A/A.
    h = draw(rng, c.holdout, c.rate);
    t = draw(rng, c.treated, c.rate);
    const b0 = welchBefore(h, t);
    const a0 = compareMetric(h, t, { ...OPTS, binary: true }).metric;
    // Welch without a test (0 conversions in both) is not a rejection.
    if (b0 && b0.p < 0.05) f.aaBefore++;
    const rejected = a0.p !== null && a0.p < 0.05;
    if (rejected && a0.verdict !== "too_few_conversions") f.aaAfter++;
    if (a0.verdict === "too_few_conversions") f.tooFew++;
    const relExcludes = a0.ci_rel_low! > 0 || (a0.ci_rel_high !== null && a0.ci_rel_high! < 0);
    const absExcludes = a0.ci_low! > 0 || a0.ci_high! < 0;
    if (relExcludes !== absExcludes || (rejected && !absExcludes)) f.disagree++;
    if (absExcludes && !rejected) f.exactOverrides++;
  }
  const share = (k: number) => k / reps;
  return {
    coverageBefore: share(f.coverageBefore), coverageAfter: share(f.coverageAfter), relCoverageAfter: share(f.relCoverageAfter),
    aaBefore: share(f.aaBefore), aaAfter: share(f.aaAfter), tooFew: share(f.tooFew), disagree: f.disagree, exactOverrides: share(f.exactOverrides),
    powerBefore: share(f.powerBefore), powerAfter: share(f.powerAfter),
  };
}

/** A revenue row: buyers' share, log-normal σ of their order value, group sizes. */
export interface RevenueCase {
  name: string;
  buyers: number;
  sigma: number;
  treated: number;
  holdout: number;
}

/** Measured figures of a revenue case under A/A (coverage of the true lift 0 = 1 − rejections). */
export interface RevenueFigures {
  /** Welch on the raw revenue, as before. */
  coverageRaw: number;
  /** Welch on the revenue capped at the pooled P99 (issue 17 item 3, before the SE floor). */
  coverageCapped: number;
  /** The report now: capped, through `compareMetric` (Welch with the SE floored at the null's). */
  coverageAfter: number;
  /** Share of comparisons the skewness rule trusts, and the false "effect" rate among all (only trusted ones are judged). */
  trusted: number;
  aaJudged: number;
}

/** Issue 17's revenue rows: 3% buyers, log-normal order values (σ 1.2). */
export const REVENUE_CASES: RevenueCase[] = [
  { name: "revenue, 3% buyers, log-normal σ 1.2, 2,000 / 222", buyers: 0.03, sigma: 1.2, treated: 2000, holdout: 222 },
  { name: "same, 20,000 / 1,053", buyers: 0.03, sigma: 1.2, treated: 20000, holdout: 1053 },
  { name: "same, 200,000 / 10,526", buyers: 0.03, sigma: 1.2, treated: 200000, holdout: 10526 },
];

/**
 * One group's buyers' order values: buyers placed by geometric gaps (the
 * same law as a Bernoulli per customer, without a draw per customer), values
 * e^(3 + σ·Z) by Box–Muller.
 */
function buyers(rng: () => number, n: number, p: number, sigma: number): number[] {
  const out: number[] = [];
  const l = Math.log(1 - p);
  for (let i = Math.floor(Math.log(1 - rng()) / l); i < n; i += 1 + Math.floor(Math.log(1 - rng()) / l)) {
    const z = Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
    out.push(Math.exp(3 + sigma * z));
  }
  return out;
}

/** A group of `n` customers, `vs` of them buying, capped at `cap`. */
function group(n: number, vs: number[], cap: number): CappedGroup {
  const g: CappedGroup = { m: { ...emptyMoments(), n }, cube: 0 };
  for (const v0 of vs) {
    const v = Math.min(v0, cap);
    g.m.sum += v;
    g.m.sumSq += v * v;
    g.cube += v * v * v;
  }
  return g;
}

/** Runs `reps` seeded A/A replications of one revenue case through the report's comparison, raw and capped at P99. */
export function measureRevenue(c: RevenueCase, reps: number, seed = "calibrate"): RevenueFigures {
  const rng = seedrandom(`${seed}:${c.name}`);
  const f = { raw: 0, capped: 0, after: 0, trusted: 0, judged: 0 };
  for (let r = 0; r < reps; r++) {
    const h = buyers(rng, c.holdout, c.buyers, c.sigma);
    const t = buyers(rng, c.treated, c.buyers, c.sigma);
    const n = c.holdout + c.treated;
    // The pooled P99 (zeros included), as capRevenue takes it.
    const pos = [...h, ...t].sort((a, b) => a - b);
    const k = capRank(DEFAULT_CAP, n) - (n - pos.length);
    const cap = k >= 0 ? pos[k]! : pos.length ? pos[pos.length - 1]! : 0;
    const raw = welchBefore(group(c.holdout, h, Infinity).m, group(c.treated, t, Infinity).m);
    const gh = group(c.holdout, h, cap);
    const gt = group(c.treated, t, cap);
    const capped = welchBefore(gh.m, gt.m);
    const after = compareMetric(gh.m, gt.m, OPTS).metric;
    if (raw && raw.p >= 0.05) f.raw++;
    if (capped && capped.p >= 0.05) f.capped++;
    if (after.p !== null && after.p >= 0.05) f.after++;
    const ok = normalTrusted(gh, gt);
    if (ok) f.trusted++;
    if (ok && after.p !== null && after.p < 0.05) f.judged++;
  }
  return { coverageRaw: f.raw / reps, coverageCapped: f.capped / reps, coverageAfter: f.after / reps, trusted: f.trusted / reps, aaJudged: f.judged / reps };
}

/** Options of a sequential run: `looks` daily looks at the cumulative groups. */
export interface SequentialCase {
  name: string;
  rate: number;
  treatedPerDay: number;
  holdoutPerDay: number;
  looks: number;
  /** Relative lift of the treated rate (0 = A/A). */
  lift: number;
}

/** Issue 17's sequential row (the conversion rate of its BH row, 5%), and its power/coverage twin. */
export const SEQUENTIAL_CASES: SequentialCase[] = [
  { name: "sequential, 30 daily looks, 300 treated + 33 held out a day, conversion 5%", rate: 0.05, treatedPerDay: 300, holdoutPerDay: 33, looks: 30, lift: 0 },
  { name: "same, conversion 2%", rate: 0.02, treatedPerDay: 300, holdoutPerDay: 33, looks: 30, lift: 0 },
];

/** Figures of a sequential case, shares of the replications. */
export interface SequentialFigures {
  /** Some look's always-valid p < .05: before (Welch's sequence, reported from the first look), after (the score sequence, gated). */
  before: number;
  after: number;
  /** Share of replications whose sequence was still "too early" at the first and at the last look. */
  earlyFirst: number;
  earlyLast: number;
  /** Every reported interval of the run contains the truth (time-uniform coverage, after). */
  covered: number;
}

const SEQ: CompareOptions = { ...OPTS, sequential: true };

/** Runs `reps` seeded replications of daily looks through `compareMetric` in sequential mode. */
export function measureSequential(c: SequentialCase, reps: number, seed = "calibrate"): SequentialFigures {
  const rng = seedrandom(`${seed}:${c.name}`);
  const pt = c.rate * (1 + c.lift);
  const truth = pt - c.rate;
  const f = { before: 0, after: 0, earlyFirst: 0, earlyLast: 0, covered: 0 };
  for (let r = 0; r < reps; r++) {
    const h = emptyMoments();
    const t = emptyMoments();
    let before = false;
    let after = false;
    let covered = true;
    for (let d = 0; d < c.looks; d++) {
      const dh = draw(rng, c.holdoutPerDay, c.rate);
      const dt = draw(rng, c.treatedPerDay, pt);
      h.n += dh.n; h.sum += dh.sum; h.sumSq += dh.sumSq;
      t.n += dt.n; t.sum += dt.sum; t.sumSq += dt.sumSq;
      // Before: the sequence as it was, on Welch's SE from the first look.
      const b = welchBefore(h, t);
      if (b && sequentialPValue(b.diff, b.se, h.n + t.n, 0.05, SEQ.tuning) < 0.05) before = true;
      const a = compareMetric(h, t, { ...SEQ, binary: true }).metric;
      if (a.p !== null && a.p < 0.05) after = true;
      if (a.ci_low !== null && !(a.ci_low <= truth && truth <= a.ci_high!)) covered = false;
      if (d === 0 && a.too_early) f.earlyFirst++;
      if (d === c.looks - 1 && a.too_early) f.earlyLast++;
    }
    if (before) f.before++;
    if (after) f.after++;
    if (covered) f.covered++;
  }
  return { before: f.before / reps, after: f.after / reps, earlyFirst: f.earlyFirst / reps, earlyLast: f.earlyLast / reps, covered: f.covered / reps };
}

/** A report of `rules` independent rules, each `treated` / `holdout` customers, conversion `rate` (× 1 + `lift` treated), log-normal orders. */
export interface ReportCase {
  name: string;
  rules: number;
  treated: number;
  holdout: number;
  rate: number;
  lift: number;
  sigma: number;
}

/** Issue 17's BH row (20 A/A rules, holdout 556 = 10% of 5,556, 5% conversion) and the power row of its CLI check. */
export const REPORT_CASES: ReportCase[] = [
  { name: "20 A/A rules (5,000 / 556, 5% conversion), BH at .05", rules: 20, treated: 5000, holdout: 556, rate: 0.05, lift: 0, sigma: 1.2 },
  { name: "power: 20 rules, +10% relative lift on 5% (5,000 / 556)", rules: 20, treated: 5000, holdout: 556, rate: 0.05, lift: 0.1, sigma: 1.2 },
  { name: "power: 20 rules, +30% relative lift on 5% (20,000 / 2,222)", rules: 20, treated: 20000, holdout: 2222, rate: 0.05, lift: 0.3, sigma: 1.2 },
];

/** Figures of a report case. */
export interface ReportFigures {
  /** Share of reports with at least one BH discovery (q < .05, any metric): before (Welch, raw revenue), after (the report). */
  discoveryBefore: number;
  discoveryAfter: number;
  /** Share of reports with at least one rule whose conversion verdict is "works". */
  worksAfter: number;
  /** Share of rules judged "works" (the power, when the case has a lift): after, and before (Welch conversion q < .05, lift > 0). */
  rulesWorks: number;
  rulesWorksBefore: number;
  /** Share of rules with conversion p < .05 and with (capped) revenue p < .05, after. */
  convP: number;
  revP: number;
}

/** The aggregates of one rule's groups: moments of conversion and revenue, and revenue capped at the pooled P99. */
function ruleAggregate(rule: string, h: number[], t: number[], nh: number, nt: number): ReturnType<typeof emptyRuleAggregate> {
  const a = emptyRuleAggregate(rule);
  const fill = (g: { conv: Moments; rev: Moments }, n: number, vs: number[]) => {
    g.conv = { ...emptyMoments(), n, sum: vs.length, sumSq: vs.length };
    g.rev = group(n, vs, Infinity).m;
  };
  fill(a.hold, nh, h);
  fill(a.treat, nt, t);
  const n = nh + nt;
  const pos = [...h, ...t].sort((x, y) => x - y);
  const k = capRank(DEFAULT_CAP, n) - (n - pos.length);
  const cap = k >= 0 ? pos[k]! : pos.length ? pos[pos.length - 1]! : 0;
  const revCap: CappedRevenue = { percentile: DEFAULT_CAP, cap, hold: group(nh, h, cap), treat: group(nt, t, cap) };
  a.revCap = revCap;
  a.firstAt = 0;
  return a;
}

/** Runs `reps` seeded reports of one case through `buildReport` (BH over every test, verdicts). */
export function measureReport(c: ReportCase, reps: number, seed = "calibrate"): ReportFigures {
  const rng = seedrandom(`${seed}:${c.name}`);
  const names = Array.from({ length: c.rules }, (_, i) => `rule_${i}`);
  const cfg: ReportConfig = {
    attribution: 7 * 86_400_000, goal: "order_placed", revenueProp: "amount", channelCost: new Map(), offers: new Map(),
    holdout: new Map(names.map((r) => [r, c.holdout / (c.holdout + c.treated)])), globalHoldout: 0, alerts: {}, rules: names,
  };
  const f = { before: 0, after: 0, works: 0, rulesWorks: 0, rulesWorksBefore: 0, convP: 0, revP: 0 };
  for (let r = 0; r < reps; r++) {
    const agg: Aggregates = { rules: new Map(), global: null, kindsByChannel: new Map(), dataFrom: null, periodEnd: 0, periodStart: 0 };
    const welchP: (number | null)[] = [];
    const welchLift: number[] = [];
    for (const name of names) {
      const h = buyers(rng, c.holdout, c.rate, c.sigma);
      const t = buyers(rng, c.treated, c.rate * (1 + c.lift), c.sigma);
      const a = ruleAggregate(name, h, t, c.holdout, c.treated);
      agg.rules.set(name, a);
      // Before: Welch on both metrics, raw revenue, as the report was.
      const wc = welchBefore(a.hold.conv, a.treat.conv);
      welchP.push(wc?.p ?? null, welchBefore(a.hold.rev, a.treat.rev)?.p ?? null);
      welchLift.push(wc?.diff ?? 0);
    }
    const wq = benjaminiHochberg(welchP);
    if (wq.some((q) => q !== null && q < 0.05)) f.before++;
    welchLift.forEach((d, i) => {
      const q = wq[2 * i];
      if (q !== null && q !== undefined && q < 0.05 && d > 0) f.rulesWorksBefore++;
    });
    const rep = buildReport(cfg, agg);
    let any = false;
    let works = false;
    for (const rule of rep.rules) {
      const rev = rule.revenue_per_customer_capped ?? rule.revenue_per_customer;
      if ((rule.conversion.q !== null && rule.conversion.q < 0.05) || (rev.q !== null && rev.q < 0.05)) any = true;
      if (rule.conversion.verdict === "works") {
        works = true;
        f.rulesWorks++;
      }
      if (rule.conversion.p !== null && rule.conversion.p < 0.05) f.convP++;
      if (rev.p !== null && rev.p < 0.05) f.revP++;
    }
    if (any) f.after++;
    if (works) f.works++;
  }
  const all = reps * c.rules;
  return { discoveryBefore: f.before / reps, discoveryAfter: f.after / reps, worksAfter: f.works / reps, rulesWorks: f.rulesWorks / all, rulesWorksBefore: f.rulesWorksBefore / all, convP: f.convP / all, revP: f.revP / all };
}
