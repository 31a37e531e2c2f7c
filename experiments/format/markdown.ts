/**
 * The report as GitHub-flavoured markdown, for pull-request comments and
 * wikis: the same verdict table as the terminal, then funnels and alerts.
 */
import type { Report, RuleReport } from "../report-types.ts";
import { int, money, pct, pval, signedMoney, signedPct } from "./numbers.ts";
import { armsLines, capLabel, liftCell, qCell, romiCell, skewNote, tooEarlyNote, tooFewNote } from "./table.ts";
import { judgedRevenue } from "../report.ts";

function row(cells: string[]): string {
  return `| ${cells.map((c) => c.replace(/\|/g, "\\|")).join(" | ")} |`;
}

function ruleRow(r: RuleReport, alpha: number, capped: boolean): string {
  const star = (q: number | null) => (q !== null && q < alpha ? " **\\***" : "");
  return row([
    `\`${r.rule}\`${r.srm_flag ? " ⚠ SRM" : ""}`,
    `${int(r.entries.treatment)} / ${int(r.entries.holdout)}`,
    `${pct(r.conversion.treatment)} vs ${pct(r.conversion.holdout)}`,
    `${liftCell(r.conversion, true)} (${signedPct(r.conversion.lift_rel)})`,
    qCell(r.conversion, r.conversion.verdict === "too_few_conversions" ? " ?" : star(r.conversion.q)),
    `${money(r.revenue_per_customer.treatment)} vs ${money(r.revenue_per_customer.holdout)}`,
    liftCell(r.revenue_per_customer, false),
    ...(capped ? [r.revenue_per_customer_capped ? liftCell(r.revenue_per_customer_capped, false) + (r.revenue_per_customer_capped.normal_ok ? "" : " ~") : "–"] : []),
    ((m) => (m ? qCell(m, star(m.q)) : "–"))(judgedRevenue(r)),
    money(r.cost),
    signedMoney(r.incremental_revenue),
    romiCell(r),
  ]);
}

/** Renders the report as markdown. */
export function reportMarkdown(rep: Report): string {
  const level = `${Math.round((1 - rep.alpha) * 1000) / 10}%`;
  const cap = capLabel(rep);
  const out = [
    "## Incrementality per rule",
    "",
    `Attribution ${rep.attribution}; ${level} ${rep.sequential ? "confidence sequences (valid at every look)" : "confidence intervals"}` +
      (rep.period ? `; entries from ${rep.period.from} to ${rep.period.to}` : "") + ".",
    "",
    row(["rule", "entries T / H", "conversion T vs H", "conversion lift [CI]", "q", "revenue/customer T vs H", "revenue lift [CI]", ...(cap ? [`${cap} capped [CI]`] : []), "q", "cost", "incremental revenue", "ROMI [CI]"]),
    row(["---", "---:", "---:", "---:", "---:", "---:", "---:", ...(cap ? ["---:"] : []), "---:", "---:", "---:", "---:"]),
    ...rep.rules.flatMap((r) => [ruleRow(r, rep.alpha, cap !== null), ...((rep.arms ?? []).find((a) => a.rule === r.rule)?.arms ?? []).map((x) => ruleRow({ ...x, rule: `${r.rule} · arm ${x.rule.slice(x.rule.indexOf("/") + 1)}` }, rep.alpha, cap !== null))]),
    ...(rep.global_holdout ? [ruleRow(rep.global_holdout, rep.alpha, cap !== null)] : []),
    ...(rep.holdout_groups ?? []).map((g) => ruleRow({ ...g, rule: `holdout_group ${g.group}` }, rep.alpha, cap !== null)),
    "",
    `**\\*** q < ${rep.alpha} (Benjamini–Hochberg over every test in the table). Treatment and holdout are compared as assigned. ROMI = (incremental revenue − cost) / cost, its interval from the revenue lift's; — when that interval spans zero.`,
  ];
  const few = [...rep.rules, ...(rep.global_holdout ? [rep.global_holdout] : [])].flatMap((r) => (tooFewNote(r) ? [`\`${r.rule}\`: ${tooFewNote(r)}`] : []));
  if (few.length) out.push("", `**?** ${few.join("; ")}.`);
  const early = [...rep.rules, ...(rep.global_holdout ? [rep.global_holdout] : [])].flatMap((r) => (tooEarlyNote(r) ? [`\`${r.rule}\`: ${tooEarlyNote(r)}`] : []));
  if (early.length) out.push("", `**Too early:** ${early.join("; ")}.`);
  if (cap) out.push("", `Revenue is judged capped: every customer's revenue capped at the ${cap} of both groups pooled (q, ROMI); **~** skewed even capped: the interval and q are approximate.`);
  const skewed = [...rep.rules, ...(rep.global_holdout ? [rep.global_holdout] : [])].flatMap((r) => (skewNote(r) ? [`\`${r.rule}\`: ${skewNote(r)}`] : []));
  if (skewed.length) out.push("", `**~** ${skewed.join("; ")}.`);
  for (const a of rep.arms ?? []) out.push("", `### Arms of \`${a.rule}\``, "", ...armsLines(a, rep.alpha).map((l) => `- ${l.trim()}`));
  for (const r of rep.rules) {
    if (!r.funnel.length && !r.alerts.length) continue;
    out.push("", `### \`${r.rule}\``);
    if (r.funnel.length) {
      out.push("", row(["step", "channel", "sent", "delivered", "open", "CTR", "CTOR", "unsubscribe", "complaint", "bounce"]));
      out.push(row(["---:", "---", "---:", "---:", "---:", "---:", "---:", "---:", "---:", "---:"]));
      const perStep = new Map<number, number>();
      for (const f of r.funnel) if (f.channel) perStep.set(f.step, (perStep.get(f.step) ?? 0) + 1);
      for (const f of r.funnel) {
        if (!f.channel && perStep.get(f.step) === 1) continue;
        out.push(row([String(f.step), f.channel ?? "all", int(f.sent), pct(f.delivered), pct(f.open_rate), pct(f.ctr), pct(f.ctor), pct(f.unsubscribe_rate), pct(f.complaint_rate), pct(f.bounce_rate)]));
      }
    }
    if (r.alerts.length) out.push("", ...r.alerts.map((a) => `- ⚠ ${a.message}`));
  }
  return out.join("\n") + "\n";
}
