/**
 * `isoSeconds` (engine/decision.ts) with a cache: a log of millions of lines
 * repeats the same few thousand instants (schedules, trigger times), and
 * formatting a Date is the single most frequent allocation of the loop.
 */
import { isoSeconds as format } from "../decision.ts";

const cache = new Map<number, string>();

/** ISO 8601 UTC at second precision, cached by second. */
export function isoSeconds(ms: number): string {
  const s = Math.floor(ms / 1000);
  let v = cache.get(s);
  if (v === undefined) {
    if (cache.size > 20_000) cache.clear();
    cache.set(s, (v = format(ms)));
  }
  return v;
}
