/**
 * The report from aggregates: per rule, the entries as assigned, the two
 * metrics compared, SRM, money, funnel and alerts; the global-holdout line;
 * BH q-values over every test shown. Pure arithmetic — the producers in
 * `aggregate-memory.ts` and `sql/aggregate.ts` own all data access.
 */
import { addMoments, type Aggregates, type RuleAggregate } from "./aggregates.ts";
import { expectedHoldoutShare, formatDuration, type ReportConfig } from "./config.ts";
import { compareMetric, type CompareOptions } from "./compare.ts";
import { funnelAlerts, funnelRows } from "./funnel.ts";
import type { Alert, CappedComparison, MetricComparison, Report, RuleReport } from "./report-types.ts";
import { benjaminiHochberg, customersForNormal, daysToDetect, differenceSkewness, normalTrusted, emptyMoments, skewness, type CappedGroup, type CappedRevenue, romiInterval, srmPValue, SRM_THRESHOLD, DEFAULT_TUNING, type Moments } from "./stats/index.ts";
import { isoSeconds } from "../engine/decision.ts";
import { armKey, armsReport, groupKey, isDerivedKey, settleArmWinners } from "./arms.ts";

const DAY = 86_400_000;

/** Knobs of the report (CLI flags). */
export interface ReportOptions {
  alpha: number;
  sequential: boolean;
  /** Confidence-sequence tuning parameter; GrowthBook's 5000 by default. */
  tuning: number;
  /** Relative lift of conversion to plan for (`--target-lift`); null for none. */
  targetLift: number | null;
  /** A channel row needs this many delivered messages before alerts judge it. */
  minDelivered: number;
}

/** Defaults of the options. */
export const DEFAULT_OPTIONS: ReportOptions = { alpha: 0.05, sequential: false, tuning: DEFAULT_TUNING, targetLift: null, minDelivered: 100 };

/**
 * The daily cumulative conversion lift of a rule, for the TUI chart: per UTC
 * day of entry, the comparison over every entry up to that day's end.
 */
function dailySeries(byDay: Map<number, [Moments, Moments]>, o: CompareOptions): NonNullable<RuleReport["daily"]> {
  const out: NonNullable<RuleReport["daily"]> = [];
  const hold = emptyMoments();
  const treat = emptyMoments();
  for (const day of [...byDay.keys()].sort((a, b) => a - b)) {
    const [h, t] = byDay.get(day)!;
    addMoments(hold, h);
    addMoments(treat, t);
    const c = compareMetric(hold, treat, { ...o, cuped: false, gate: undefined }).metric;
    out.push({ date: new Date(day * DAY).toISOString().slice(0, 10), treatment: c.treatment, holdout: c.holdout, lift_abs: c.lift_abs, ci_low: c.ci_low, ci_high: c.ci_high });
  }
  return out;
}

/** `romi` and its interval from the revenue lift, the treated customers and the cost. */
function romiFields(rev: { lift_abs: number | null; ci_low: number | null; ci_high: number | null }, treated: number, cost: number): Pick<RuleReport, "romi" | "romi_ci_low" | "romi_ci_high"> {
  const r = romiInterval(rev.lift_abs, rev.ci_low, rev.ci_high, treated, cost);
  return { romi: r.romi, romi_ci_low: r.low, romi_ci_high: r.high };
}

function ruleReport(a: RuleAggregate, agg: Aggregates, cfg: ReportConfig, opt: ReportOptions, holdoutShare: number | null): RuleReport {
  const { hold, treat } = a;
  const firstAt = a.firstAt === Infinity ? agg.periodEnd : a.firstAt;
  const useCuped = agg.dataFrom !== null && hold.conv.n + treat.conv.n > 0 && agg.dataFrom <= firstAt - cfg.attribution;
  // Sequential mode gates every metric of the rule on its conversion counts (docs/statistics.md, "Sequential").
  const co: CompareOptions = { alpha: opt.alpha, sequential: opt.sequential, tuning: opt.tuning, cuped: useCuped, gate: [hold.conv, treat.conv] };
  const conversion = compareMetric(hold.conv, treat.conv, { ...co, binary: true });
  const revenue = compareMetric(hold.rev, treat.rev, co);
  const capped = a.revCap ? cappedComparison(a.revCap, co) : null;
  // The revenue lift the report judges by: the capped one when capping is on.
  const judged = capped ?? revenue.metric;

  let sends = 0;
  let cost = a.offerCost;
  for (const ch of [...a.sendsByChannel.keys()].sort()) {
    const n = a.sendsByChannel.get(ch)!;
    sends += n;
    cost += n * (cfg.channelCost.get(ch) ?? 0);
  }
  const incremental = revenue.metric.lift_abs === null ? null : revenue.metric.lift_abs * treat.rev.n;
  const romi = romiFields(judged, treat.rev.n, cost);
  const srm = holdoutShare === null ? null : srmPValue(treat.conv.n, hold.conv.n, holdoutShare);
  const funnel = funnelRows(a.funnel, agg.kindsByChannel);
  const alerts: Alert[] = funnelAlerts(funnel, cfg.alerts, opt.minDelivered);
  if (srm !== null && srm < SRM_THRESHOLD) {
    alerts.unshift({
      kind: "srm", value: srm, threshold: SRM_THRESHOLD,
      message: `sample ratio mismatch: ${treat.conv.n} treated vs ${hold.conv.n} held out, expected ${(holdoutShare! * 100).toFixed(1)}% held out (p = ${srm.toExponential(1)}); the assignment or the logging is broken, do not trust this rule's lift`,
    });
  }
  const elapsedDays = Math.max(1, (agg.periodEnd - firstAt) / DAY);
  const target = opt.targetLift === null || !(conversion.metric.holdout > 0) ? null : opt.targetLift * conversion.metric.holdout;
  return {
    rule: a.rule,
    entries: { treatment: treat.conv.n, holdout: hold.conv.n },
    srm_p: srm,
    conversion: conversion.metric,
    revenue_per_customer: revenue.metric,
    sends,
    cost,
    incremental_revenue: incremental,
    romi: romi.romi,
    funnel,
    alerts,
    holdout_share: holdoutShare ?? undefined,
    srm_flag: srm !== null && srm < SRM_THRESHOLD,
    days_to_target: target === null || conversion.se === null ? null : daysToDetect(conversion.se, target, elapsedDays, opt.alpha),
    romi_ci_low: romi.romi_ci_low,
    romi_ci_high: romi.romi_ci_high,
    revenue_per_customer_capped: capped,
    incremental_revenue_capped: capped === null || capped.lift_abs === null ? null : capped.lift_abs * treat.rev.n,
    daily: dailySeries(a.byDay, { ...co, binary: true }),
  };
}

/** Revenue capped at the pooled percentile, with the skewness rule's verdict on its normal approximation. */
function cappedComparison(c: CappedRevenue, co: CompareOptions): CappedComparison {
  const m = compareMetric(c.hold.m, c.treat.m, co).metric;
  const sk = (g: CappedGroup) => {
    const s = skewness(g);
    return Number.isFinite(s) ? s : null;
  };
  const need = Math.max(customersForNormal(c.hold), customersForNormal(c.treat));
  const gd = differenceSkewness(c.hold, c.treat);
  return {
    ...m,
    cap_percentile: c.percentile,
    cap: c.cap,
    skewness_treatment: sk(c.treat),
    skewness_holdout: sk(c.hold),
    customers_for_normal: Number.isFinite(need) ? need : null,
    skewness_of_difference: Number.isFinite(gd) ? gd : null,
    normal_ok: normalTrusted(c.hold, c.treat),
  };
}

/**
 * The revenue comparison a rule is judged by (BH, ROMI): the capped one when present, the raw one
 * without capping. The skewness rule does not veto it (docs/statistics.md: the capped interval's
 * measured coverage is 91.5–95% where the rule trusts 0–0.3% of comparisons); it is a warning.
 */
export function judgedRevenue(r: Pick<RuleReport, "revenue_per_customer" | "revenue_per_customer_capped">): MetricComparison | null {
  const c = r.revenue_per_customer_capped;
  if (c) return c;
  return r.revenue_per_customer;
}

/** A conversion verdict once q is known; "too few conversions" stands whatever q says. */
function settleVerdict(m: MetricComparison, alpha: number): void {
  if (m.verdict === "too_few_conversions") return;
  m.verdict = m.q !== null && m.q < alpha && m.lift_abs !== null ? (m.lift_abs > 0 ? "works" : "harms") : "no_clear_effect";
}

/** Builds the report. Rules are listed in workspace order, then any others found in the log by name. */
export function buildReport(cfg: ReportConfig, agg: Aggregates, options: Partial<ReportOptions> = {}): Report {
  const opt = { ...DEFAULT_OPTIONS, ...options };
  const names = [...cfg.rules.filter((r) => agg.rules.has(r)), ...[...agg.rules.keys()].filter((r) => !cfg.rules.includes(r) && !isDerivedKey(r)).sort()];
  const rules = names.map((n) => ruleReport(agg.rules.get(n)!, agg, cfg, opt, expectedHoldoutShare(cfg, n)));
  const global = agg.global ? ruleReport(agg.global, agg, cfg, opt, cfg.globalHoldout) : null;
  if (global) {
    // Everything versus nothing: the money side is every rule's sends and cost together.
    global.sends = rules.reduce((s, r) => s + r.sends, 0);
    global.cost = rules.reduce((s, r) => s + r.cost, 0);
    Object.assign(global, romiFields(global.revenue_per_customer_capped ?? global.revenue_per_customer, global.entries.treatment, global.cost));
  }
  // Arms (each against its part of the holdout, then against each other) and holdout groups (issue 18).
  const line = (key: string) => ruleReport(agg.rules.get(key)!, agg, cfg, opt, expectedHoldoutShare(cfg, key));
  const arms = [...(cfg.arms ?? [])].filter(([r]) => names.includes(r)).map(([r, as]) => {
    const lines = new Map(as.map((a) => armKey(r, a.name)).filter((k) => agg.rules.has(k)).map((k) => [k, line(k)] as const));
    return armsReport(r, as, lines, agg.rules, { alpha: opt.alpha, sequential: opt.sequential, tuning: opt.tuning, cuped: false });
  });
  const families = new Map<string, string[]>();
  for (const [r, g] of cfg.groups ?? []) families.set(g, [...(families.get(g) ?? []), r]);
  const groups = [...families].filter(([g]) => agg.rules.has(groupKey(g))).map(([g, rs]) => ({ ...line(groupKey(g)), group: g, rules: rs }));
  const lines = [...rules, ...(global ? [global] : []), ...arms.flatMap((a) => a.arms), ...groups];
  // BH over every test the report judges: conversion and revenue (capped, when trusted) of every rule, the global line,
  // each arm and each holdout group, and the arms' comparisons with each other.
  const metrics = [...lines.flatMap((r) => [r.conversion, ...[judgedRevenue(r)].filter((m) => m !== null)]), ...arms.flatMap((a) => a.comparisons.flatMap((c) => [c.conversion, c.revenue_per_customer]))];
  const qs = benjaminiHochberg(metrics.map((m) => m.p));
  metrics.forEach((m, i) => (m.q = qs[i]!));
  for (const r of lines) settleVerdict(r.conversion, opt.alpha);
  for (const a of arms) settleArmWinners(a, opt.alpha);
  const report: Report = { attribution: formatDuration(cfg.attribution), alpha: opt.alpha, rules, sequential: opt.sequential, global_holdout: global };
  if (arms.length) report.arms = arms;
  if (groups.length) report.holdout_groups = groups;
  if (Number.isFinite(agg.periodStart)) report.period = { from: isoSeconds(agg.periodStart), to: isoSeconds(agg.periodEnd) };
  return report;
}
