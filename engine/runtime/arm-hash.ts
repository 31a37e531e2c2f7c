/**
 * Arm assignment for rule- and step-level `variants` (issue 18, section 1):
 * GrowthBook's hash v2 (holdout-hash.ts) under a salt of its own, so a
 * customer's arm is independent of the holdout. Arms take cumulative ranges of
 * the bucket in declaration order, in basis points (no float drift at the
 * edges): arm i owns [c(i-1), c(i)). A bucket exactly at a cumulative boundary
 * belongs to the NEXT arm (ranges are half-open, as the holdout's `<`).
 * Raising one weight shifts only the boundaries after it, so only the
 * customers between the old and the new boundary change arm.
 */
import { fnv1a32 } from "./holdout-hash.ts";
import type { Rule } from "../../language/ast.ts";
import { armsOf, contentStep } from "../../language/variants.ts";

/** The salt of a rule's arms (the holdout uses the rule name alone). */
export function armSalt(rule: string, step?: string): string {
  return step === undefined ? `${rule}::arm` : `${rule}::${step}::arm`;
}

/** The bucket of a customer for a salt as an integer in [0, 10000). */
export function armBucket(salt: string, customerId: string): number {
  return fnv1a32(String(fnv1a32(salt + customerId))) % 10000;
}

/** A weight (fraction) in basis points. */
export function basisPoints(weight: number): number {
  return Math.round(weight * 10000);
}

/** The index of the arm owning `bucket` for weights (fractions summing to 1). */
export function armForBucket(bucket: number, weights: readonly number[]): number {
  let upper = 0;
  for (let i = 0; i < weights.length; i++) {
    upper += basisPoints(weights[i]!);
    if (bucket < upper) return i;
  }
  return weights.length - 1;
}

/** The arm name of a treated customer: arms in declaration order with their weights. */
export function assignArm(salt: string, customerId: string, arms: readonly { name: string; weight: number }[]): string {
  return arms[armForBucket(armBucket(salt, customerId), arms.map((a) => a.weight))]!.name;
}

/** The salt of a rule's arms: `RULE::arm`, or `RULE::STEP::arm` for one step's content variants. */
export function ruleArmSalt(rule: Rule): string {
  const k = contentStep(rule);
  return k === null ? armSalt(rule.id) : armSalt(rule.id, String(k));
}

/** The arm of a customer in a rule (treated or held out alike: the hash ignores the holdout), or null without variants. */
export function armOf(rule: Rule, customerId: string): string | null {
  const arms = armsOf(rule);
  return arms ? assignArm(ruleArmSalt(rule), customerId, arms) : null;
}
