/**
 * One rule in full, in three sections switched with Tab (or 1, 2, 3) so each
 * fits 80×24: every metric with its interval, MDE and days to target; the
 * funnel by step and channel; the daily cumulative lift as a text chart.
 */
import React from "react";
import { Box, Text } from "ink";
import type { MetricComparison, Report, RuleReport } from "../../experiments/report-types.ts";
import { int, money, pct, pp, pval, signedMoney, signedPct } from "../../experiments/format/numbers.ts";
import { dailyChart } from "./charts.ts";
import { clipToPossible } from "./bar.ts";
import { fit } from "./cells.ts";
import { romiCell as romiWithCi } from "../../experiments/format/table.ts";
import { VERDICT_LABEL, verdictOf } from "./model.ts";
import { tint, verdictTint } from "./theme.ts";

/** Sections of the rule view, in Tab order. */
export const RULE_SECTIONS = ["metrics", "funnel", "lift over time"] as const;

/** Props of the rule view. */
export interface RuleViewProps {
  report: Report;
  rule: RuleReport;
  section: number;
  width: number;
  /** Lines available below the title. */
  height: number;
  color: boolean;
}

function ci(m: MetricComparison, rate: boolean): string {
  const f = rate ? (x: number | null) => pp(x).replace(" pp", "") : signedMoney;
  if (m.lift_abs === null) return "–";
  const iv = m.ci_low === null ? "" : ` [${f(m.ci_low)}, ${f(m.ci_high)}]`;
  return `${f(m.lift_abs)}${rate ? " pp" : ""}${iv}`;
}

/**
 * The conversion comparison with its intervals clipped to what a rate allows,
 * as the overview's bar draws them: the treated rate is in [0, 1], so the lift
 * is at least −(holdout rate), i.e. −100% relative, and at most 1 − holdout rate.
 */
export function possibleConversion(c: MetricComparison): MetricComparison {
  const h = c.holdout;
  if (!Number.isFinite(h)) return c;
  const abs = clipToPossible({ point: c.lift_abs, low: c.ci_low, high: c.ci_high }, h);
  const relMax = h > 0 ? (1 - h) / h : Infinity;
  const rel = (x: number | null | undefined) => (x === null || x === undefined ? x : Math.max(-1, Math.min(relMax, x)));
  return { ...c, ci_low: abs.low, ci_high: abs.high, ci_rel_low: rel(c.ci_rel_low), ci_rel_high: rel(c.ci_rel_high) };
}

/** The metrics section as lines of text. */
export function metricLines(r: RuleReport, alpha: number): string[] {
  const level = `${Math.round((1 - alpha) * 1000) / 10}%`;
  const row = (a: string, b: string, c: string, d: string, e: string) => `${a.padEnd(13)}${b.padStart(9)}${c.padStart(10)}  ${d.padEnd(30)}${e.padStart(7)}`;
  const sig = (m: MetricComparison) => pval(m.q) + (m.q !== null && m.q < alpha ? "*" : "");
  const c = possibleConversion(r.conversion), v = r.revenue_per_customer;
  const lines = [
    row("", "treated", "held out", `lift [${level} CI]`, "q"),
    row("entries", int(r.entries.treatment), int(r.entries.holdout), `holdout share ${pct(r.holdout_share ?? null)}`, ""),
    row("conversion", pct(c.treatment), pct(c.holdout), ci(c, true), sig(c)),
    row("", "", "", `relative ${signedPct(c.lift_rel)}${c.ci_rel_low != null ? ` [${signedPct(c.ci_rel_low)}, ${signedPct(c.ci_rel_high)}]` : ""}`, ""),
    row("revenue/cust", money(v.treatment), money(v.holdout), ci(v, false), sig(v)),
    "",
    `split check (SRM): p ${pval(r.srm_p)}${r.srm_flag ? "  SRM! the split is off: do not trust this lift" : "  ok"}`,
    `sends ${int(r.sends)} · cost ${money(r.cost)} · incremental revenue ${signedMoney(r.incremental_revenue)} · ROMI ${romiWithCi(r)}`,
    `MDE at 80% power: ${c.mde == null ? "–" : pp(c.mde).replace("+", "")}${c.cuped_variance_reduction ? ` · CUPED cut variance ${pct(c.cuped_variance_reduction)}` : ""}`,
    `days to reach the target lift: ${r.days_to_target === undefined || r.days_to_target === null ? "unknown (no target or no effect to plan for)" : r.days_to_target === 0 ? "reached" : `${int(r.days_to_target)} more days`}`,
    "",
    r.alerts.length ? "alerts:" : "alerts: none",
    ...r.alerts.map((a) => `  ⚠ ${a.message}`),
  ];
  return lines;
}

/** The funnel section as lines: one per step total and per channel. */
export function funnelLines(r: RuleReport): string[] {
  if (r.funnel.length === 0) return ["(no funnel: this rule sent nothing or the report has no delivery feedback)"];
  const head = ["step/channel", "sent", "deliv", "open", "CTR", "CTOR", "unsub", "compl", "bounce"];
  const rows = r.funnel.map((f) => [
    f.channel ? `  ${f.step} ${f.channel}` : `step ${f.step}`,
    int(f.sent), pct(f.delivered), pct(f.open_rate), pct(f.ctr), pct(f.ctor ?? null), pct(f.unsubscribe_rate), pct(f.complaint_rate ?? null), pct(f.bounce_rate ?? null),
  ]);
  const all = [head, ...rows];
  const w = head.map((_, i) => Math.max(...all.map((x) => x[i]!.length)));
  return all.map((x) => x.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join("  ").trimEnd());
}

/** The rule view screen. */
export function RuleView(p: RuleViewProps): React.ReactElement {
  const v = verdictOf(p.rule, p.report.alpha);
  const section = RULE_SECTIONS[p.section] ?? "metrics";
  const body = p.height - 2;
  const lines =
    section === "metrics" ? metricLines(p.rule, p.report.alpha)
    : section === "funnel" ? funnelLines(p.rule)
    : ["cumulative conversion lift per day (pp): interval │, estimate ●, ┬ Mondays", ...dailyChart(p.rule.daily ?? [], p.width - 2, body - 1)];
  return (
    <Box flexDirection="column">
      <Text wrap="truncate">
        <Text bold>{p.rule.rule}</Text>
        <Text> · </Text>
        <Text {...verdictTint(v, p.color)}>{VERDICT_LABEL[v]}</Text>
        <Text> · </Text>
        {RULE_SECTIONS.map((s, i) => (
          <Text key={s} bold={i === p.section} underline={i === p.section} {...(i === p.section ? tint("cyan", p.color) : {})}>
            {i === p.section ? `[${i + 1} ${s}]` : ` ${i + 1} ${s} `}
          </Text>
        ))}
      </Text>
      <Text> </Text>
      {lines.slice(0, body).map((l, i) => (
        <Text key={i} wrap="truncate">{fit(l, p.width - 1) || " "}</Text>
      ))}
      {lines.length > body ? <Text dimColor>{`… ${lines.length - body} more lines (make the terminal taller)`}</Text> : null}
    </Box>
  );
}
