/**
 * `isoSeconds` (engine/decision.ts) without a Date per call: a log of
 * millions of lines formats millions of instants, and `toISOString` was the
 * most frequent allocation of the loop. The date part is cached per day, the
 * time of day is written from integers. Equal to `isoSeconds` of
 * engine/decision.ts for every instant (test/engine/runtime-determinism.test.ts).
 */
import { isoInstant as plainInstant, isoSeconds as format } from "../decision.ts";

const DAY = 86_400_000;
const days = new Map<number, string>();
const two = Array.from({ length: 60 }, (_, i) => (i < 10 ? `0${i}` : String(i)));

/** ISO 8601 UTC at second precision (`2026-11-20T09:00:00Z`). */
export function isoSeconds(ms: number): string {
  const day = Math.floor(ms / DAY);
  let date = days.get(day);
  if (date === undefined) {
    // Years outside 0000–9999 keep the general formatter (a sign and six digits).
    const y = new Date(day * DAY).getUTCFullYear();
    if (y < 0 || y > 9999) return format(ms);
    if (days.size > 100_000) days.clear();
    days.set(day, (date = format(day * DAY).slice(0, 11)));
  }
  const s = Math.floor((ms - day * DAY) / 1000);
  return `${date}${two[Math.floor(s / 3600)]}:${two[Math.floor(s / 60) % 60]}:${two[s % 60]}Z`;
}

const three = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, "0"));

/** `isoInstant` of engine/decision.ts (milliseconds shown only when non-zero), with the cached date part. */
export function isoInstant(ms: number): string {
  const frac = ms - Math.floor(ms / 1000) * 1000;
  if (frac === 0) return isoSeconds(ms);
  if (!Number.isInteger(frac)) return plainInstant(ms);
  const s = isoSeconds(ms);
  return s.length === 20 ? `${s.slice(0, 19)}.${three[frac]}Z` : plainInstant(ms);
}
