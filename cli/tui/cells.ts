/**
 * Short cell texts for the TUI's narrow columns, and the column layout of the
 * overview: each column has a width and a priority, the lift bar takes what is
 * left, and the least important columns drop out first on a narrow terminal.
 */
import type { RuleReport } from "../../experiments/report-types.ts";
import { pval } from "../../experiments/format/numbers.ts";
import { romiShown } from "../../experiments/stats/romi.ts";
import { judgedRevenue } from "../../experiments/report.ts";

/** 9021 → "9.0k", 15230 → "15k", 1.2e6 → "1.2M"; small counts as they are. */
export function compact(n: number): string {
  const a = Math.abs(n);
  if (a < 1000) return String(Math.round(n));
  if (a < 10_000) return `${(n / 1000).toFixed(1)}k`;
  if (a < 1_000_000) return `${Math.round(n / 1000)}k`;
  return `${(n / 1_000_000).toFixed(1)}M`;
}

/** A rate as a percentage with one decimal and no sign: 0.081 → "8.1". */
export function pct1(x: number | null | undefined): string {
  return x === null || x === undefined || !Number.isFinite(x) ? "–" : (x * 100).toFixed(1);
}

/** Signed relative lift, whole percent: 0.266 → "+27%". */
export function relLift(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return "–";
  const v = Math.round(x * 100);
  return `${v >= 0 ? "+" : ""}${v}%`;
}

/**
 * A rule's ROMI as a short multiple (348.2 → "348×", 10499 → "10k×"), by the
 * report's rule (experiments/format/table.ts): "—" while the revenue lift's
 * interval spans zero, since the data cannot tell a return from a loss and a
 * ratio over a cheap channel's cost would read as a finding; "–" when there is
 * no ROMI at all.
 */
export function romiCell(r: Pick<RuleReport, "romi" | "revenue_per_customer" | "revenue_per_customer_capped">): string {
  const x = r.romi;
  if (x === null || !Number.isFinite(x)) return "–";
  const rev = judgedRevenue(r);
  if (!rev || !romiShown(rev.ci_low, rev.ci_high)) return "—";
  return `${Math.abs(x) < 10 ? x.toFixed(1) : compact(x)}×`;
}

/** q with a `*` when below alpha: "0.03*". */
export function qCell(q: number | null, alpha: number): string {
  return pval(q).replace(/(^|<)0\./, "$1.") + (q !== null && q < alpha ? "*" : "");
}

/** Cuts a text to `w` columns with an ellipsis. */
export function fit(s: string, w: number): string {
  if (w <= 0) return "";
  return s.length <= w ? s : s.slice(0, Math.max(0, w - 1)) + "…";
}

/** One overview column. */
export interface Column {
  key: "name" | "entries" | "conv" | "lift" | "bar" | "q" | "romi" | "verdict" | "alerts";
  title: string;
  width: number;
  align: "left" | "right";
  /** Lower drops first when the terminal is narrow. */
  priority: number;
}

const COLUMNS: Column[] = [
  { key: "name", title: "rule", width: 14, align: "left", priority: 10 },
  { key: "entries", title: "entries", width: 9, align: "right", priority: 4 },
  { key: "conv", title: "conv% T/H", width: 9, align: "right", priority: 7 },
  { key: "lift", title: "lift", width: 5, align: "right", priority: 8 },
  { key: "bar", title: "CI vs 0", width: 8, align: "left", priority: 9 },
  { key: "q", title: "q", width: 6, align: "right", priority: 6 },
  { key: "romi", title: "ROMI", width: 5, align: "right", priority: 3 },
  // "no holdout" is the longest verdict.
  { key: "verdict", title: "verdict", width: 10, align: "left", priority: 5 },
  { key: "alerts", title: "⚠", width: 2, align: "right", priority: 2 },
];

/** Columns chosen for a terminal `width` wide (2 columns are the selection marker). */
export function layoutColumns(width: number): Column[] {
  let cols = COLUMNS.map((c) => ({ ...c }));
  const used = (cs: Column[]) => 2 + cs.reduce((a, c) => a + c.width, 0) + cs.length - 1;
  // Keep one spare column: writing the last cell of a line makes some terminals wrap.
  const avail = width - 1;
  while (used(cols) > avail && cols.length > 3) {
    const drop = cols.filter((c) => c.key !== "bar" && c.key !== "name").sort((a, b) => a.priority - b.priority)[0]!;
    cols = cols.filter((c) => c !== drop);
  }
  const spare = Math.max(0, avail - used(cols));
  // Extra room goes to the bar first (resolution), then to long rule names.
  const bar = cols.find((c) => c.key === "bar")!;
  const name = cols.find((c) => c.key === "name")!;
  const toBar = Math.min(spare, 22);
  const toName = Math.min(spare - toBar, 10);
  bar.width += spare - toName;
  name.width += toName;
  return cols;
}

/** The text of one non-bar cell of a rule's row. */
export function cellText(key: Column["key"], r: RuleReport, alpha: number, verdict: string): string {
  switch (key) {
    case "name": return r.rule;
    case "entries": return `${compact(r.entries.treatment)}/${compact(r.entries.holdout)}`;
    case "conv": return `${pct1(r.conversion.treatment)}/${pct1(r.conversion.holdout)}`;
    case "lift": return relLift(r.conversion.lift_rel);
    case "q": return qCell(r.conversion.q, alpha);
    case "romi": return romiCell(r);
    case "verdict": return verdict;
    case "alerts": return r.alerts.length ? String(r.alerts.length) : "";
    case "bar": return "";
  }
}

/** Pads or cuts a cell to its column. */
export function padCell(s: string, c: Column): string {
  const t = fit(s, c.width);
  return c.align === "left" ? t.padEnd(c.width) : t.padStart(c.width);
}
