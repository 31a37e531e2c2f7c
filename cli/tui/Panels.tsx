/**
 * The smaller screens: the RFM grid (recency × frequency, as `playbook
 * segments` computes it), the help, and the footer of keys.
 */
import React from "react";
import { Box, Text } from "ink";
import { int } from "../../experiments/format/numbers.ts";
import type { RfmGrid } from "./model.ts";
import { fit } from "./cells.ts";

/** Text lines of the R×F grid: recency down (best on top), frequency across. */
export function rfmLines(grid: RfmGrid): string[] {
  const n = grid.scores;
  const total = grid.counts.flat().reduce((a, b) => a + b, 0) + grid.unscored;
  const cell = 9;
  const lines = [`customers per recency (R) and frequency (F) score · ${int(total)} customers`, ""];
  lines.push("      " + Array.from({ length: n }, (_, f) => `F=${f + 1}`.padStart(cell)).join(""));
  for (let r = n; r >= 1; r--) {
    const row = grid.counts[r - 1] ?? [];
    lines.push(`R=${r}  ` + Array.from({ length: n }, (_, f) => int(row[f] ?? 0).padStart(cell)).join(""));
  }
  lines.push("", `no score (no goal event in the window): ${int(grid.unscored)}`);
  if (grid.labels) {
    lines.push("", "segments by cell:");
    for (let r = n; r >= 1; r--) lines.push(`R=${r}  ` + (grid.labels[r - 1] ?? []).map((s) => fit(s, cell - 1).padStart(cell)).join(""));
  }
  return lines;
}

/** The RFM screen, or why it is empty. */
export function RfmView(p: { grid: RfmGrid | null; note: string | null; width: number }): React.ReactElement {
  const lines = p.grid ? rfmLines(p.grid) : ["RFM grid: needs --data D (and an `rfm:` section in the workspace).", "", p.note ?? ""];
  return (
    <Box flexDirection="column">
      <Text bold>RFM</Text>
      {lines.map((l, i) => <Text key={i} wrap="truncate">{fit(l, p.width - 1) || " "}</Text>)}
    </Box>
  );
}

/** Every key, by screen. */
export const HELP_LINES = [
  "overview",
  "  ↑ ↓ / k j     move            PgUp PgDn g G   page, first, last",
  "  Enter →       open the rule   s / S           next sort key / reverse",
  "  /             filter (rule, verdict or alert words; Enter keeps, Esc clears)",
  "  r             RFM grid        q               quit",
  "rule view",
  "  Tab 1 2 3     metrics, funnel, lift over time",
  "  n p           next / previous rule     Esc ← Backspace   back",
  "anywhere: ? this help (any key closes it)",
  "",
  "verdicts: works = q < alpha and lift > 0 · HARMS = q < alpha and lift < 0",
  "  low pwr = not significant and MDE > 15% of the holdout's rate",
  "  unclear = not significant though the test could see 15% · SRM! = split off",
  "  no holdout = nobody held out: no test, and waiting will not make one",
  "bar: the pp interval (├─┤) and estimate (●) against zero (│) on one axis for",
  "  all rules (±N pp in its header; ◀ ▶ run off it). Solid and clear of │ only",
  "  for works / HARMS; dotted ┊┄○┄┊ = clear of │ but q ≥ alpha (many tests).",
];

/** The help screen. */
export function Help({ width }: { width: number }): React.ReactElement {
  return (
    <Box flexDirection="column">
      <Text bold>Keys</Text>
      {HELP_LINES.map((l, i) => <Text key={i} wrap="truncate">{fit(l, width - 1) || " "}</Text>)}
    </Box>
  );
}

/** The key hints for a screen, cut to the width. */
export function footerText(screen: "overview" | "rule" | "rfm" | "help" | "filter", sortLabel: string, filter: string, width: number): string {
  const t =
    screen === "filter" ? `filter: /${filter}█  Enter keep · Esc clear`
    : screen === "overview" ? `↑↓ move ⏎ open s sort:${sortLabel} / filter${filter ? `:${filter}` : ""} r RFM ? help q quit`
    : screen === "rule" ? "Tab section · n/p next/prev rule · Esc back · ? help · q quit"
    : screen === "rfm" ? "Esc back · ? help · q quit"
    : "any key: close help";
  return fit(t, width - 1);
}
