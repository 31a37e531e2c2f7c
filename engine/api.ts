/**
 * The library API (issue 4, item 5): an engine kept in memory by a backend
 * that reacts to events as they happen. `decide(customerId, event, now)`
 * appends the event to the customer's history and decides everything due for
 * that customer since the previous call, returning the new decisions and
 * remembering contact history and cadence progress in memory.
 *
 * Customer attributes come from `options.customers` or `upsertCustomer`;
 * an unknown customer is decided with no attributes (every one null).
 */
import type { Workspace } from "../language/ast.ts";
import type { EventRecord, RfmScores, Value } from "../language/values.ts";
import type { Decision } from "./decision.ts";
import { advance, type TimedDecision } from "./runtime/customer.ts";
import type { CompileFn } from "./runtime/expr.ts";
import { compileExpr } from "./compile/closure.ts";
import { resolveTimezone, timezoneStats, type TimezoneStats } from "./runtime/customers.ts";
import { buildProgram } from "./runtime/program.ts";
import { emptyState, reviveState, type CustomerState } from "./runtime/state.ts";
import { nameRecord } from "./runtime/records.ts";
import { sortDecisions, stripTime } from "./runtime/order.ts";

/** Options of `createEngine`. */
export interface EngineOptions {
  /** How expressions are compiled; default `compileExpr` (engine/compile/closure.ts). Tests may pass a wrapper of `evaluate`. */
  compile?: CompileFn;
  /** Initial customer attributes by id (`customer_id` is added when absent). */
  customers?: Map<string, Record<string, Value>> | Record<string, Record<string, Value>>;
  /** Initial events by customer id (any order; sorted on load). */
  events?: Map<string, EventRecord[]>;
  /** RFM scores of a customer as of an instant; default: none. */
  rfm?: (customerId: string, events: readonly EventRecord[], now: number) => RfmScores | null;
}

/** An engine deciding for customers one event at a time. */
export interface Engine {
  /**
   * Records `event` (when given) for the customer and returns the decisions
   * due for them in `(previous call, now]`; the first call for a customer
   * looks at `(now − 1 ms, now]` only.
   */
  decide(customerId: string, event: EventRecord | null, now: number): Decision[];
  /** Sets (replaces) a customer's attributes. */
  upsertCustomer(customerId: string, attrs: Record<string, Value>): void;
  /** Candidates of the customer still waiting at `now` (queue, send hours, blocked), as `deferred` lines. */
  pending(customerId: string, now: number): Decision[];
  /** The customer's in-memory state (read-only use). */
  state(customerId: string): CustomerState | undefined;
  /** Customers that fell back to the default time zone. */
  timezoneStats: TimezoneStats;
}

interface Slot {
  attrs: Record<string, Value>;
  events: EventRecord[];
  tz: string;
  state: CustomerState;
  last: number | null;
}

/** Builds an in-memory engine over a checked workspace. */
export function createEngine(ws: Workspace, options: EngineOptions = {}): Engine {
  const program = buildProgram(ws, options.compile ?? ((e) => compileExpr(e, ws)));
  const stats = timezoneStats();
  const slots = new Map<string, Slot>();
  const initial = options.customers instanceof Map ? options.customers : new Map(Object.entries(options.customers ?? {}));
  const slot = (id: string): Slot => {
    let s = slots.get(id);
    if (!s) {
      const attrs = Object.assign(nameRecord<Value>(), initial.get(id), { customer_id: id });
      const events = [...(options.events?.get(id) ?? [])].sort((a, b) => a.ts - b.ts);
      s = { attrs, events, tz: resolveTimezone(attrs, program.defaultTz, stats), state: emptyState(), last: null };
      slots.set(id, s);
    }
    return s;
  };
  const input = (id: string, s: Slot, now: number) => ({
    id, attrs: s.attrs, events: s.events, tz: s.tz, rfm: options.rfm ? options.rfm(id, s.events, now) : null,
  });
  return {
    timezoneStats: stats,
    upsertCustomer(id, attrs) {
      const s = slot(id);
      s.attrs = Object.assign(nameRecord<Value>(), attrs, { customer_id: id });
      s.tz = resolveTimezone(s.attrs, program.defaultTz);
    },
    decide(id, event, now) {
      const s = slot(id);
      if (event) insertSorted(s.events, event);
      const from = s.last ?? now - 1;
      if (now < from) return [];
      // A second event at the instant already decided fires its own triggers only.
      const same = now === from;
      if (same && !event) return [];
      const opts = same ? { reportDeferred: false, onlyEvent: event! } : { reportDeferred: false };
      const out: TimedDecision[] = advance(program, input(id, s, now), s.state, same ? now - 1 : from, now, opts);
      s.last = now;
      return sortDecisions(out).map(stripTime);
    },
    pending(id, now) {
      const s = slots.get(id);
      if (!s) return [];
      const copy = reviveState(structuredClone(s.state));
      return sortDecisions(advance(program, input(id, s, now), copy, now, now, { reportDeferred: true })).map(stripTime);
    },
    state: (id) => slots.get(id)?.state,
  };
}

/** Inserts keeping ts order; events of equal ts keep arrival order. */
function insertSorted(events: EventRecord[], e: EventRecord): void {
  let i = events.length;
  while (i > 0 && events[i - 1]!.ts > e.ts) i--;
  events.splice(i, 0, e);
}
