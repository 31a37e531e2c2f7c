/**
 * The TUI's pure logic: what a rule's verdict is, how the overview sorts and
 * filters, and which rows fit on screen. Kept apart from the React components
 * so it is tested without rendering and the components stay layout only.
 */
import type { Report, RuleReport } from "../../experiments/report-types.ts";
import { significantSide, type Side } from "./bar.ts";

/** What an analyst should take away from a rule at a glance. */
export type Verdict = "works" | "harms" | "unclear" | "underpowered" | "srm" | "noholdout";

/**
 * A relative MDE above this share of the holdout's conversion means the test
 * cannot see effects of a size CRM messages usually have (docs/tui.md).
 */
export const UNDERPOWERED_REL_MDE = 0.15;

/**
 * The verdict of one rule. SRM comes first: with a broken split the lift
 * cannot be trusted whatever its q (and a rule meant to hold some out that
 * held none out is a broken split). Then a rule with nobody held out: no
 * amount of waiting measures it. Then significance, read as the bar draws it
 * (`significantSide`: q < alpha and the interval clear of zero on that side);
 * a non-significant rule is "underpowered" when its minimum detectable effect
 * is large, else "unclear".
 */
export function verdictOf(r: RuleReport, alpha: number): Verdict {
  if (r.srm_flag) return "srm";
  if (r.entries.holdout === 0 || r.holdout_share === 0) return "noholdout";
  // The report's "too few conversions to judge" is never "works", whatever q says.
  if (r.conversion.verdict === "too_few_conversions") return "underpowered";
  // Sequential mode before the counts the confidence sequence needs: nothing to judge yet.
  if (r.conversion.too_early) return "underpowered";
  const c = r.conversion;
  const side = significantSide(r, alpha);
  if (side !== 0) return side > 0 ? "works" : "harms";
  const mde = c.mde ?? null;
  if (mde !== null && c.holdout > 0 && mde / c.holdout > UNDERPOWERED_REL_MDE) return "underpowered";
  if (mde === null && r.entries.holdout < 100) return "underpowered";
  return "unclear";
}

/**
 * The side of zero a verdict stands for, as the overview's bar draws it: only
 * works and HARMS draw a solid interval clear of zero; every other verdict
 * (SRM included: its lift is not to be trusted) draws such an interval dotted.
 */
export function verdictSide(v: Verdict): Side {
  return v === "works" ? 1 : v === "harms" ? -1 : 0;
}

/** Short labels; written words, not colours alone, so NO_COLOR loses nothing. */
export const VERDICT_LABEL: Record<Verdict, string> = {
  works: "works",
  harms: "HARMS",
  unclear: "unclear",
  underpowered: "low pwr",
  srm: "SRM!",
  noholdout: "no holdout",
};

/** Sort keys of the overview, in the order `s` cycles through them. */
export const SORT_KEYS = ["lift", "q", "entries", "romi", "name"] as const;
export type SortKey = (typeof SORT_KEYS)[number];

/** Default direction per key: the most interesting rows first. */
const DESCENDING: Record<SortKey, boolean> = { lift: true, q: false, entries: true, romi: true, name: false };

function sortValue(r: RuleReport, key: SortKey): number | string | null {
  switch (key) {
    case "lift": return r.conversion.lift_rel ?? r.conversion.lift_abs;
    case "q": return r.conversion.q;
    case "entries": return r.entries.treatment + r.entries.holdout;
    case "romi": return r.romi;
    case "name": return r.rule;
  }
}

/**
 * Rules sorted by `key` (nulls always last, ties by rule id so the order is
 * deterministic), `reversed` flipping the key's default direction.
 */
export function sortRules(rules: readonly RuleReport[], key: SortKey, reversed = false): RuleReport[] {
  const desc = DESCENDING[key] !== reversed;
  return [...rules].sort((a, b) => {
    const va = sortValue(a, key), vb = sortValue(b, key);
    if (va === null && vb !== null) return 1;
    if (vb === null && va !== null) return -1;
    if (va !== null && vb !== null && va !== vb) {
      const cmp = typeof va === "string" ? va.localeCompare(String(vb)) : (va as number) - (vb as number);
      return desc ? -cmp : cmp;
    }
    return a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0;
  });
}

/**
 * Rules matching a filter typed after `/`: every word must appear in the rule
 * id, its verdict label or its alert kinds (so `/harms` or `/srm` work too).
 */
export function filterRules(rules: readonly RuleReport[], filter: string, alpha: number): RuleReport[] {
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...rules];
  return rules.filter((r) => {
    const hay = [r.rule, verdictOf(r, alpha), VERDICT_LABEL[verdictOf(r, alpha)], ...r.alerts.map((a) => a.kind)].join(" ").toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}

/** The first row to show so that `selected` is visible in a window of `rows`. */
export function scrollTop(current: number, selected: number, rows: number): number {
  if (rows <= 0) return 0;
  if (selected < current) return selected;
  if (selected >= current + rows) return selected - rows + 1;
  return current;
}

/** The rows the overview lists: sorted, then filtered. */
export function visibleRules(report: Report, key: SortKey, reversed: boolean, filter: string): RuleReport[] {
  return filterRules(sortRules(report.rules, key, reversed), filter, report.alpha);
}

/** The R×F grid of `playbook segments`: customers per recency and frequency score. */
export interface RfmGrid {
  scores: number;
  /** counts[r-1][f-1]. */
  counts: number[][];
  /** Customers without a goal event in the window (no score). */
  unscored: number;
  /** Optional names of the segments each cell falls in, for the legend. */
  labels?: string[][];
}
