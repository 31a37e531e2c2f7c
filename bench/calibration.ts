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
import { capRank, DEFAULT_CAP, emptyMoments, normalTrusted, type CappedGroup, type Moments } from "../experiments/stats/index.ts";

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
  /** A/A: replications where the relative interval and the absolute test disagree (must be 0). */
  disagree: number;
}

/** Issue 17's conversion rows (5% and 10% holdout of a rule that reaches ~2,100 customers). */
export const CONVERSION_CASES: ConversionCase[] = [
  { name: "conversion 2%, 2,000 treated, 5% holdout (105)", rate: 0.02, treated: 2000, holdout: 105, lift: 0 },
  { name: "conversion 2%, 2,000 treated, 10% holdout (222)", rate: 0.02, treated: 2000, holdout: 222, lift: 0 },
  { name: "conversion 2%, 2,000 treated, 5% holdout (105), true lift +10%", rate: 0.02, treated: 2000, holdout: 105, lift: 0.1 },
  { name: "conversion 0.5%, 2,000 treated, 5% holdout (105)", rate: 0.005, treated: 2000, holdout: 105, lift: 0 },
];

const OPTS: CompareOptions = { alpha: 0.05, sequential: false, tuning: 5000, cuped: false };

function draw(rng: () => number, n: number, p: number): Moments {
  let x = 0;
  for (let i = 0; i < n; i++) if (rng() < p) x++;
  return { ...emptyMoments(), n, sum: x, sumSq: x };
}

/** Runs `reps` seeded replications of one case (A/A and at the case's true lift). */
export function measureConversion(c: ConversionCase, reps: number, seed = "calibrate"): ConversionFigures {
  const rng = seedrandom(`${seed}:${c.name}`);
  const f = { coverageBefore: 0, coverageAfter: 0, relCoverageAfter: 0, aaBefore: 0, aaAfter: 0, tooFew: 0, disagree: 0 };
  const pt = c.rate * (1 + c.lift);
  const truth = pt - c.rate;
  for (let r = 0; r < reps; r++) {
    // Coverage at the case's true lift.
    let h = draw(rng, c.holdout, c.rate);
    let t = draw(rng, c.treated, pt);
    const before = compareMetric(h, t, OPTS).metric;
    const after = compareMetric(h, t, { ...OPTS, binary: true }).metric;
    // No interval (a constant metric in both groups) covers nothing: Welch's "no test" is a miss, as the issue counted it.
    if (before.ci_low !== null && before.ci_low <= truth && truth <= before.ci_high!) f.coverageBefore++;
    if (after.ci_low !== null && after.ci_low <= truth && truth <= after.ci_high!) f.coverageAfter++;
    if (after.ci_rel_low !== null && after.ci_rel_low! <= c.lift && (after.ci_rel_high === null || c.lift <= after.ci_rel_high!)) f.relCoverageAfter++;
    // A/A.
    h = draw(rng, c.holdout, c.rate);
    t = draw(rng, c.treated, c.rate);
    const b0 = compareMetric(h, t, OPTS).metric;
    const a0 = compareMetric(h, t, { ...OPTS, binary: true }).metric;
    // Welch without a test (0 conversions in both) is not a rejection.
    if (b0.p !== null && b0.p < 0.05) f.aaBefore++;
    const rejected = a0.p !== null && a0.p < 0.05;
    if (rejected && a0.verdict !== "too_few_conversions") f.aaAfter++;
    if (a0.verdict === "too_few_conversions") f.tooFew++;
    const relExcludes = a0.ci_rel_low! > 0 || (a0.ci_rel_high !== null && a0.ci_rel_high! < 0);
    const absExcludes = a0.ci_low! > 0 || a0.ci_high! < 0;
    if (relExcludes !== rejected || absExcludes !== rejected) f.disagree++;
  }
  const share = (k: number) => k / reps;
  return {
    coverageBefore: share(f.coverageBefore), coverageAfter: share(f.coverageAfter), relCoverageAfter: share(f.relCoverageAfter),
    aaBefore: share(f.aaBefore), aaAfter: share(f.aaAfter), tooFew: share(f.tooFew), disagree: f.disagree,
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
  /** Welch on the revenue capped at the pooled P99. */
  coverageCapped: number;
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
  const f = { raw: 0, capped: 0, trusted: 0, judged: 0 };
  for (let r = 0; r < reps; r++) {
    const h = buyers(rng, c.holdout, c.buyers, c.sigma);
    const t = buyers(rng, c.treated, c.buyers, c.sigma);
    const n = c.holdout + c.treated;
    // The pooled P99 (zeros included), as capRevenue takes it.
    const pos = [...h, ...t].sort((a, b) => a - b);
    const k = capRank(DEFAULT_CAP, n) - (n - pos.length);
    const cap = k >= 0 ? pos[k]! : pos.length ? pos[pos.length - 1]! : 0;
    const raw = compareMetric(group(c.holdout, h, Infinity).m, group(c.treated, t, Infinity).m, OPTS).metric;
    const gh = group(c.holdout, h, cap);
    const gt = group(c.treated, t, cap);
    const capped = compareMetric(gh.m, gt.m, OPTS).metric;
    if (raw.p !== null && raw.p >= 0.05) f.raw++;
    if (capped.p !== null && capped.p >= 0.05) f.capped++;
    const ok = normalTrusted(gh, gt);
    if (ok) f.trusted++;
    if (ok && capped.p !== null && capped.p < 0.05) f.judged++;
  }
  return { coverageRaw: f.raw / reps, coverageCapped: f.capped / reps, trusted: f.trusted / reps, aaJudged: f.judged / reps };
}
