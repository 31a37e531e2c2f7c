/**
 * RFM scores (language.md, `rfm`). Within the window `(now − window, now]`:
 * - f = 1 + the number of frequency bounds the goal-event count reaches (`>=`),
 * - m = 1 + the number of monetary bounds the summed value reaches (`>=`),
 * - r = scores − the number of recency bounds the time since the last goal
 *   event exceeds (`>`).
 * A customer without a goal event in the window has no scores (`rfm` null).
 *
 * A dimension without explicit bounds is cut at quantiles of the customers who
 * have goal events in the window, so that each score holds about 1/scores of
 * them and tied customers always share a score:
 * - frequency and monetary ("reaches", `>=`): bound k is the smallest value v
 *   with at least k·n/scores customers below it (`x < v`). A tied group stays
 *   together in the lower score — with 35% one-time buyers, all of them get
 *   f = 1 and the next bound is 2 orders (a bound equal to the minimum would
 *   leave score 1 empty). When no such value exists the bound is +∞.
 * - recency ("exceeds", `>`): bound k is the age at sorted position
 *   ⌈k·n/scores⌉ − 1, so the freshest k/scores of customers do not exceed it;
 *   a customer exactly at a bound keeps the better score.
 * With nobody to fit on, every bound is +∞ (nobody is scored anyway).
 */
import type { RfmConfig } from "../language/ast.ts";
import type { EventRecord, RfmScores } from "../language/values.ts";

/** What RFM needs of one customer: goal events in the window, their summed value, the last one's time. */
export interface RfmInput {
  n: number;
  sum: number;
  /** epoch ms; -Infinity when n = 0 */
  last: number;
}

/** Ascending bounds per dimension (`scores − 1` each); recency in ms. */
export interface RfmBounds {
  recency: number[];
  frequency: number[];
  monetary: number[];
}

/** The RFM input of one customer from their events (sorted or not). */
export function rfmInput(cfg: RfmConfig, events: readonly EventRecord[], now: number): RfmInput {
  let n = 0;
  let sum = 0;
  let last = -Infinity;
  const from = now - cfg.window;
  for (const e of events) {
    if (e.name !== cfg.event || e.ts > now || e.ts <= from) continue;
    n++;
    const v = e.props[cfg.value];
    if (typeof v === "number") sum += v;
    if (e.ts > last) last = e.ts;
  }
  return { n, sum, last };
}

/**
 * "Reaches" bounds (frequency, monetary) at the quantiles of `values` (see the file comment): bound k
 * is the least value above the one at sorted position ⌈k·n/scores⌉ − 1 (at least 1), +∞ when there
 * is none. Found by selection (`selectInto`) and one pass per bound, not by sorting: a million
 * customers' sums are partitioned in a few passes (`quantileBoundsSorted` is the definition the
 * tests hold it to).
 */
export function quantileBounds(values: ArrayLike<number>, scores: number): number[] {
  const a = Float64Array.from(values);
  const n = a.length;
  if (hasNaN(a)) return quantileBoundsSorted(a, scores);
  const out: number[] = [];
  for (let k = 1; k < scores; k++) {
    const i = Math.max(1, Math.ceil((k * n) / scores));
    if (i >= n) {
      out.push(Infinity);
      continue;
    }
    const v = selectInto(a, i - 1);
    // The least value above v: after selection everything above v sits at positions ≥ i.
    let least = Infinity;
    for (let j = i; j < n; j++) if (a[j]! > v && a[j]! < least) least = a[j]!;
    out.push(least);
  }
  return out;
}

/** `quantileBounds` by its definition: sort, then the first value above its predecessor from position ⌈k·n/scores⌉. */
export function quantileBoundsSorted(values: ArrayLike<number>, scores: number): number[] {
  const s = Float64Array.from(values).sort();
  const n = s.length;
  return Array.from({ length: scores - 1 }, (_, k) => {
    for (let i = Math.max(1, Math.ceil(((k + 1) * n) / scores)); i < n; i++) if (s[i]! > s[i - 1]!) return s[i]!;
    return Infinity;
  });
}

/** "Exceeds" bounds (recency ages) at the quantiles of `values` (see the file comment): the values at sorted positions ⌈k·n/scores⌉ − 1. */
export function exceedBounds(values: ArrayLike<number>, scores: number): number[] {
  const a = Float64Array.from(values);
  const n = a.length;
  if (n === 0) return Array.from({ length: scores - 1 }, () => Infinity);
  const sorted = hasNaN(a) && (a.sort(), true);
  return Array.from({ length: scores - 1 }, (_, k) => {
    const i = Math.max(0, Math.ceil(((k + 1) * n) / scores) - 1);
    return sorted ? a[i]! : selectInto(a, i);
  });
}

function hasNaN(a: Float64Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== a[i]) return true;
  return false;
}

/**
 * The value at sorted position `k` of `a`, partitioning `a` in place so that every value before k is
 * ≤ it and every value after is ≥ it (Hoare partitions around the median of three; no NaN in `a`).
 * Repeated calls on the same array with rising k reuse the earlier partitions' work.
 */
export function selectInto(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    // Median of three as the pivot.
    const [x, y, z] = [a[lo]!, a[mid]!, a[hi]!];
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    // Now a[lo..j] ≤ pivot ≤ a[i..hi], and a[j+1..i-1] equal the pivot.
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}

/** The bounds of every dimension: explicit ones from the workspace, the rest fitted on `inputs` at `now`. */
export function fitRfmBounds(cfg: RfmConfig, inputs: Iterable<RfmInput>, now: number): RfmBounds {
  const all = [...inputs];
  return fitRfmBoundsBy(cfg, all.length, (i, x) => void Object.assign(x, all[i]!), now);
}

/**
 * `fitRfmBounds` over `count` customers whose inputs `read(i, into)` writes
 * into one reused record: no object per customer (the feature scan's columns
 * are read straight into typed arrays).
 */
export function fitRfmBoundsBy(cfg: RfmConfig, count: number, read: (i: number, into: RfmInput) => void, now: number): RfmBounds {
  const counts = new Float64Array(count);
  const sums = new Float64Array(count);
  const ages = new Float64Array(count);
  const x: RfmInput = { n: 0, sum: 0, last: -Infinity };
  let k = 0;
  for (let i = 0; i < count; i++) {
    read(i, x);
    if (x.n === 0) continue;
    counts[k] = x.n;
    sums[k] = x.sum;
    ages[k++] = now - x.last;
  }
  return {
    frequency: cfg.frequency ?? quantileBounds(counts.subarray(0, k), cfg.scores),
    monetary: cfg.monetary ?? quantileBounds(sums.subarray(0, k), cfg.scores),
    recency: cfg.recency ?? exceedBounds(ages.subarray(0, k), cfg.scores),
  };
}

/** The cell label "rfm" of scores r, f, m (1–9 each), built once per cell, not once per customer. */
const cellLabels: string[] = [];
function cellLabel(r: number, f: number, m: number): string {
  const k = (r * 10 + f) * 10 + m;
  return (cellLabels[k] ??= `${r}${f}${m}`);
}

/** Scores one customer; null without a goal event in the window. With `into`, the scores are written there (no allocation). */
export function scoreRfm(cfg: RfmConfig, b: RfmBounds, x: RfmInput, now: number, into?: RfmScores): RfmScores | null {
  if (x.n === 0) return null;
  let f = 1;
  for (const v of b.frequency) if (x.n >= v) f++;
  let m = 1;
  for (const v of b.monetary) if (x.sum >= v) m++;
  let r = cfg.scores;
  const age = now - x.last;
  for (const v of b.recency) if (age > v) r--;
  if (!into) return { r, f, m, cell: cellLabel(r, f, m) };
  into.r = r;
  into.f = f;
  into.m = m;
  into.cell = cellLabel(r, f, m);
  return into;
}

/**
 * A per-customer RFM function (the shape `createEngine`'s `rfm` option takes),
 * with quantile bounds fitted once on `histories` at `at`.
 */
export function rfmScorer(
  cfg: RfmConfig,
  histories: Iterable<readonly EventRecord[]>,
  at: number,
): (id: string, events: readonly EventRecord[], now: number) => RfmScores | null {
  const inputs: RfmInput[] = [];
  for (const evs of histories) inputs.push(rfmInput(cfg, evs, at));
  const bounds = fitRfmBounds(cfg, inputs, at);
  return (_id, events, now) => scoreRfm(cfg, bounds, rfmInput(cfg, events, now), now);
}
