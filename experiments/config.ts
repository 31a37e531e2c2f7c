/**
 * What the report needs to know about a workspace, pulled out of the AST once:
 * attribution window, goal event, channel and offer costs, expected holdout
 * shares, alert thresholds. The statistics never see the AST, so tests and the
 * Hillstrom example can build a config by hand.
 */
import type { Alerts, Workspace } from "../language/ast.ts";
import { DEFAULT_CAP } from "./stats/capping.ts";
import { armsOf } from "../language/variants.ts";
import { armKey, groupKey } from "./arms.ts";

/** The report's view of a workspace. */
export interface ReportConfig {
  /** ms */
  attribution: number;
  /** The goal event; its `amount` prop is revenue. */
  goal: string;
  /** Prop of the goal event holding revenue. */
  revenueProp: string;
  /** Channel → cost per send. */
  channelCost: Map<string, number>;
  /** Rule → step (1-based) → offer cost per treated conversion. */
  offers: Map<string, Map<number, number>>;
  /** Rule → configured holdout share of that rule (before the global holdout). */
  holdout: Map<string, number>;
  /** Share of customers in the workspace-wide holdout; 0 when none. */
  globalHoldout: number;
  alerts: Alerts;
  /** Rule ids in workspace order: the report lists rules in this order, then any others from the log by name. */
  rules: string[];
  /** Percentile (0–1) of the pooled groups at which revenue is capped, `--cap`; null for none; absent = DEFAULT_CAP (P99). */
  revenueCap?: number | null;
  /** Rule → its arms in declaration order with their weights (issue 18), for rules with `variants`. */
  arms?: Map<string, { name: string; weight: number }[]>;
  /** Rule → its `holdout_group`. */
  groups?: Map<string, string>;
}

/** The report config of a loaded workspace. Rules without a goal fall back to `order_placed`. */
export function configFromWorkspace(ws: Workspace): ReportConfig {
  const offers = new Map<string, Map<number, number>>();
  const holdout = new Map<string, number>();
  const arms = new Map<string, { name: string; weight: number }[]>();
  const groups = new Map<string, string>();
  for (const rule of ws.rules.values()) {
    const h = rule.holdout ?? ws.defaults.holdout;
    holdout.set(rule.id, h);
    const a = armsOf(rule);
    if (a) {
      arms.set(rule.id, a.map((x) => ({ name: x.name, weight: x.weight })));
      // Each arm is compared with the held-out customers whose arm hash gives that arm: the same share held out.
      for (const x of a) holdout.set(armKey(rule.id, x.name), h);
    }
    if (rule.holdoutGroup !== undefined) {
      groups.set(rule.id, rule.holdoutGroup);
      if (!holdout.has(groupKey(rule.holdoutGroup))) holdout.set(groupKey(rule.holdoutGroup), h);
    }
    const perStep = new Map<number, number>();
    for (const step of rule.steps) if (step.offer) perStep.set(step.index, step.offer.cost);
    if (perStep.size) offers.set(rule.id, perStep);
  }
  return {
    attribution: ws.defaults.attribution,
    goal: ws.defaults.goal ?? "order_placed",
    revenueProp: "amount",
    channelCost: new Map([...ws.channels.values()].map((c) => [c.name, c.cost])),
    offers,
    holdout,
    globalHoldout: ws.defaults.globalHoldout,
    alerts: ws.alerts,
    rules: [...ws.rules.keys()],
    arms,
    groups,
  };
}

/** The capping percentile a config asks for (P99 unless set), null for none. */
export function capPercentile(cfg: ReportConfig): number | null {
  return cfg.revenueCap === undefined ? DEFAULT_CAP : cfg.revenueCap;
}

/**
 * The share of a rule's entries expected in its holdout. Global-holdout
 * customers are ghosted everywhere, so they appear as holdout entries of
 * every rule: 1 − (1 − g)(1 − h).
 */
export function expectedHoldoutShare(cfg: ReportConfig, rule: string): number | null {
  const h = cfg.holdout.get(rule);
  if (h === undefined) return null;
  return 1 - (1 - cfg.globalHoldout) * (1 - h);
}

const UNITS: [number, string][] = [
  [7 * 86_400_000, "w"],
  [86_400_000, "d"],
  [3_600_000, "h"],
  [60_000, "m"],
  [1000, "s"],
];

/** A duration in ms as the language writes it (`7d`, `12h`), for the report's `attribution` field. */
export function formatDuration(ms: number): string {
  for (const [size, unit] of UNITS) {
    // Prefer days over weeks: "14d" reads as the window people configured.
    if (unit === "w") continue;
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms / 1000}s`;
}
