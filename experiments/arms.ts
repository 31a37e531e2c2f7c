/**
 * Arms and holdout groups in the report (issue 18 §1 and §5). Both are measured
 * as rules of their own, filled by both producers from the same decision lines:
 *
 * - an arm's line `RULE/ARM` holds the rule's lines whose `arm` is ARM, treated and
 *   held out alike. Held-out lines carry the arm their arm hash gives (the journey
 *   the ghost stands for), and the arm hash is independent of the holdout's, so each
 *   arm is compared with an independent random part of the holdout: like with like.
 * - a holdout group's line `group:NAME` holds every line of the family's rules; its
 *   first entry per customer is the customer's first entry into any of them, and the
 *   shared salt puts the same customers in the holdout of all of them.
 *
 * Rule names are letters, digits and `_`, so neither key can be a rule's. This file
 * adds what only arms have: the arms against each other and SRM across arms.
 */
import type { CompareOptions } from "./compare.ts";
import { compareMetric } from "./compare.ts";
import type { ArmComparison, ArmsReport, RuleReport } from "./report-types.ts";
import { chiSquareUpper } from "./stats/dist.ts";
import { SRM_THRESHOLD } from "./stats/srm.ts";
import type { RuleAggregate } from "./aggregates.ts";

/** The report's rule key of one arm. */
export function armKey(rule: string, arm: string): string {
  return `${rule}/${arm}`;
}

/** The report's rule key of a holdout group's family line. */
export function groupKey(group: string): string {
  return `group:${group}`;
}

/** True for the keys of arms and holdout groups (not rules of the workspace). */
export function isDerivedKey(key: string): boolean {
  return key.includes("/") || key.startsWith("group:");
}

/**
 * Pearson's chi-square of the treated entries per arm against the weights, k − 1
 * degrees of freedom; null without entries or with fewer than two arms of weight.
 */
export function armSrmPValue(counts: readonly number[], weights: readonly number[]): number | null {
  const n = counts.reduce((s, c) => s + c, 0);
  const used = weights.map((w, i) => [w, counts[i]!] as const).filter(([w]) => w > 0);
  if (n === 0) return null;
  // An arm of weight 0 with entries is a mismatch the test cannot weigh: report it as certain.
  if (weights.some((w, i) => w === 0 && counts[i]! > 0)) return 0;
  if (used.length < 2) return null;
  const chi2 = used.reduce((s, [w, c]) => s + (c - n * w) ** 2 / (n * w), 0);
  return chiSquareUpper(chi2, used.length - 1);
}

/**
 * The arms section of one rule: each arm's own line (against its part of the holdout,
 * already built by the caller), SRM across arms, and every pair of arms compared on
 * conversion and revenue per customer (treated customers only). `winner` is settled
 * once BH has given q (`settleArmWinners`).
 */
export function armsReport(rule: string, arms: { name: string; weight: number }[], lines: Map<string, RuleReport>, aggs: Map<string, RuleAggregate>, co: CompareOptions): ArmsReport {
  const present = arms.filter((a) => aggs.has(armKey(rule, a.name)));
  const counts = arms.map((a) => aggs.get(armKey(rule, a.name))?.treat.conv.n ?? 0);
  const srm = armSrmPValue(counts, arms.map((a) => a.weight));
  const comparisons: ArmComparison[] = [];
  for (let i = 0; i < present.length; i++) {
    for (let j = i + 1; j < present.length; j++) {
      const a = aggs.get(armKey(rule, present[i]!.name))!;
      const b = aggs.get(armKey(rule, present[j]!.name))!;
      // b's treated as the baseline, a's as the treatment: lift_abs > 0 means a is better.
      comparisons.push({
        a: present[i]!.name,
        b: present[j]!.name,
        conversion: compareMetric(b.treat.conv, a.treat.conv, { ...co, cuped: false, binary: true }).metric,
        revenue_per_customer: compareMetric(b.treat.rev, a.treat.rev, { ...co, cuped: false }).metric,
        winner: null,
      });
    }
  }
  return {
    rule,
    weights: Object.fromEntries(arms.map((a) => [a.name, a.weight])),
    treated: Object.fromEntries(arms.map((a, i) => [a.name, counts[i]!])),
    srm_p: srm,
    srm_flag: srm !== null && srm < SRM_THRESHOLD,
    arms: present.map((a) => lines.get(armKey(rule, a.name))!),
    comparisons,
  };
}

/** "winner" only when the comparison says so: conversion's q below alpha, and no SRM across arms. */
export function settleArmWinners(r: ArmsReport, alpha: number): void {
  for (const c of r.comparisons) {
    const m = c.conversion;
    c.winner = !r.srm_flag && m.q !== null && m.q < alpha && m.lift_abs !== null && m.lift_abs !== 0 ? (m.lift_abs > 0 ? c.a : c.b) : null;
  }
}
