/**
 * Runtime values and the evaluation environment: what an expression sees about
 * one customer at one instant. The reference evaluator (`evaluator.ts`) and the
 * compiled closures (`engine/`) both take an `EvalEnv`.
 */

/** An event as the engine holds it in memory. */
export interface EventRecord {
  name: string;
  /** epoch ms */
  ts: number;
  props: Record<string, Value>;
}

/** RFM scores of one customer; null when they have no goal event in the window. */
export interface RfmScores {
  r: number;
  f: number;
  m: number;
  /** e.g. "545" */
  cell: string;
}

/**
 * Values: numbers (also durations in ms, percents as fractions, dates and
 * datetimes as epoch ms), strings, booleans, null, lists, event records, RFM.
 */
export type Value = number | string | boolean | null | Value[] | EventRecord | RfmScores;

/** Feedback on the previous step of a cadence, for delivered/opened/clicked(previous). */
export interface PreviousStep {
  delivered: boolean;
  opened: boolean;
  clicked: boolean;
}

/** Everything an expression may read. */
export interface EvalEnv {
  /** The instant of evaluation, epoch ms. Eventsets span `(now - within, now]`. */
  now: number;
  /** Attribute name → value, `customer_id` included. Missing = null. */
  customer: Record<string, Value>;
  /**
   * The customer's events sorted by ts ascending. The reference evaluator scans
   * them (ignoring any with ts > now); compiled code may use `features` instead.
   */
  events: readonly EventRecord[];
  /** Precomputed aggregate values keyed by `featureKey(agg)`, as of `now` (fast path). */
  features?: Record<string, Value>;
  /**
   * Partial aggregates for `events` that start late (a run ships only recent
   * events): for an all-time aggregate over event E, `values[key]` holds its
   * state over E's events up to `cutoffs[E]` (count/sum: a number; avg:
   * `[n, sum]`; min/max: the value or null; first/last: the event or null;
   * exists: a boolean), and `events` holds E's events after that instant.
   * Missing key: no such event up to the cutoff.
   */
  base?: { cutoffs: Record<string, number>; values: Record<string, Value> };
  rfm: RfmScores | null;
  /** The trigger event, whose props are in scope by name and as `EVENT.prop`. */
  trigger?: EventRecord;
  previous?: PreviousStep;
  /** True while the customer is inside any exclusive cadence. */
  inCadence?: boolean;
  /** Segment memberships already known (name → bool); evaluators fill it lazily. */
  segments?: Record<string, boolean>;
}
