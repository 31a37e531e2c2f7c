/**
 * The small SQL dialect layer of the feature scan. The generator in `sql.ts`
 * writes standard SQL (SQL:2003 `FILTER (WHERE …)` aggregates, `CASE`,
 * `COALESCE`, `NULLIF`) and asks the dialect only for what differs between
 * engines: quoting, how a timestamp becomes epoch milliseconds, and how to
 * take the value at the earliest/latest row of a group (DuckDB's `arg_min`,
 * PostgreSQL's ordered `array_agg`). DuckDB is what `playbook` runs; the
 * PostgreSQL dialect is the standard-SQL baseline for the later targets;
 * ClickHouse (`clickhouse`) writes its `-If` combinators, tuples for the
 * first/last pick and backslash-escaped literals (BigQuery and Spark SQL would
 * add their own `Dialect`).
 */

import { LOWER_FROM, LOWER_TO } from "../../language/text-table.ts";
import { lowerText } from "../../language/text.ts";

/** What differs between SQL engines, for the feature scan. */
export interface Dialect {
  name: string;
  ident(name: string): string;
  string(value: string): string;
  /** A number literal of type double. */
  number(value: number): string;
  bool(value: boolean): string;
  /** A TIMESTAMP/TIMESTAMPTZ column as epoch milliseconds (double). */
  epochMs(col: string): string;
  /** `agg FILTER (WHERE cond)`. */
  filtered(agg: string, cond: string): string;
  /**
   * The value of `value` at the row with the smallest (`first`) or largest
   * (`last`) `order` among rows where `cond` holds; NULL when none. `order` is
   * a list of sort keys, most significant first.
   */
  pick(which: "first" | "last", value: string, order: string[], cond: string): string;
  /** floor(x) for doubles. */
  floor(x: string): string;
  /**
   * `SUM(value) FILTER (WHERE cond)` over doubles whatever order the rows are
   * added in: a parallel engine adds a group's partial sums in the order its
   * threads finish, so a plain double SUM can differ in its last bits from run
   * to run. NULL when no row has a value, as SUM.
   */
  sum(value: string, cond: string): string;
  /** `lower(x)` as language/text.ts defines it (the simple lowercase mapping of each code point). */
  lower(x: string): string;
  /** A string operand of `<`, `<=`, `>`, `>=`, `between`: made to compare by code point (UTF-8 bytes). */
  text(x: string): string;
  /** How the scan's clock is written when it is a query parameter (`compile --target sql` without `--at`). */
  nowParam: string;
  /** Settings the query needs, appended to the whole statement ("" for none). */
  querySettings: string;
}

/** Below this magnitude DuckDB's sums are exact on a grid of 2^-52 (see `duckdb.sum`). */
const EXACT_BELOW = 2 ** 40;
const GRID = 2 ** 52;

/**
 * The code points whose lowercase (text-table.ts, Unicode 17) DuckDB 1.5's
 * `lower` does not know (its utf8proc is on an older Unicode: letters of
 * Unicode 16 and 17). `duckdb.lower` maps them with `translate` after
 * `lower`, only in strings that have one (a `translate` of the whole table
 * costs ~200 µs a row). test/language/text-sql.test.ts checks every code
 * point against lowerText.
 */
const DUCKDB_LOWER_GAPS = String.fromCodePoint(
  0x1c89, 0xa7cb, 0xa7cc, 0xa7ce, 0xa7d2, 0xa7d4, 0xa7da, 0xa7dc,
  ...Array.from({ length: 0x10d66 - 0x10d50 }, (_, i) => 0x10d50 + i),
  ...Array.from({ length: 0x16eb9 - 0x16ea0 }, (_, i) => 0x16ea0 + i),
);

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;
const quoteString = (v: string) => `'${v.replace(/'/g, "''")}'`;

/** DuckDB (what the commands run). */
export const duckdb: Dialect = {
  name: "duckdb",
  ident: quoteIdent,
  string: quoteString,
  number: (v) => (Number.isFinite(v) ? `CAST(${JSON.stringify(v)} AS DOUBLE)` : v > 0 ? "CAST('inf' AS DOUBLE)" : v < 0 ? "CAST('-inf' AS DOUBLE)" : "CAST('nan' AS DOUBLE)"),
  bool: (v) => (v ? "TRUE" : "FALSE"),
  epochMs: (col) => `CAST(epoch_ms(${col}) AS DOUBLE)`,
  filtered: (agg, cond) => `${agg} FILTER (WHERE ${cond})`,
  pick: (which, value, order, cond) =>
    `${which === "first" ? "arg_min_null" : "arg_max_null"}(${value}, ${order.length === 1 ? order[0] : `struct_pack(${order.map((o, i) => `k${i} := ${o}`).join(", ")})`}) FILTER (WHERE ${cond})`,
  floor: (x) => `floor(${x})`,
  // Each value scaled by 2^52 (exact: a power of two) and rounded to an integer, added as HUGEINT
  // (integer addition does not care about order), scaled back: the same bits every run, within
  // 2^-52 of each value. Values of 2^40 or more (or NaN, ±inf) in the group: a plain SUM.
  sum: (value, cond) => {
    const [big, grid] = [duckdb.number(EXACT_BELOW), duckdb.number(GRID)];
    return `(CASE WHEN max(abs(${value})) FILTER (WHERE ${cond}) < ${big}
      THEN CAST(sum(CAST(CASE WHEN abs(${value}) < ${big} THEN ${value} * ${grid} ELSE 0 END AS HUGEINT)) FILTER (WHERE ${cond}) AS DOUBLE) / ${grid}
      ELSE sum(${value}) FILTER (WHERE ${cond}) END)`;
  },
  // DuckDB compares VARCHARs by their UTF-8 bytes (code point order) unless a default collation is set.
  text: (x) => x,
  lower: (x) =>
    `(CASE WHEN strlen(${x}) <> length(${x}) AND regexp_matches(${x}, ${quoteString(`[${DUCKDB_LOWER_GAPS}]`)}) THEN translate(lower(${x}), ${quoteString(DUCKDB_LOWER_GAPS)}, ${quoteString(lowerText(DUCKDB_LOWER_GAPS))}) ELSE lower(${x}) END)`,
  nowParam: ":now",
  querySettings: "",
};

/** PostgreSQL, standard SQL where it can be. */
export const postgres: Dialect = {
  name: "postgres",
  ident: quoteIdent,
  string: quoteString,
  number: (v) => (Number.isFinite(v) ? `CAST(${JSON.stringify(v)} AS DOUBLE PRECISION)` : `CAST('${v > 0 ? "Infinity" : v < 0 ? "-Infinity" : "NaN"}' AS DOUBLE PRECISION)`),
  bool: (v) => (v ? "TRUE" : "FALSE"),
  epochMs: (col) => `(EXTRACT(EPOCH FROM ${col}) * 1000)`,
  filtered: (agg, cond) => `${agg} FILTER (WHERE ${cond})`,
  pick: (which, value, order, cond) =>
    `(ARRAY_AGG(${value} ORDER BY ${order.map((o) => `${o} ${which === "first" ? "ASC" : "DESC"}`).join(", ")}) FILTER (WHERE ${cond}))[1]`,
  floor: (x) => `FLOOR(${x})`,
  // NUMERIC addition is exact, so the order does not matter.
  sum: (value, cond) => `CAST(SUM(CAST(${value} AS NUMERIC)) FILTER (WHERE ${cond}) AS DOUBLE PRECISION)`,
  // The database's collation (en_US.UTF-8, ICU, …) orders by language; "C" orders by bytes, i.e. code points.
  text: (x) => `(${x} COLLATE "C")`,
  // LOWER follows the collation's locale (libc towlower, or ICU's full mapping with final sigma); under "C" it
  // is ASCII only. So: ASCII strings by LOWER under "C", others by TRANSLATE with the whole table.
  lower: (x) => `(CASE WHEN ${x} ~ '^[\x01-\x7f]*$' THEN LOWER(${x} COLLATE "C") ELSE TRANSLATE(${x}, ${quoteString(LOWER_FROM)}, ${quoteString(LOWER_TO)}) END)`,
  nowParam: ":now",
  querySettings: "",
};

/** ClickHouse's string literals and quoted names take backslash escapes (a NUL byte as `\0`). */
const chEscape = (v: string, quote: string) => v.replace(/\\/g, "\\\\").replace(new RegExp(quote, "g"), `\\${quote}`).replace(/\0/g, "\\0");
/** A sort key of a first/last pick as ClickHouse tuple fields: NULL sorts after every value, as in DuckDB's structs and PostgreSQL's ORDER BY. */
const chKey = (k: string) => `isNull(${k}), assumeNotNull(${k})`;

/**
 * An Int128 as a double, computed as DuckDB computes a HUGEINT's: from its two 64-bit halves,
 * `lower + upper · 2^64`, and for `upper = −1` as `−(2^64 − 1 − lower) − 1`. That is not always
 * the nearest double (ClickHouse's own `toFloat64` is, so the two differed in the last bit for about
 * 1 value in 100 of random 100-bit integers; this formula matched DuckDB on all 3000 of them).
 */
export function chHugeintToDouble(x: string): string {
  const M = "toInt128('18446744073709551615')";
  const [upper, lower] = [`bitShiftRight(${x}, 64)`, `bitAnd(${x}, ${M})`];
  return `(CASE WHEN ${upper} = -1 THEN -toFloat64(toUInt64(${M} - ${lower})) - 1
      ELSE toFloat64(toUInt64(${lower})) + toFloat64(toInt64(${upper})) * 18446744073709551616.0 END)`;
}

/**
 * ClickHouse (the engine of a ClickHouse server and of chDB). Where it differs
 * from standard SQL: aggregates over no row give the type's default (0), not
 * NULL, so min/max/sum take `-IfOrNull`; `argMin` skips a NULL value, so the
 * first/last pick wraps the value in a one-field tuple and orders by a tuple of
 * (is-null, value) keys; `lower` is by bytes, so `lowerUTF8`; a LEFT JOIN fills
 * unmatched columns with defaults unless `join_use_nulls = 1`.
 */
export const clickhouse: Dialect = {
  name: "clickhouse",
  ident: (name) => `"${chEscape(name, '"')}"`,
  string: (v) => `'${chEscape(v, "'")}'`,
  number: (v) => (Number.isFinite(v) ? `toFloat64(${JSON.stringify(v)})` : v > 0 ? "toFloat64(inf)" : v < 0 ? "toFloat64(-inf)" : "toFloat64(nan)"),
  bool: (v) => (v ? "true" : "false"),
  epochMs: (col) => `toFloat64(toUnixTimestamp64Milli(toDateTime64(${col}, 3, 'UTC')))`,
  // The generator writes `COUNT(*)`, `COUNT(x)`, `MIN(x)`, `MAX(x)` or `SUM(x)`: each becomes its `-If` combinator.
  filtered: (agg, cond) => {
    const m = /^(COUNT|MIN|MAX|SUM)\((.*)\)$/s.exec(agg);
    if (!m) throw new Error(`clickhouse dialect: cannot filter aggregate ${agg}`);
    const [, fn, arg] = m as unknown as [string, string, string];
    if (fn === "COUNT") return arg === "*" ? `countIf(${cond})` : `countIf(${arg}, ${cond})`;
    return `${fn.toLowerCase()}IfOrNull(${arg}, ${cond})`;
  },
  pick: (which, value, order, cond) =>
    `${which === "first" ? "argMinIf" : "argMaxIf"}(tuple(toNullable(${value})), tuple(${order.map(chKey).join(", ")}), ${cond}).1`,
  floor: (x) => `floor(${x})`,
  // As DuckDB's: each value on a grid of 2^-52 as an Int128 (integer addition does not care about
  // the order ClickHouse's threads add in), rounded half to even as DuckDB's cast to HUGEINT is, and
  // the integer sum turned into a double the way DuckDB turns a HUGEINT into one (chHugeintToDouble),
  // so the two engines give the same bits.
  sum: (value, cond) => {
    const [big, grid] = [clickhouse.number(EXACT_BELOW), clickhouse.number(GRID)];
    const exact = `sumIf(toInt128(round(if(abs(${value}) < ${big}, ${value} * ${grid}, 0))), ${cond})`;
    return `(CASE WHEN maxIfOrNull(abs(${value}), ${cond}) < ${big}
      THEN ${chHugeintToDouble(exact)} / ${grid}
      ELSE sumIfOrNull(${value}, ${cond}) END)`;
  },
  // ClickHouse compares Strings by their bytes: UTF-8, so code point order, as language/text.ts wants.
  text: (x) => x,
  // lowerUTF8 is ICU's lowering per code point but leaves code points whose UTF-8 length changes; so, as for
  // PostgreSQL: ASCII strings by lower(), others by translateUTF8 with the whole table (language/text-table.ts).
  lower: (x) => `if(match(${x}, ${clickhouse.string("^[\\x01-\\x7f]*$")}), lower(${x}), translateUTF8(${x}, ${clickhouse.string(LOWER_FROM)}, ${clickhouse.string(LOWER_TO)}))`,
  nowParam: "{now:Float64}",
  querySettings: "SETTINGS join_use_nulls = 1",
};

export const DIALECTS: Record<string, Dialect> = { duckdb, postgres, clickhouse };
