/**
 * Literal values shared by the expression grammar and the YAML sections:
 * durations (`15m`), percents (`10%`), dates, datetimes, clock times.
 */

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `15m` → 900000; null when not a duration. */
export function parseDurationText(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)(s|m|h|d|w)$/.exec(text.trim());
  if (!m) return null;
  return Math.round(Number(m[1]) * UNIT_MS[m[2]!]!);
}

/** `10%` → 0.1; null when not a percent. */
export function parsePercentText(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)%$/.exec(text.trim());
  return m ? Number(m[1]) / 100 : null;
}

/** `2026-11-20` → epoch ms of that UTC midnight; null when not a real date. */
export function parseDateMs(text: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return null;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return new Date(ms).toISOString().startsWith(text) ? ms : null;
}

/** ISO 8601 datetime; no offset means UTC. Null when invalid. */
export function parseDateTimeMs(text: string): number | null {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?(Z|[+-]\d{2}:\d{2})?$/.exec(text);
  if (!m) return null;
  const day = parseDateMs(m[1]!);
  const h = Number(m[2]);
  const mi = Number(m[3]);
  const s = Number(m[4] ?? 0);
  if (day === null || h > 23 || mi > 59 || s > 59) return null;
  let ms = day + ((h * 60 + mi) * 60 + s) * 1000 + Number((m[5] ?? "0").padEnd(3, "0"));
  const off = m[6];
  if (off && off !== "Z") {
    const sign = off[0] === "-" ? -1 : 1;
    ms -= sign * (Number(off.slice(1, 3)) * 60 + Number(off.slice(4, 6))) * 60_000;
  }
  return ms;
}

/** `09:30` → 570 minutes after midnight; `24:00` allowed as an end; null when invalid. */
export function parseClock(text: string): number | null {
  const m = /^(\d{1,2}):(\d{2})$/.exec(text.trim());
  if (!m) return null;
  const h = Number(m[1]);
  const mi = Number(m[2]);
  if (mi > 59 || h > 24 || (h === 24 && mi !== 0)) return null;
  return h * 60 + mi;
}
