/**
 * Holdout assignment for the engine (contract.md, "Holdout assignment").
 *
 * The hash itself lives in `holdout-hash.ts` (re-exported by experiments/) so the report and the
 * engine can never disagree on who is held out; this file adds what only the
 * engine needs: the GrowthBook hash in both versions (v1 is kept only so the
 * peer test cases can be checked whole) and the per-rule assignment that
 * folds in the workspace's global holdout.
 */
import { fnv1a32, holdoutBucket, GLOBAL_SALT } from "./holdout-hash.ts";
import type { Rule, Workspace } from "../../language/ast.ts";

export { fnv1a32, holdoutBucket, GLOBAL_SALT };

/**
 * GrowthBook's `hash(seed, value, version)`: v2 is our assignment
 * (`fnv1a32(String(fnv1a32(seed + value))) % 10000 / 10000`), v1 is
 * `fnv1a32(value + seed) % 1000 / 1000`; any other version gives null.
 */
export function growthbookHash(seed: string, value: string, version: number): number | null {
  if (version === 2) return holdoutBucket(seed, value);
  if (version === 1) return (fnv1a32(value + seed) % 1000) / 1000;
  return null;
}

/** Why a customer is in a rule's holdout group, or that they are treated. */
export interface Assignment {
  variant: "treatment" | "holdout";
  /** True when the global holdout (salt `__global`) put them there. */
  global: boolean;
}

/**
 * The variant of one customer in one rule: the global holdout first (those
 * customers are ghosted everywhere), then the rule's own share under its salt.
 * Raising a share only moves customers from treatment to holdout because the
 * bucket does not depend on the share.
 */
export function assign(ws: Workspace, rule: Rule, customerId: string): Assignment {
  const g = ws.defaults.globalHoldout;
  if (g > 0 && holdoutBucket(GLOBAL_SALT, customerId) < g) return { variant: "holdout", global: true };
  const share = rule.holdout ?? ws.defaults.holdout;
  if (share > 0 && holdoutBucket(rule.salt || rule.id, customerId) < share) return { variant: "holdout", global: false };
  return { variant: "treatment", global: false };
}
