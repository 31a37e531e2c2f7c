/**
 * String order and `lower()`: one definition that every execution follows
 * (the evaluator, the compiled closures, the SQL dialects; docs/language.md,
 * "Semantics notes", "Strings").
 *
 * - **Order is by Unicode code point** (the same as comparing UTF-8 bytes):
 *   what DuckDB does, what PostgreSQL does under `COLLATE "C"`, what
 *   ClickHouse does. JavaScript's `<` compares UTF-16 code units, which
 *   differs only where a code point above U+FFFF (a surrogate pair) meets one
 *   in U+E000–U+FFFF: `"😀" < "Ａ"` is true in JS and false here.
 * - **`lower()` maps each code point on its own** by the Unicode simple
 *   lowercase mapping (`text-table.ts`): no final-sigma rule (`"ΣΑΣ"` →
 *   `"σασ"`), no multi-character results (`"İ"` → `"i"`), no locale; `"ß"`
 *   stays `"ß"`, combining marks stay where they are, nothing is normalized.
 */
import { LOWER_FROM, LOWER_TO } from "./text-table.ts";

/** Code point → its lowercase, for code points the table changes. */
let table: Map<number, number> | null = null;

function lowerTable(): Map<number, number> {
  if (table) return table;
  const from = [...LOWER_FROM];
  const to = [...LOWER_TO];
  table = new Map(from.map((c, i) => [c.codePointAt(0)!, to[i]!.codePointAt(0)!]));
  return table;
}

// eslint-disable-next-line no-control-regex
const ASCII = /^[\x00-\x7f]*$/;

/** `lower(s)`: the simple lowercase mapping of each code point. */
export function lowerText(s: string): string {
  if (ASCII.test(s)) return s.toLowerCase();
  const t = lowerTable();
  let out = "";
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    const l = t.get(c);
    out += l === undefined ? ch : String.fromCodePoint(l);
  }
  return out;
}

/** A UTF-16 unit moved so that units compare in code point order: surrogates after U+E000–U+FFFF. */
const fix = (u: number): number => (u < 0xd800 ? u : u >= 0xe000 ? u - 0x800 : u + 0x2000);

/** Negative, zero or positive as `a` is before, equal to or after `b` in code point order. */
export function compareText(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return fix(x) - fix(y);
  }
  return a.length - b.length;
}

/**
 * Is JS's own `<` already code point order whenever one side is `s`? True when
 * `s` has no unit at or above U+D800: at the first unit where the two strings
 * differ, `s`'s unit is then below every surrogate and every U+E000–U+FFFF
 * unit, and both orders agree.
 */
export const nativeOrderSafe = (s: string): boolean => !/[\ud800-\uffff]/.test(s);

/** `a < b`, `a <= b`, `a > b`, `a >= b` of two values of one ordered type (strings by code point). */
export function lessOp(op: "<" | "<=" | ">" | ">=", a: unknown, b: unknown): boolean {
  if (typeof a === "string" && typeof b === "string") {
    const c = compareText(a, b);
    return op === "<" ? c < 0 : op === "<=" ? c <= 0 : op === ">" ? c > 0 : c >= 0;
  }
  const [x, y] = [a as number, b as number];
  return op === "<" ? x < y : op === "<=" ? x <= y : op === ">" ? x > y : x >= y;
}
