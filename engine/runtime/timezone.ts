/**
 * Wall-clock time in IANA time zones, with nothing but `Intl.DateTimeFormat`.
 *
 * The engine needs three things: the local date/time of an instant (send
 * hours, weekdays of `every`, month/day of `anniversary`), the instant of a
 * local wall-clock time (`every monday at 10:00`, `once at 2026-12-01T10:00`),
 * and whether a zone name is valid. Offsets are derived from formatted parts,
 * so DST changes are whatever the ICU data says; results are cached per zone
 * and hour because the decide loop asks the same questions millions of times.
 */

const HOUR = 3_600_000;
const DAY = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat | null>();

function formatter(tz: string): Intl.DateTimeFormat | null {
  let f = formatters.get(tz);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat("en-US", {
        timeZone: tz, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric",
        hour: "numeric", minute: "numeric", second: "numeric",
      });
    } catch {
      f = null;
    }
    formatters.set(tz, f);
  }
  return f;
}

/** True when `tz` is an IANA zone name this runtime knows. */
export function isValidTimezone(tz: string): boolean {
  return tz !== "" && formatter(tz) !== null;
}

const offsetCache = new Map<string, Map<number, number>>();

/**
 * The zone's offset from UTC in ms at instant `ms` (local = utc + offset).
 * Cached per whole UTC hour: every zone in use today changes offset on the hour
 * or half hour, so a 15-minute cache key keeps it exact.
 */
export function offsetAt(ms: number, tz: string): number {
  // Fast path: a UTC day whose start and end have the same offset has it throughout
  // (zones change offset at most once a day and never back within it).
  const day = Math.floor(ms / DAY);
  let d = dayCache.get(tz);
  if (!d) dayCache.set(tz, (d = new Map()));
  const known = d.get(day);
  if (known !== undefined && known !== null) return known;
  if (known === undefined) {
    const a = offsetExact(day * DAY, tz);
    const b = offsetExact(day * DAY + DAY - 1, tz);
    if (d.size > 100_000) d.clear();
    d.set(day, a === b ? a : null);
    if (a === b) return a;
  }
  return offsetExact(ms, tz);
}

const dayCache = new Map<string, Map<number, number | null>>();

function offsetExact(ms: number, tz: string): number {
  const key = Math.floor(ms / (HOUR / 4));
  let m = offsetCache.get(tz);
  if (!m) offsetCache.set(tz, (m = new Map()));
  const hit = m.get(key);
  if (hit !== undefined) return hit;
  const f = formatter(tz);
  if (!f) throw new Error(`bug: offsetAt called with invalid zone ${tz}`);
  const probe = key * (HOUR / 4);
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(new Date(probe))) if (part.type !== "literal") p[part.type] = Number(part.value);
  const asUtc = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour! % 24, p.minute!, p.second!);
  const off = asUtc - probe;
  if (m.size > 200_000) m.clear();
  m.set(key, off);
  return off;
}

/** Local calendar fields of an instant. `weekday` 0 = Sunday … 6 = Saturday; `minuteOfDay` 0..1439. */
export interface LocalTime {
  year: number;
  month: number;
  day: number;
  weekday: number;
  minuteOfDay: number;
  /** Epoch ms of the local date's midnight read as if it were UTC: a day number × 86 400 000. */
  localDayMs: number;
}

const localCache = new Map<string, Map<number, LocalTime>>();

/**
 * The local date and time of instant `ms` in zone `tz`. Memoized per zone:
 * a run asks for the same instants (its window's ends) for every customer of
 * a zone. The result is frozen, being shared.
 */
export function localTime(ms: number, tz: string): LocalTime {
  let m = localCache.get(tz);
  if (!m) localCache.set(tz, (m = new Map()));
  let v = m.get(ms);
  if (v === undefined) {
    if (m.size > 10_000) m.clear();
    m.set(ms, (v = Object.freeze(computeLocalTime(ms, tz))));
  }
  return v;
}

function computeLocalTime(ms: number, tz: string): LocalTime {
  const local = ms + offsetAt(ms, tz);
  const dayMs = Math.floor(local / DAY) * DAY;
  const d = new Date(dayMs);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    weekday: d.getUTCDay(),
    minuteOfDay: Math.floor((local - dayMs) / 60_000),
    localDayMs: dayMs,
  };
}

/**
 * The instant at which the wall clock in `tz` shows `localMs` (local time
 * written as if it were UTC). A time skipped by a spring-forward gap maps to
 * the first instant after the gap (02:30 on a skipped hour → 03:30 local,
 * the same instant clocks would show had they not jumped); a time repeated by
 * a fall-back maps to its first occurrence.
 */
export function localToUtc(localMs: number, tz: string): number {
  // Two rounds of offset lookup settle every real zone; the earlier candidate wins on repeats.
  const o1 = offsetAt(localMs - 14 * HOUR, tz);
  const o2 = offsetAt(localMs + 14 * HOUR, tz);
  const cands: number[] = [];
  for (const o of o1 === o2 ? [o1] : [Math.max(o1, o2), Math.min(o1, o2)]) {
    const t = localMs - o;
    if (offsetAt(t, tz) === o) cands.push(t);
  }
  if (cands.length > 0) return Math.min(...cands);
  // In a gap: no instant shows this wall time; shift by the offset from before the gap.
  return localMs - Math.min(o1, o2);
}

/** Send hours in minutes after local midnight; `to` exclusive. `from > to` wraps over midnight. */
export interface SendHours {
  from: number;
  to: number;
}

function allowedMinute(min: number, h: SendHours): boolean {
  if (h.from === h.to) return true;
  return h.from < h.to ? min >= h.from && min < h.to : min >= h.from || min < h.to;
}

/**
 * The first instant ≥ `ms` inside the send hours of zone `tz`: `ms` itself
 * when allowed, else the next local minute at which the window opens (found
 * through `localToUtc`, so a DST change between now and then is respected).
 */
export function nextSendTime(ms: number, tz: string, hours: SendHours | null): number {
  if (!hours) return ms;
  const lt = computeLocalTime(ms, tz);
  if (allowedMinute(lt.minuteOfDay, hours)) return ms;
  // Before the window opens today, or after it closed: opening today or tomorrow.
  const openDay = lt.minuteOfDay < hours.from ? lt.localDayMs : lt.localDayMs + DAY;
  const t = localToUtc(openDay + hours.from * 60_000, tz);
  return t > ms ? t : localToUtc(openDay + DAY + hours.from * 60_000, tz);
}

/** `HH:MM` of a minute of the day, for messages. */
export function hhmm(minute: number): string {
  return `${String(Math.floor(minute / 60)).padStart(2, "0")}:${String(minute % 60).padStart(2, "0")}`;
}
