/**
 * Time zone names: which ones the runtime accepts, and what to suggest for
 * one it does not. A zone is valid when `Intl.DateTimeFormat` accepts it (the
 * engine computes local times with Intl, so that is the one test that
 * matters). Intl also accepts a few legacy abbreviations that are IANA zones
 * or ICU aliases (`CET`, `EET`, `EST`, `PST`, `JST`, `GMT`); those stay valid.
 * For the abbreviations people write that are *not* zones (`MSK`, `CEST`,
 * `PDT` …) a small table gives the IANA zone meant; any other unknown name
 * gets the closest IANA name by edit distance (`Europe/Moskow` →
 * `Europe/Moscow`). The table is documented in docs/language.md.
 */
import { didYouMean } from "./fuzzy.ts";

/** Abbreviations that are not IANA zones → the zone usually meant. Summer-time names map to the zone that observes them. */
export const TZ_ABBREVIATIONS: Readonly<Record<string, string>> = {
  MSK: "Europe/Moscow",
  MSD: "Europe/Moscow",
  KALT: "Europe/Kaliningrad",
  SAMT: "Europe/Samara",
  YEKT: "Asia/Yekaterinburg",
  OMST: "Asia/Omsk",
  NOVT: "Asia/Novosibirsk",
  KRAT: "Asia/Krasnoyarsk",
  IRKT: "Asia/Irkutsk",
  YAKT: "Asia/Yakutsk",
  VLAT: "Asia/Vladivostok",
  MAGT: "Asia/Magadan",
  PETT: "Asia/Kamchatka",
  CEST: "Europe/Berlin",
  EEST: "Europe/Helsinki",
  WEST: "Europe/Lisbon",
  PDT: "America/Los_Angeles",
  MDT: "America/Denver",
  CDT: "America/Chicago",
  EDT: "America/New_York",
  AKST: "America/Anchorage",
  AKDT: "America/Anchorage",
  KST: "Asia/Seoul",
  SGT: "Asia/Singapore",
  HKT: "Asia/Hong_Kong",
  GST: "Asia/Dubai",
  AEST: "Australia/Sydney",
  AEDT: "Australia/Sydney",
};

/** True when the runtime can compute local times in `tz`. */
export function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

let ianaNames: string[] | undefined;

/** The IANA zone meant by an unknown name, or undefined when nothing is close. */
export function suggestTimeZone(tz: string): string | undefined {
  const abbr = TZ_ABBREVIATIONS[tz.trim().toUpperCase()];
  if (abbr) return abbr;
  ianaNames ??= [...Intl.supportedValuesOf("timeZone"), "UTC"];
  return didYouMean(tz.trim(), ianaNames);
}
