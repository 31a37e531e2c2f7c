/**
 * The report as a terminal table: one line per rule with the verdict a
 * growth team reads first (lift, interval, q, money), then per rule the
 * funnel and any alerts. Significance is marked `*` when q < alpha, and a
 * rule with a sample-ratio mismatch is marked `SRM!` because its lift cannot
 * be trusted.
 */
import type { ArmsReport, MetricComparison, Report, RuleReport } from "../report-types.ts";
import { int, money, pct, pp, pval, signedMoney, signedPct } from "./numbers.ts";
import { romiShown } from "../stats/romi.ts";
import { judgedRevenue } from "../report.ts";

function pad(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ").trimEnd());
}

function sig(m: MetricComparison, alpha: number): string {
  // Too few conversions: no star whatever q says (docs/statistics.md, "Conversion").
  if (m.verdict === "too_few_conversions") return "?";
  return m.q !== null && m.q < alpha ? "*" : "";
}

/** "too few conversions to judge: needs ≈ 211 held-out customers (has 105)", or null. */
export function tooFewNote(r: RuleReport): string | null {
  const c = r.conversion;
  if (c.verdict !== "too_few_conversions") return null;
  const need = c.needed == null ? "no conversions in either group yet" : `needs ≈ ${int(c.needed)} held-out customers (has ${int(r.entries.holdout)})`;
  return `too few conversions to judge: ${need}`;
}

/** The q cell of a metric: "too early" while a confidence sequence waits for its counts, else q and its mark. */
export function qCell(m: MetricComparison, mark: string): string {
  return m.too_early ? "too early" : pval(m.q) + mark;
}

/** "too early for the confidence sequence: …" (sequential mode, a group short of its counts), or null. */
export function tooEarlyNote(r: RuleReport): string | null {
  const why = r.conversion.too_early;
  return why ? `too early for the confidence sequence: ${why}` : null;
}

/** "+1.70 pp [+0.40, +3.00]" for rates, money for revenue. */
export function liftCell(m: MetricComparison, rate: boolean): string {
  const f = rate ? (x: number | null) => pp(x).replace(" pp", "") : signedMoney;
  if (m.lift_abs === null) return "–";
  const ci = m.ci_low === null ? "" : ` [${f(m.ci_low)}, ${f(m.ci_high)}]`;
  return `${f(m.lift_abs)}${rate ? " pp" : ""}${ci}`;
}

/** A ROMI multiple: one decimal below 100, whole numbers with separators above. */
function times(x: number): string {
  return Math.abs(x) < 100 ? x.toFixed(1) : int(x);
}

/**
 * ROMI with its interval, "12.4× [3.1, 21.7]"; "—" when the revenue lift's
 * interval spans zero (the data cannot tell a return from a loss), "–" when
 * there is no ROMI at all (no cost or no revenue lift).
 */
export function romiCell(r: RuleReport): string {
  if (r.romi === null) return "–";
  const rev = judgedRevenue(r);
  if (!rev || !romiShown(rev.ci_low, rev.ci_high)) return "—";
  const ci = r.romi_ci_low == null || r.romi_ci_high == null ? "" : ` [${times(r.romi_ci_low)}, ${times(r.romi_ci_high)}]`;
  return `${times(r.romi)}×${ci}`;
}

/** The q of the revenue test the rule is judged by. */
function revenueQ(r: RuleReport, alpha: number): string {
  const m = judgedRevenue(r);
  return m ? qCell(m, sig(m, alpha)) : "–";
}

/** "revenue skewed, the interval is approximate: …", or null. */
export function skewNote(r: RuleReport): string | null {
  const c = r.revenue_per_customer_capped;
  if (!c || c.normal_ok) return null;
  const g = c.skewness_of_difference;
  const why = g === null ? "too few customers" : `skewness of the lift ${g.toFixed(2)}, needs under ±${(1 / Math.sqrt(355)).toFixed(3)} (355 × skewness² < 1); a group needs > ${int(c.customers_for_normal ?? 0)} customers (has ${int(r.entries.treatment)} / ${int(r.entries.holdout)})`;
  return `revenue skewed even capped, its interval and q are approximate: ${why}`;
}

function ruleLine(r: RuleReport, alpha: number, capped: boolean): string[] {
  return [
    r.rule + (r.srm_flag ? " SRM!" : ""),
    `${int(r.entries.treatment)} / ${int(r.entries.holdout)}`,
    pct(r.conversion.treatment),
    pct(r.conversion.holdout),
    liftCell(r.conversion, true),
    signedPct(r.conversion.lift_rel),
    qCell(r.conversion, sig(r.conversion, alpha)),
    money(r.revenue_per_customer.treatment),
    money(r.revenue_per_customer.holdout),
    liftCell(r.revenue_per_customer, false),
    ...(capped ? [r.revenue_per_customer_capped ? liftCell(r.revenue_per_customer_capped, false) + (r.revenue_per_customer_capped.normal_ok ? "" : " ~") : "–"] : []),
    revenueQ(r, alpha),
    int(r.sends),
    money(r.cost),
    signedMoney(r.incremental_revenue),
    romiCell(r),
  ];
}

/** An arm's line under its rule: `  arm push_first`, against the held-out customers of that arm. */
function armLine(r: RuleReport, alpha: number, capped: boolean): string[] {
  const arm = r.rule.slice(r.rule.indexOf("/") + 1);
  return ruleLine({ ...r, rule: `  arm ${arm}` }, alpha, capped);
}

/** The arms against each other: weights, SRM across arms, and each pair with its winner. */
export function armsLines(a: ArmsReport, alpha: number): string[] {
  const split = Object.keys(a.weights).map((n) => `${n} ${+(a.weights[n]! * 100).toFixed(2)}% (${int(a.treated[n] ?? 0)} treated)`).join(", ");
  const out = [`${a.rule} arms: ${split}; SRM across arms p = ${a.srm_p === null ? "–" : pval(a.srm_p)}${a.srm_flag ? " SRM! the split is broken: no winner" : ""}`];
  for (const c of a.comparisons) {
    const verdict = c.winner ? `winner ${c.winner}` : "no winner: the difference is not clear";
    out.push(`  ${c.a} − ${c.b}: conv ${liftCell(c.conversion, true)} q ${pval(c.conversion.q)}${sig(c.conversion, alpha)}; rev/cust ${liftCell(c.revenue_per_customer, false)} q ${pval(c.revenue_per_customer.q)}${sig(c.revenue_per_customer, alpha)} → ${verdict}`);
  }
  return out;
}

function head(capLabel: string | null): string[] {
  return ["rule", "entries T / H", "conv T", "conv H", "conv lift [CI]", "rel", "q", "rev/cust T", "rev/cust H", "rev/cust lift [CI]", ...(capLabel ? [`${capLabel} capped [CI]`] : []), "q", "sends", "cost", "incr. revenue", "ROMI [CI]"];
}

/** "P99" for the report's capping percentile, null when nothing is capped. */
export function capLabel(rep: Report): string | null {
  const c = [...rep.rules, ...(rep.global_holdout ? [rep.global_holdout] : [])].find((r) => r.revenue_per_customer_capped)?.revenue_per_customer_capped;
  return c ? `P${Math.round(c.cap_percentile * 1000) / 10}` : null;
}

function funnelLines(r: RuleReport): string[] {
  // Without any delivery feedback the funnel is only the send counts, already in the main table.
  const rates = (f: RuleReport["funnel"][number]) => [f.delivered, f.open_rate, f.ctr, f.unsubscribe_rate, f.complaint_rate, f.bounce_rate];
  if (!r.funnel.some((f) => rates(f).some((x) => x !== null && x !== undefined))) return [];
  const rows = [["  step / channel", "sent", "delivered", "open", "CTR", "CTOR", "unsub", "complaint", "bounce"]];
  const channelsOfStep = new Map<number, number>();
  for (const f of r.funnel) if (f.channel) channelsOfStep.set(f.step, (channelsOfStep.get(f.step) ?? 0) + 1);
  for (const f of r.funnel) {
    // A step with one channel: its total row says the same as the channel row.
    if (!f.channel && channelsOfStep.get(f.step) === 1) continue;
    rows.push([
      f.channel ? `    ${f.step} ${f.channel}` : `  step ${f.step}`,
      int(f.sent), pct(f.delivered), pct(f.open_rate), pct(f.ctr), pct(f.ctor), pct(f.unsubscribe_rate), pct(f.complaint_rate), pct(f.bounce_rate),
    ]);
  }
  return pad(rows);
}

/** Renders the whole report for a terminal. */
export function reportTable(rep: Report): string {
  const level = `${Math.round((1 - rep.alpha) * 1000) / 10}%`;
  const out: string[] = [];
  const period = rep.period ? ` · entries ${rep.period.from.slice(0, 10)} – ${rep.period.to.slice(0, 10)}` : "";
  out.push(`Incrementality per rule · attribution ${rep.attribution} · ${level} ${rep.sequential ? "confidence sequences (always valid)" : "confidence intervals"}${period}`);
  out.push("");
  const cap = capLabel(rep);
  const armsOf = new Map((rep.arms ?? []).map((a) => [a.rule, a]));
  const rows = [head(cap), ...rep.rules.flatMap((r) => [ruleLine(r, rep.alpha, cap !== null), ...(armsOf.get(r.rule)?.arms ?? []).map((x) => armLine(x, rep.alpha, cap !== null))])];
  if (rep.global_holdout) rows.push(ruleLine(rep.global_holdout, rep.alpha, cap !== null));
  for (const g of rep.holdout_groups ?? []) rows.push(ruleLine({ ...g, rule: `holdout_group ${g.group}` }, rep.alpha, cap !== null));
  out.push(...pad(rows));
  out.push("");
  out.push(`* q < ${rep.alpha} (Benjamini–Hochberg over every test above). Lifts: treatment − holdout, as assigned; conversion in percentage points.`);
  out.push("ROMI = (incremental revenue − cost) / cost, its interval from the revenue lift's; — when that interval spans zero.");
  if (cap) out.push(`Revenue is judged capped: every customer's revenue capped at the ${cap} of both groups pooled; ~ skewed even capped: the interval and q are approximate, see below.`);
  if ([...rep.rules, ...(rep.global_holdout ? [rep.global_holdout] : [])].some((r) => tooFewNote(r))) out.push("? too few conversions to judge (under one expected in the holdout): no verdict, see below.");
  for (const a of rep.arms ?? []) out.push("", ...armsLines(a, rep.alpha));
  for (const g of rep.holdout_groups ?? []) out.push("", `holdout_group ${g.group}: the family ${g.rules.join(", ")} against the customers it holds out of all of them (first entry into any of its rules)`);
  for (const r of rep.rules) {
    const lines = funnelLines(r);
    const extra: string[] = [];
    const few = tooFewNote(r);
    if (few) extra.push(few);
    const early = tooEarlyNote(r);
    if (early) extra.push(early);
    const skew = skewNote(r);
    if (skew) extra.push(skew);
    if (r.conversion.cuped_variance_reduction != null) extra.push(`CUPED variance reduction ${pct(r.conversion.cuped_variance_reduction)}`);
    if (r.conversion.mde != null) extra.push(`detectable at 80% power: ${pp(r.conversion.mde).replace("+", "")}`);
    if (r.days_to_target != null) extra.push(`target lift needs ${r.days_to_target === 0 ? "no more days" : `${Math.ceil(r.days_to_target)} more days`}`);
    if (!lines.length && !r.alerts.length && !extra.length) continue;
    out.push("", `${r.rule}${extra.length ? ` — ${extra.join("; ")}` : ""}`);
    out.push(...lines);
    for (const a of r.alerts) out.push(`  ! ${a.message}`);
  }
  return out.join("\n") + "\n";
}
