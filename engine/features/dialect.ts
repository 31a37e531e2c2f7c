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
  /** `lower()` of a string, by Unicode characters (not bytes). */
  lower(x: string): string;
  /** How the scan's clock is written when it is a query parameter (`compile --target sql` without `--at`). */
  nowParam: string;
  /** Settings the query needs, appended to the whole statement ("" for none). */
  querySettings: string;
}

/** Below this magnitude DuckDB's sums are exact on a grid of 2^-52 (see `duckdb.sum`). */
const EXACT_BELOW = 2 ** 40;
const GRID = 2 ** 52;

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
  lower: (x) => `LOWER(${x})`,
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
  lower: (x) => `LOWER(${x})`,
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
  lower: (x) => `lowerUTF8(${x})`,
  nowParam: "{now:Float64}",
  querySettings: "SETTINGS join_use_nulls = 1",
};

export const DIALECTS: Record<string, Dialect> = { duckdb, postgres, clickhouse };
