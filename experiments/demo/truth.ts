/**
 * The true effect of every rule, from the simulation's bookkeeping: each
 * first entry (the report's unit) gets both potential outcomes — converted
 * within `(entered_at, entered_at + attribution]` without the rule's messages
 * to that customer (Y0) and with them (Y1) — from the same orders and the
 * same effect draws, whether the customer was treated (sends) or held out
 * (ghosts). All the rule's messages to the customer count, not only the
 * first entry's: assignment is per customer, so later entries' messages in
 * the window are part of what the comparison measures. The truth is the mean
 * of Y1 − Y0 over all first entries: what the report's conversion lift estimates.
 *
 * What it leaves out, on purpose: knock-on effects of an extra order on the
 * engine's later decisions (an order ends cadences and pauses messages); they
 * touch later steps only, and both arms' first-entry windows little.
 */
import type { Decision } from "../../engine/decision.ts";
import type { EffectDraw, OrderNote } from "./simulate.ts";

/** Truth per rule. */
export interface RuleTruth {
  rule: string;
  /** The effect parameter δ given to the world. */
  delta: number;
  /** Mean of Y1 − Y0 over first entries: the true conversion lift. */
  conversion_lift: number;
  entries: number;
}

/** Computes the truth of every rule that has entries. */
export function truthOf(decisions: Decision[], orders: OrderNote[], draws: EffectDraw[], effects: Record<string, number>, attribution: number): RuleTruth[] {
  const first = new Map<string, { rule: string; customer: string; at: number; entry: string; variant: string }>();
  for (const d of decisions) {
    const k = `${d.rule}\u0000${d.customer_id}`;
    const at = Date.parse(d.entered_at);
    const prev = first.get(k);
    if (!prev || at < prev.at || (at === prev.at && (d.variant < prev.variant || (d.variant === prev.variant && d.entry_id < prev.entry)))) {
      first.set(k, { rule: d.rule, customer: d.customer_id, at, entry: d.entry_id, variant: d.variant });
    }
  }
  const ordersOf = new Map<string, OrderNote[]>();
  for (const o of orders) {
    let l = ordersOf.get(o.customer);
    if (!l) ordersOf.set(o.customer, (l = []));
    l.push(o);
  }
  // The unit is the customer's assignment in the rule, so every message of the rule to the customer
  // counts as its treatment (later entries of the same customer fall in the same window).
  const entriesOf = new Map<string, Set<string>>();
  for (const d of decisions) {
    const k = `${d.rule}\u0000${d.customer_id}`;
    let s = entriesOf.get(k);
    if (!s) entriesOf.set(k, (s = new Set()));
    s.add(d.entry_id);
  }
  const drawsOf = new Map<string, EffectDraw[]>();
  for (const d of draws) {
    const k = `${d.rule}\u0000${d.customer}`;
    let l = drawsOf.get(k);
    if (!l) drawsOf.set(k, (l = []));
    l.push(d);
  }
  const sum = new Map<string, { effect: number; n: number }>();
  for (const f of first.values()) {
    const inWindow = (ts: number) => ts > f.at && ts <= f.at + attribution;
    const key = `${f.rule}\u0000${f.customer}`;
    const ownEntries = entriesOf.get(key)!;
    const mine = (entry: string | null) => entry !== null && ownEntries.has(entry);
    const own = drawsOf.get(key) ?? [];
    const os = (ordersOf.get(f.customer) ?? []).filter((o) => inWindow(o.ts));
    // Without the rule's messages: every order they did not cause, including those they cancelled.
    const y0 = os.some((o) => !mine(o.causedBy) && (o.cancelledBy === null || mine(o.cancelledBy)));
    let y1: boolean;
    if (f.variant === "treatment") y1 = os.some((o) => o.cancelledBy === null);
    else {
      const wouldCancel = new Set(own.filter((d) => d.kind === "cancel" && d.orderTs !== null).map((d) => d.orderTs));
      y1 =
        os.some((o) => o.cancelledBy === null && !wouldCancel.has(o.ts)) ||
        own.some((d) => d.kind === "extra" && d.orderTs !== null && inWindow(d.orderTs));
    }
    const s = sum.get(f.rule) ?? { effect: 0, n: 0 };
    s.effect += Number(y1) - Number(y0);
    s.n++;
    sum.set(f.rule, s);
  }
  return [...sum.entries()]
    .sort((a, b) => a[0].localeCompare(b[0]))
    .map(([rule, s]) => ({ rule, delta: effects[rule] ?? 0, conversion_lift: s.effect / s.n, entries: s.n }));
}
