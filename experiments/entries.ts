/**
 * From decision-log lines to the units of the analysis: per rule, each
 * customer's first entry in the period (its time, its variant, whether the
 * entry got an offer), plus what the money and funnel sections need (sends by
 * channel, every send for matching delivery feedback).
 *
 * Layout is columnar on purpose: customers and channels are interned to small
 * integers once, and entries and sends live in growable typed arrays, not in
 * a million small objects — the report over 1M entries is bound by memory
 * traffic and garbage collection, and this is what keeps it within its budget.
 */
import type { Decision } from "../engine/decision.ts";
import { armKey, groupKey } from "./arms.ts";

/** The fields of a decision the report reads. */
export type DecisionFields = Pick<Decision, "customer_id" | "rule" | "step" | "entry_id" | "entered_at" | "variant" | "arm" | "status" | "channel" | "send_at">;

type Typed = Int32Array | Float64Array | Uint8Array;

/** `a`, or a copy with room for at least `need` elements (doubling). */
export function grow<T extends Typed>(a: T, need: number): T {
  if (need <= a.length) return a;
  const b = new (a.constructor as new (n: number) => T)(Math.max(need, a.length * 2, 16));
  b.set(a as never);
  return b;
}

/** Every `send` of a rule, column by column; `seen` is the bitmask of feedback kinds matched to it. */
export interface Sends {
  n: number;
  customer: Int32Array;
  step: Int32Array;
  channel: Int32Array;
  /** epoch ms (send_at, else entered_at) */
  at: Float64Array;
  seen: Uint8Array;
}

/** Everything gathered for one rule. Entry i is (customer[i], enteredAt[i], treated[i]). */
export interface RuleEntries {
  rule: string;
  n: number;
  /** customer index → entry index + 1 (0: none yet). */
  slot: Int32Array;
  customer: Int32Array;
  enteredAt: Float64Array;
  treated: Uint8Array;
  /** Entry ids of first entries (to break ties in time, and to price offers). */
  entryId: string[];
  /** Entry ids in which a step carrying an offer was sent → the offer's cost. */
  offerEntries: Map<string, number>;
  /** channel name → number of sends. */
  sendsByChannel: Map<string, number>;
  sends: Sends;
}

/** All entries of a log. */
export interface EntryTable {
  /** Rule → step → offer cost (from the config), so only offer sends are remembered by entry. */
  offers: Map<string, Map<number, number>>;
  customers: string[];
  customerIndex: Map<string, number>;
  channels: string[];
  channelIndex: Map<string, number>;
  rules: Map<string, RuleEntries>;
  /** Rule → its `holdout_group` (issue 18 §5): each line also counts for the family's line (`armKeys`). */
  groups?: Map<string, string>;
}

/** An empty table to `addDecision` into. */
export function newEntryTable(offers: Map<string, Map<number, number>> = new Map(), groups?: Map<string, string>): EntryTable {
  return { offers, customers: [], customerIndex: new Map(), channels: [], channelIndex: new Map(), rules: new Map(), ...(groups?.size ? { groups } : {}) };
}

/** The integer of a customer id, assigning the next one on first sight. */
export function internCustomer(t: EntryTable, id: string): number {
  let i = t.customerIndex.get(id);
  if (i === undefined) {
    i = t.customers.length;
    t.customers.push(id);
    t.customerIndex.set(id, i);
  }
  return i;
}

function internChannel(t: EntryTable, name: string): number {
  let i = t.channelIndex.get(name);
  if (i === undefined) {
    i = t.channels.length;
    t.channels.push(name);
    t.channelIndex.set(name, i);
  }
  return i;
}

const timeCache = new Map<string, number>();
/** Parses the log's ISO times; entries share few distinct instants, so a small cache pays. */
export function parseTime(iso: string): number {
  let t = timeCache.get(iso);
  if (t === undefined) {
    t = Date.parse(iso);
    if (timeCache.size > 100_000) timeCache.clear();
    timeCache.set(iso, t);
  }
  return t;
}

function newRule(t: EntryTable, rule: string): RuleEntries {
  return {
    rule, n: 0, slot: new Int32Array(0), customer: new Int32Array(0), enteredAt: new Float64Array(0), treated: new Uint8Array(0),
    entryId: [], offerEntries: new Map(), sendsByChannel: new Map(),
    sends: { n: 0, customer: new Int32Array(0), step: new Int32Array(0), channel: new Int32Array(0), at: new Float64Array(0), seen: new Uint8Array(0) },
  };
}

/** Whether entry (at, treated, id) comes before entry (at2, treated2, id2): by time, then holdout before treatment, then id. */
function earlier(at: number, treated: number, id: string, at2: number, treated2: number, id2: string): boolean {
  if (at !== at2) return at < at2;
  if (treated !== treated2) return treated < treated2;
  return id < id2;
}

/**
 * Adds one decision. The first entry is the earliest `entered_at` of the
 * customer in the rule, ties broken by variant (holdout first) and then by
 * entry id, as DuckDB's path does: whatever order the log has, the same
 * entry. Its variant is the entry's assignment, whatever the status.
 */
export function addDecision(t: EntryTable, d: DecisionFields): void {
  // An arm's line and a holdout group's line are rules of their own to the report (arms.ts).
  if (d.arm) addDecision(t, { ...d, rule: armKey(d.rule, d.arm), arm: null });
  const g = t.groups?.get(d.rule);
  if (g !== undefined) addDecision(t, { ...d, rule: groupKey(g), arm: null });
  let r = t.rules.get(d.rule);
  if (!r) t.rules.set(d.rule, (r = newRule(t, d.rule)));
  const c = internCustomer(t, d.customer_id);
  const at = parseTime(d.entered_at);
  if (c >= r.slot.length) r.slot = grow(r.slot, c + 1);
  const s = r.slot[c]!;
  if (s === 0) {
    const i = r.n++;
    if (r.n > r.customer.length) {
      r.customer = grow(r.customer, r.n);
      r.enteredAt = grow(r.enteredAt, r.n);
      r.treated = grow(r.treated, r.n);
    }
    r.customer[i] = c;
    r.enteredAt[i] = at;
    r.treated[i] = d.variant === "treatment" ? 1 : 0;
    r.slot[c] = i + 1;
    r.entryId[i] = d.entry_id;
  } else if (earlier(at, d.variant === "treatment" ? 1 : 0, d.entry_id, r.enteredAt[s - 1]!, r.treated[s - 1]!, r.entryId[s - 1]!)) {
    r.enteredAt[s - 1] = at;
    r.treated[s - 1] = d.variant === "treatment" ? 1 : 0;
    r.entryId[s - 1] = d.entry_id;
  }
  if (d.status === "send") {
    const ch = d.channel ?? "(none)";
    r.sendsByChannel.set(ch, (r.sendsByChannel.get(ch) ?? 0) + 1);
    const offer = t.offers.get(d.rule)?.get(d.step);
    if (offer !== undefined) r.offerEntries.set(d.entry_id, (r.offerEntries.get(d.entry_id) ?? 0) + offer);
    const S = r.sends;
    const k = S.n++;
    if (S.n > S.customer.length) {
      S.customer = grow(S.customer, S.n);
      S.step = grow(S.step, S.n);
      S.channel = grow(S.channel, S.n);
      S.at = grow(S.at, S.n);
      S.seen = grow(S.seen, S.n);
    }
    S.customer[k] = c;
    S.step[k] = d.step;
    S.channel[k] = internChannel(t, ch);
    S.at[k] = d.send_at ? parseTime(d.send_at) : at;
  }
}
