/**
 * Goal events indexed for window queries: per customer, the times and amounts
 * of their goal events in time order, in flat typed arrays (a counting sort by
 * customer, then a sort of each customer's short slice). A window
 * `(t, t + attribution]` is two binary searches and a short sum.
 */
import { grow } from "./entries.ts";

/** Goal events of every customer, grouped by customer index and sorted by time. */
export interface GoalIndex {
  /** `start[c]..start[c+1]` is customer c's slice; length = customers + 1. */
  start: Int32Array;
  ts: Float64Array;
  amount: Float64Array;
}

/** Collects goal events (customer index, time, amount) in any order, then builds a `GoalIndex`. */
export class GoalIndexBuilder {
  private c = new Int32Array(1024);
  private t = new Float64Array(1024);
  private a = new Float64Array(1024);
  private n = 0;

  /** Adds one goal event. */
  push(customer: number, ts: number, amount: number): void {
    if (this.n === this.c.length) {
      this.c = grow(this.c, this.n + 1);
      this.t = grow(this.t, this.n + 1);
      this.a = grow(this.a, this.n + 1);
    }
    this.c[this.n] = customer;
    this.t[this.n] = ts;
    this.a[this.n++] = amount;
  }

  /** The number of events pushed so far. */
  get size(): number {
    return this.n;
  }

  /** Builds the index for `customers` customers (indices ≥ that are ignored). */
  build(customers: number): GoalIndex {
    const start = new Int32Array(customers + 1);
    const n = this.n;
    for (let i = 0; i < n; i++) if (this.c[i]! < customers) start[this.c[i]! + 1]!++;
    for (let i = 0; i < customers; i++) start[i + 1]! += start[i]!;
    const fill = start.slice(0, customers);
    const total = start[customers]!;
    const ts = new Float64Array(total);
    const amount = new Float64Array(total);
    for (let i = 0; i < n; i++) {
      const c = this.c[i]!;
      if (c >= customers) continue;
      const k = fill[c]!++;
      ts[k] = this.t[i]!;
      amount[k] = this.a[i]!;
    }
    for (let c = 0; c < customers; c++) sortSlice(ts, amount, start[c]!, start[c + 1]!);
    return { start, ts, amount };
  }
}

/** Insertion sort of a (usually tiny, usually sorted) slice by time, ties by amount for determinism. */
function sortSlice(ts: Float64Array, amount: Float64Array, lo: number, hi: number): void {
  for (let i = lo + 1; i < hi; i++) {
    const t = ts[i]!;
    const a = amount[i]!;
    let j = i - 1;
    while (j >= lo && (ts[j]! > t || (ts[j] === t && amount[j]! > a))) {
      ts[j + 1] = ts[j]!;
      amount[j + 1] = amount[j]!;
      j--;
    }
    ts[j + 1] = t;
    amount[j + 1] = a;
  }
}

/** First index in [lo, hi) whose ts is > t. */
function upperBound(ts: Float64Array, lo: number, hi: number, t: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A customer's outcome after entry and the same metric over the equal-length period before. */
export interface WindowOutcome {
  converted: number;
  revenue: number;
  preConverted: number;
  preRevenue: number;
}

/**
 * Goal events of customer `c` in `(at, at + window]` (the outcome) and in
 * `(at − window, at]` (the CUPED covariate), written into `out`.
 */
export function windowOutcome(g: GoalIndex, c: number, at: number, window: number, out: WindowOutcome): WindowOutcome {
  out.converted = out.revenue = out.preConverted = out.preRevenue = 0;
  if (c + 1 >= g.start.length) return out;
  const lo = g.start[c]!;
  const hi = g.start[c + 1]!;
  if (lo === hi) return out;
  const i1 = upperBound(g.ts, lo, hi, at - window);
  const i2 = upperBound(g.ts, i1, hi, at);
  const i3 = upperBound(g.ts, i2, hi, at + window);
  for (let i = i1; i < i2; i++) out.preRevenue += g.amount[i]!;
  for (let i = i2; i < i3; i++) out.revenue += g.amount[i]!;
  out.preConverted = i2 > i1 ? 1 : 0;
  out.converted = i3 > i2 ? 1 : 0;
  return out;
}
