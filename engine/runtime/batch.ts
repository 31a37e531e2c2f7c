/**
 * Deciding a window for a whole customer base: what `run` and `simulate` do
 * once the data is in memory. Customers are independent, so this is a loop
 * over them (and would shard by customer id); the log is then put in its
 * deterministic order (see `order.ts`).
 */
import type { EventRecord, RfmScores, Value } from "../../language/values.ts";
import { advance, type TimedDecision } from "./customer.ts";
import { resolveTimezone, timezoneStats, type TimezoneStats } from "./customers.ts";
import { sortDecisions } from "./order.ts";
import type { Program } from "./program.ts";
import { emptyState, type CustomerState } from "./state.ts";

/** Customers and their events, in memory. */
export interface BatchData {
  /** Attributes by customer id, `customer_id` included. */
  customers: Map<string, Record<string, Value>>;
  /** Events by customer id, each list sorted by ts ascending. */
  events: Map<string, EventRecord[]>;
  /** RFM scores by customer id as of the window end, when the workspace has `rfm`. */
  rfm?: Map<string, RfmScores | null>;
}

/** What a window produced. */
export interface BatchResult {
  decisions: TimedDecision[];
  timezones: TimezoneStats;
}

/**
 * Decides `(from, to]` for every customer, updating `states` (a missing entry
 * is an empty state; the map gains entries for customers with something to
 * remember). `reportDeferred` writes `deferred` lines for candidates still
 * waiting at `to`.
 */
export function decideWindow(
  p: Program,
  data: BatchData,
  states: Map<string, CustomerState>,
  from: number,
  to: number,
  reportDeferred: boolean,
): BatchResult {
  const timezones = timezoneStats();
  const decisions: TimedDecision[] = [];
  const none: EventRecord[] = [];
  const ids = [...data.customers.keys()].sort();
  for (const id of ids) {
    const attrs = data.customers.get(id)!;
    const state = states.get(id) ?? emptyState();
    const tz = resolveTimezone(attrs, p.defaultTz, timezones);
    const out = advance(p, { id, attrs, events: data.events.get(id) ?? none, tz, rfm: data.rfm?.get(id) ?? null }, state, from, to, { reportDeferred });
    for (const d of out) decisions.push(d);
    if (state.history.length || state.pending.length || state.activeCadence || Object.keys(state.segments).length) states.set(id, state);
  }
  return { decisions: sortDecisions(decisions), timezones };
}
