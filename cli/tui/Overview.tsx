/**
 * The overview: one line per rule with entries, conversion treated/held out,
 * relative lift, its interval as a bar around zero, q, ROMI, verdict and
 * alert count; the global holdout under them and a one-line detail of the
 * selected rule. Pure layout: App owns the state.
 */
import React from "react";
import { Box, Text } from "ink";
import type { Report, RuleReport } from "../../experiments/report-types.ts";
import { pp, pval } from "../../experiments/format/numbers.ts";
import { barScale, liftBar, liftInterval, scaleLabel } from "./bar.ts";
import { cellText, fit, layoutColumns, padCell } from "./cells.ts";
import { romiCell as romiWithCi } from "../../experiments/format/table.ts";
import { VERDICT_LABEL, verdictOf, verdictSide } from "./model.ts";
import { tint, verdictTint } from "./theme.ts";

/** Props of the overview. */
export interface OverviewProps {
  report: Report;
  rows: RuleReport[];
  selected: number;
  top: number;
  /** Lines available for rule rows. */
  rowsHeight: number;
  width: number;
  color: boolean;
}

function RuleRow(p: { r: RuleReport; selected: boolean; scale: number; width: number; alpha: number; color: boolean }): React.ReactElement {
  const v = verdictOf(p.r, p.alpha);
  const cols = layoutColumns(p.width);
  return (
    <Text wrap="truncate" inverse={p.selected && p.color} bold={p.selected}>
      {p.selected ? "▶ " : "  "}
      {cols.map((c, i) => {
        const sep = i === 0 ? "" : " ";
        if (c.key === "bar") return <Text key={c.key}>{sep}{liftBar(liftInterval(p.r), p.scale, c.width, verdictSide(v))}</Text>;
        const text = padCell(cellText(c.key, p.r, p.alpha, VERDICT_LABEL[v]), c);
        const style = c.key === "verdict" || c.key === "lift" ? verdictTint(v, p.color) : c.key === "alerts" ? tint("yellow", p.color) : {};
        return <Text key={c.key} {...style}>{sep}{text}</Text>;
      })}
    </Text>
  );
}

/** The header line of the rule table; the bar's title carries the axis's half-width. */
export function ColumnHeader({ width, scale }: { width: number; scale: number }): React.ReactElement {
  const cols = layoutColumns(width);
  // "CI ±6pp" when it fits, so the axis's half-width is on screen; else the plain title.
  const barTitle = (w: number) => (`CI ${scaleLabel(scale)}`.length <= w ? `CI ${scaleLabel(scale)}` : "CI vs 0");
  const title = (c: (typeof cols)[number]) => (c.key === "bar" ? barTitle(c.width) : c.title);
  return <Text bold wrap="truncate">{"  " + cols.map((c) => padCell(title(c), c)).join(" ")}</Text>;
}

/** One line about the selected rule, in words. */
export function detailLine(r: RuleReport | undefined, alpha: number): string {
  if (!r) return "no rule matches the filter";
  const c = r.conversion;
  const ci = c.ci_low === null ? "" : ` [${pp(c.ci_low).replace(" pp", "")}, ${pp(c.ci_high).replace(" pp", "")}]`;
  const srm = r.srm_flag ? ` · SRM p ${pval(r.srm_p)}` : "";
  return `${r.rule}: ${pp(c.lift_abs)}${ci} · q ${pval(c.q)} · ROMI ${romiWithCi(r)} · ${r.alerts.length} alert${r.alerts.length === 1 ? "" : "s"}${srm} · ${VERDICT_LABEL[verdictOf(r, alpha)]}`;
}

/** The overview screen. */
export function Overview(p: OverviewProps): React.ReactElement {
  // One axis for every rule (filtered or not), so bars compare across rules and keep still while filtering.
  const scale = barScale(p.report.rules.map(liftInterval));
  const shown = p.rows.slice(p.top, p.top + p.rowsHeight);
  const g = p.report.global_holdout;
  return (
    <Box flexDirection="column">
      <ColumnHeader width={p.width} scale={scale} />
      {shown.map((r, i) => (
        <RuleRow key={r.rule} r={r} selected={p.top + i === p.selected} scale={scale} width={p.width} alpha={p.report.alpha} color={p.color} />
      ))}
      {Array.from({ length: Math.max(0, p.rowsHeight - shown.length) }, (_, i) => <Text key={`pad${i}`}> </Text>)}
      {g ? (
        <Text wrap="truncate" {...tint("cyan", p.color)}>
          {fit(`  all rules vs global holdout: ${pp(g.conversion.lift_abs)} · q ${pval(g.conversion.q)} · ROMI ${romiWithCi(g)}`, p.width - 1)}
        </Text>
      ) : null}
      <Text wrap="truncate">{fit(detailLine(p.rows[p.selected], p.report.alpha), p.width - 1)}</Text>
    </Box>
  );
}
