/**
 * What the runtime remembers about one customer between instants, runs and
 * API calls: the contact history (caps), candidates not yet decided (later
 * cadence steps, queued or moved messages), segment membership (enter/leave)
 * and the exclusive cadence in progress. Plain data, so the `--state` file can
 * store it as JSON per customer and the API can keep it in a Map.
 */
import type { EventRecord } from "../../language/values.ts";
import type { ContactRecord } from "./caps.ts";
import { nameRecord } from "./records.ts";

/** A candidate message waiting to be decided. */
export interface Pending {
  rule: string;
  /** 1-based step. */
  step: number;
  enteredAt: number;
  variant: "treatment" | "holdout";
  /**
   * The arm of a rule with `variants` (issue 18), assigned at entry and kept for the whole
   * entry (a weight changed mid-cadence does not move it); absent or null without variants.
   */
  arm?: string | null;
  /** When it is next looked at. */
  due: number;
  /** When the step was due in the first place; `expires` and `queue` count from here. */
  planned: number;
  /** True once the entry passed who/unless/exclusivity (set on the first step). */
  entered: boolean;
  /** True once the entry passed who/unless (checked once, at the first step's due time, even when it is then blocked). */
  admitted?: boolean;
  /** Why it waits, when it was put back: `queue` (caps), `hours` (send hours), `blocked`. */
  waiting: "queue" | "hours" | "blocked" | null;
  /** True once it has waited in the queue (the send's reason then says how long). */
  queued: boolean;
  trigger?: EventRecord;
  /** Set once a `deferred` line was written for it: a later run logs only its final status. */
  deferredLogged?: boolean;
  /** Send time of the previous step when it went out (sent or ghost), for `delivered(previous)`. */
  prevSentAt: number | null;
}

/** One customer's remembered state. */
export interface CustomerState {
  history: ContactRecord[];
  pending: Pending[];
  segments: Record<string, boolean>;
  /** `entry_id` of the exclusive cadence in progress, if any. */
  activeCadence: string | null;
}

/** A customer who has never been seen. */
export function emptyState(): CustomerState {
  return { history: [], pending: [], segments: nameRecord(), activeCadence: null };
}

/**
 * A state read back from JSON (the `--state` file, a copy): its name-keyed
 * record becomes a name record again (records.ts), so a segment named
 * `constructor` or `__proto__` is remembered like any other.
 */
export function reviveState(s: CustomerState): CustomerState {
  s.segments = nameRecord(s.segments);
  return s;
}

/** The state is "empty" when there is nothing worth storing. */
export function isEmptyState(s: CustomerState): boolean {
  return s.history.length === 0 && s.pending.length === 0 && Object.keys(s.segments).length === 0 && s.activeCadence === null;
}
