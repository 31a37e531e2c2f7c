/**
 * Per-customer inputs the loop needs besides events: the time zone (the
 * customer's `timezone` attribute when it names a real IANA zone, else the
 * workspace default, with both fallbacks counted for the rows summary).
 */
import type { Value } from "../../language/values.ts";
import { isValidTimezone } from "./timezone.ts";

/** How many customers fell back to the default zone, and why. */
export interface TimezoneStats {
  missing: number;
  invalid: number;
}

/** A fresh counter. */
export function timezoneStats(): TimezoneStats {
  return { missing: 0, invalid: 0 };
}

/** The customer's IANA zone, or `fallback` (counted in `stats`) when missing or not a known zone. */
export function resolveTimezone(attrs: Record<string, Value>, fallback: string, stats?: TimezoneStats): string {
  const tz = attrs.timezone;
  if (typeof tz === "string" && tz !== "") {
    if (isValidTimezone(tz)) return tz;
    if (stats) stats.invalid++;
    return fallback;
  }
  if (stats) stats.missing++;
  return fallback;
}
