/**
 * From decision-log lines to the units of the analysis: per rule, each
 * customer's first entry in the period (its time, its variant, whether the
 * entry got an offer), plus what the money and funnel sections need (sends by
 * channel, the send of every message for matching delivery feedback).
 *
 * Customers are interned to small integers once, here, so every later pass
 * (outcome windows, daily series, global holdout) indexes typed arrays
 * instead of hashing strings — that is what keeps a million entries fast.
 */
import type { Decision } from "../engine/decision.ts";

/** The fields of a decision the report reads. */
export type DecisionFields = Pick<Decision, "customer_id" | "rule" | "step" | "entry_id" | "entered_at" | "variant" | "status" | "channel" | "send_at">;

/** A customer's first entry into a rule. */
export interface FirstEntry {
  customer: number;
  /** epoch ms */
  enteredAt: number;
  entryId: string;
  treated: boolean;
}

/** One `send` decision, for funnels: feedback events are matched to it. */
export interface SendRecord {
  customer: number;
  step: number;
  channel: string;
  /** epoch ms (send_at, else entered_at). */
  at: number;
  /** Bitmask of feedback kinds seen for this message (see `FEEDBACK_BITS`). */
  seen: number;
}

/** Everything gathered for one rule. */
export interface RuleEntries {
  rule: string;
  /** customer index → first entry. */
  first: Map<number, FirstEntry>;
  /** Entry ids in which a step carrying an offer was sent → the offer's cost. */
  offerEntries: Map<string, number>;
  /** channel → number of sends. */
  sendsByChannel: Map<string, number>;
  sends: SendRecord[];
}

/** All entries of a log. */
export interface EntryTable {
  /** Rule → step → offer cost (from the config), so only offer sends are remembered by entry. */
  offers: Map<string, Map<number, number>>;
  customers: string[];
  customerIndex: Map<string, number>;
  rules: Map<string, RuleEntries>;
}

/** An empty table to `addDecision` into. */
export function newEntryTable(offers: Map<string, Map<number, number>> = new Map()): EntryTable {
  return { offers, customers: [], customerIndex: new Map(), rules: new Map() };
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

/**
 * Adds one decision. The first entry is the earliest `entered_at` of the
 * customer in the rule (ties: the smaller entry id), whatever order the log
 * has; its variant is the entry's assignment, whatever the status.
 */
export function addDecision(t: EntryTable, d: DecisionFields): void {
  let r = t.rules.get(d.rule);
  if (!r) {
    r = { rule: d.rule, first: new Map(), offerEntries: new Map(), sendsByChannel: new Map(), sends: [] };
    t.rules.set(d.rule, r);
  }
  const c = internCustomer(t, d.customer_id);
  const at = parseTime(d.entered_at);
  const prev = r.first.get(c);
  if (!prev || at < prev.enteredAt || (at === prev.enteredAt && d.entry_id < prev.entryId)) {
    r.first.set(c, { customer: c, enteredAt: at, entryId: d.entry_id, treated: d.variant === "treatment" });
  }
  if (d.status === "send") {
    const ch = d.channel ?? "(none)";
    r.sendsByChannel.set(ch, (r.sendsByChannel.get(ch) ?? 0) + 1);
    const offer = t.offers.get(d.rule)?.get(d.step);
    if (offer !== undefined) r.offerEntries.set(d.entry_id, (r.offerEntries.get(d.entry_id) ?? 0) + offer);
    r.sends.push({ customer: c, step: d.step, channel: ch, at: d.send_at ? parseTime(d.send_at) : at, seen: 0 });
  }
}

/** Entries of a rule as parallel arrays, sorted by entry time (then customer) so output is deterministic. */
export function sortedEntries(r: RuleEntries): FirstEntry[] {
  return [...r.first.values()].sort((a, b) => a.enteredAt - b.enteredAt || a.customer - b.customer);
}
