/**
 * Numbers for people: thousands separators, percentages, percentage points,
 * money, p-values. Locale-free on purpose (same output on every machine), and
 * JSON rounding to 10 significant digits so last-bit differences of libm
 * between platforms never change a golden file.
 */

/** 1234567 → "1,234,567" (rounded to an integer). */
export function int(n: number): string {
  const s = Math.round(Math.abs(n)).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return n < 0 && Math.round(Math.abs(n)) !== 0 ? `-${s}` : s;
}

/** Money with two decimals and separators: 1480.2 → "1,480.20". */
export function money(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return "–";
  const sign = n < 0 ? "-" : "";
  const [i, f] = Math.abs(n).toFixed(2).split(".") as [string, string];
  return `${sign}${i.replace(/\B(?=(\d{3})+(?!\d))/g, ",")}.${f}`;
}

/** Signed money: "+57.30". */
export function signedMoney(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return "–";
  return (n >= 0 ? "+" : "") + money(n);
}

/** A share as a percentage: 0.081 → "8.1%"; small shares get two decimals. */
export function pct(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return "–";
  const v = n * 100;
  return `${Math.abs(v) < 1 && v !== 0 ? v.toFixed(2) : v.toFixed(1)}%`;
}

/** A signed relative change: 0.27 → "+27.0%". */
export function signedPct(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return "–";
  return (n >= 0 ? "+" : "") + pct(n);
}

/** A difference of two rates in percentage points: 0.017 → "+1.70 pp". */
export function pp(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return "–";
  return `${n >= 0 ? "+" : ""}${(n * 100).toFixed(2)} pp`;
}

/** A p- or q-value: three significant places, "<0.001" below that. */
export function pval(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return "–";
  if (p < 0.001) return "<0.001";
  return p.toFixed(3);
}

/** Rounds to 10 significant digits (JSON output); non-finite numbers become null. */
export function round10(n: number): number | null {
  if (!Number.isFinite(n)) return null;
  if (n === 0) return 0;
  return Number(n.toPrecision(10));
}

/** JSON.stringify with every number rounded by `round10`. */
export function stableJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, (_k, v) => (typeof v === "number" ? round10(v) : v), indent);
}
