/**
 * The in-memory feature path: the same features as the SQL scan, from one
 * customer's events, for the library API and small tests. Each feature is the
 * compiled closure of its own aggregate node (engine/compile), which is
 * property-tested equal to the reference evaluator; the SQL scan is
 * property-tested equal to this (test/engine/features.test.ts).
 */
import type { Workspace } from "../../language/ast.ts";
import type { EvalEnv, EventRecord, RfmScores, Value } from "../../language/values.ts";
import { compileExpr, type CompiledExpr } from "../compile/closure.ts";
import type { FeaturePlan } from "./plan.ts";
import { nameRecord } from "../runtime/records.ts";

/** Computes the plan's precomputable features for one customer at `now`. */
export type FeatureFn = (customer: Record<string, Value>, events: readonly EventRecord[], now: number, rfm?: RfmScores | null) => Record<string, Value>;

/** Compiles the plan's features once; the result computes them for any customer. */
export function memoryFeatures(plan: FeaturePlan, ws: Workspace): FeatureFn {
  const fns: [string, CompiledExpr][] = plan.scan.map((f) => [f.key, compileExpr(f.node, ws)]);
  return (customer, events, now, rfm = null) => {
    const env: EvalEnv = { now, customer, events, rfm, segments: nameRecord<boolean>() };
    const out = nameRecord<Value>();
    for (const [key, fn] of fns) out[key] = fn(env);
    return out;
  };
}
