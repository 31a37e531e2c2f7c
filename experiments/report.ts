/**
 * The report: per rule, the entries as assigned, the two metrics compared,
 * SRM, money, funnel and alerts; the global-holdout line; BH q-values over
 * every test shown. Inputs are already-indexed data (`EntryTable`,
 * `GoalIndex`, matched feedback), so this file is pure arithmetic and the
 * command layer owns all reading.
 */
import { expectedHoldoutShare, formatDuration, type ReportConfig } from "./config.ts";
import { compareMetric, type CompareOptions } from "./compare.ts";
import type { EntryTable, RuleEntries } from "./entries.ts";
import { funnelAlerts, funnelRows, type FeedbackSummary } from "./funnel.ts";
import { GLOBAL_SALT, isHeldOut } from "./holdout.ts";
import { windowOutcome, type GoalIndex, type WindowOutcome } from "./outcomes.ts";
import type { Alert, Report, RuleReport } from "./report-types.ts";
import { addObservation, benjaminiHochberg, daysToDetect, emptyMoments, srmPValue, SRM_THRESHOLD, DEFAULT_TUNING, type Moments } from "./stats/index.ts";
import { isoSeconds } from "../engine/decision.ts";

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
  /** Earliest event time in the data (ms); CUPED needs data covering the pre-period. Null = unknown, CUPED off. */
  dataFrom: number | null;
}

/** Defaults of the options. */
export const DEFAULT_OPTIONS: ReportOptions = { alpha: 0.05, sequential: false, tuning: DEFAULT_TUNING, targetLift: null, minDelivered: 100, dataFrom: null };

interface Group {
  conv: Moments;
  rev: Moments;
}

interface Analysed {
  report: RuleReport;
}

function groups(): [Group, Group] {
  return [
    { conv: emptyMoments(), rev: emptyMoments() },
    { conv: emptyMoments(), rev: emptyMoments() },
  ];
}

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
    const c = compareMetric(hold, treat, { ...o, cuped: false }).metric;
    out.push({ date: new Date(day * DAY).toISOString().slice(0, 10), treatment: c.treatment, holdout: c.holdout, lift_abs: c.lift_abs, ci_low: c.ci_low, ci_high: c.ci_high });
  }
  return out;
}

function addMoments(into: Moments, m: Moments): void {
  into.n += m.n;
  into.sum += m.sum;
  into.sumSq += m.sumSq;
  into.sumX += m.sumX;
  into.sumXSq += m.sumXSq;
  into.sumXY += m.sumXY;
}

function analyse(
  name: string, entries: EntryColumns, r: RuleEntries | null, table: EntryTable, cfg: ReportConfig, goals: GoalIndex,
  feedback: FeedbackSummary, opt: ReportOptions, periodEnd: number, holdoutShare: number | null,
): Analysed {
  const [hold, treat] = groups();
  const w: WindowOutcome = { converted: 0, revenue: 0, preConverted: 0, preRevenue: 0 };
  // Entries are taken in the log's order (deterministic for a given log), so
  // no sort of a million entries is needed; days are bucketed for the chart.
  const byDay = new Map<number, [Moments, Moments]>();
  let offerCost = 0;
  let firstAt = Infinity;
  let lastDay = NaN;
  let today: [Moments, Moments] = [emptyMoments(), emptyMoments()];
  for (let i = 0; i < entries.n; i++) {
    const at = entries.enteredAt[i]!;
    const treated = entries.treated[i] === 1;
    windowOutcome(goals, entries.customer[i]!, at, cfg.attribution, w);
    const g = treated ? treat : hold;
    addObservation(g.conv, w.converted, w.preConverted);
    addObservation(g.rev, w.revenue, w.preRevenue);
    const day = Math.floor(at / DAY);
    if (day !== lastDay) {
      let d = byDay.get(day);
      if (!d) byDay.set(day, (d = [emptyMoments(), emptyMoments()]));
      today = d;
      lastDay = day;
    }
    addObservation(today[treated ? 1 : 0], w.converted);
    if (at < firstAt) firstAt = at;
    if (treated && w.converted && r?.entryId) offerCost += r.offerEntries.get(r.entryId[i]!) ?? 0;
  }
  if (firstAt === Infinity) firstAt = periodEnd;
  const useCuped = opt.dataFrom !== null && hold.conv.n + treat.conv.n > 0 && opt.dataFrom <= firstAt - cfg.attribution;
  const co: CompareOptions = { alpha: opt.alpha, sequential: opt.sequential, tuning: opt.tuning, cuped: useCuped };
  const conversion = compareMetric(hold.conv, treat.conv, co);
  const revenue = compareMetric(hold.rev, treat.rev, co);

  let sends = 0;
  let cost = offerCost;
  for (const [ch, n] of r?.sendsByChannel ?? []) {
    sends += n;
    cost += n * (cfg.channelCost.get(ch) ?? 0);
  }
  const incremental = revenue.metric.lift_abs === null ? null : revenue.metric.lift_abs * treat.rev.n;
  const srm = holdoutShare === null ? null : srmPValue(treat.conv.n, hold.conv.n, holdoutShare);
  const funnel = r ? funnelRows(r, table.channels, feedback) : [];
  const alerts: Alert[] = funnelAlerts(funnel, cfg.alerts, opt.minDelivered);
  if (srm !== null && srm < SRM_THRESHOLD) {
    alerts.unshift({
      kind: "srm", value: srm, threshold: SRM_THRESHOLD,
      message: `sample ratio mismatch: ${treat.conv.n} treated vs ${hold.conv.n} held out, expected ${(holdoutShare! * 100).toFixed(1)}% held out (p = ${srm.toExponential(1)}); the assignment or the logging is broken, do not trust this rule's lift`,
    });
  }
  const elapsedDays = Math.max(1, (periodEnd - firstAt) / DAY);
  const target = opt.targetLift === null || !(conversion.metric.holdout > 0) ? null : opt.targetLift * conversion.metric.holdout;
  const report: RuleReport = {
    rule: name,
    entries: { treatment: treat.conv.n, holdout: hold.conv.n },
    srm_p: srm,
    conversion: conversion.metric,
    revenue_per_customer: revenue.metric,
    sends,
    cost,
    incremental_revenue: incremental,
    romi: incremental !== null && cost > 0 ? (incremental - cost) / cost : null,
    funnel,
    alerts,
    holdout_share: holdoutShare ?? undefined,
    srm_flag: srm !== null && srm < SRM_THRESHOLD,
    days_to_target: target === null || conversion.se === null ? null : daysToDetect(conversion.se, target, elapsedDays, opt.alpha),
    daily: dailySeries(byDay, co),
  };
  return { report };
}

/** Entries as columns: what `analyse` reads (a rule's `RuleEntries` is one). */
interface EntryColumns {
  n: number;
  customer: Int32Array;
  enteredAt: Float64Array;
  treated: Uint8Array;
}

/** Everyone's first entry into any rule, split by the global-holdout hash. */
function globalEntries(t: EntryTable, share: number): EntryColumns {
  const first = new Float64Array(t.customers.length).fill(Infinity);
  for (const r of t.rules.values()) {
    for (let i = 0; i < r.n; i++) {
      const c = r.customer[i]!;
      if (r.enteredAt[i]! < first[c]!) first[c] = r.enteredAt[i]!;
    }
  }
  const out: EntryColumns = { n: 0, customer: new Int32Array(t.customers.length), enteredAt: new Float64Array(t.customers.length), treated: new Uint8Array(t.customers.length) };
  for (let c = 0; c < t.customers.length; c++) {
    if (first[c] === Infinity) continue;
    const i = out.n++;
    out.customer[i] = c;
    out.enteredAt[i] = first[c]!;
    out.treated[i] = isHeldOut(GLOBAL_SALT, t.customers[c]!, share) ? 0 : 1;
  }
  return out;
}

/** Builds the report from indexed inputs. Rules are listed in workspace order, then any others found in the log by name. */
export function buildReport(cfg: ReportConfig, table: EntryTable, goals: GoalIndex, feedback: FeedbackSummary, options: Partial<ReportOptions> = {}): Report {
  const opt = { ...DEFAULT_OPTIONS, ...options };
  const names = [...cfg.rules.filter((r) => table.rules.has(r)), ...[...table.rules.keys()].filter((r) => !cfg.rules.includes(r)).sort()];
  let from = Infinity;
  let to = -Infinity;
  for (const r of table.rules.values()) {
    for (let i = 0; i < r.n; i++) {
      const at = r.enteredAt[i]!;
      if (at < from) from = at;
      if (at > to) to = at;
    }
  }
  const rules = names.map((n) => {
    const r = table.rules.get(n)!;
    return analyse(n, r, r, table, cfg, goals, feedback, opt, to, expectedHoldoutShare(cfg, n)).report;
  });
  const global = cfg.globalHoldout > 0 && table.rules.size > 0
    ? analyse("(global holdout)", globalEntries(table, cfg.globalHoldout), null, table, cfg, goals, feedback, opt, to, cfg.globalHoldout).report
    : null;
  if (global) {
    // Everything versus nothing: the money side is every rule's sends and cost together.
    global.sends = rules.reduce((s, r) => s + r.sends, 0);
    global.cost = rules.reduce((s, r) => s + r.cost, 0);
    global.romi = global.incremental_revenue !== null && global.cost > 0 ? (global.incremental_revenue - global.cost) / global.cost : null;
  }
  // BH over every test the report shows: both metrics of every rule and of the global line.
  const metrics = [...rules, ...(global ? [global] : [])].flatMap((r) => [r.conversion, r.revenue_per_customer]);
  const qs = benjaminiHochberg(metrics.map((m) => m.p));
  metrics.forEach((m, i) => (m.q = qs[i]!));
  const report: Report = { attribution: formatDuration(cfg.attribution), alpha: opt.alpha, rules, sequential: opt.sequential, global_holdout: global };
  if (Number.isFinite(from)) report.period = { from: isoSeconds(from), to: isoSeconds(to) };
  return report;
}
