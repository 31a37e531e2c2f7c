/**
 * The order of the decision log (contract.md: "in a deterministic order"):
 * by the instant the decision was taken, then customer id, then the
 * arbitration order's tie-breaks that survive across customers (rule id,
 * step, entry). Strings compare by code unit, never by locale.
 */
import type { Decision } from "../decision.ts";
import type { TimedDecision } from "./customer.ts";

function cmpStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Compares two timed decisions in log order. */
export function cmpDecisions(a: TimedDecision, b: TimedDecision): number {
  return a.at - b.at || cmpStr(a.customer_id, b.customer_id) || cmpStr(a.rule, b.rule) || a.step - b.step || cmpStr(a.entry_id, b.entry_id) || cmpStr(a.status, b.status);
}

/** Sorts in place into log order and returns the array. */
export function sortDecisions<T extends TimedDecision>(ds: T[]): T[] {
  return ds.sort(cmpDecisions);
}

/** Drops the internal `at` field. */
export function stripTime(d: TimedDecision): Decision {
  const { at: _at, ...rest } = d;
  return rest;
}
