/**
 * The small SQL dialect layer of the feature scan. The generator in `sql.ts`
 * writes standard SQL (SQL:2003 `FILTER (WHERE …)` aggregates, `CASE`,
 * `COALESCE`, `NULLIF`) and asks the dialect only for what differs between
 * engines: quoting, how a timestamp becomes epoch milliseconds, and how to
 * take the value at the earliest/latest row of a group (DuckDB's `arg_min`,
 * PostgreSQL's ordered `array_agg`). DuckDB is what `playbook` runs; the
 * PostgreSQL dialect is the standard-SQL baseline for the later targets
 * (ClickHouse, BigQuery and Spark SQL add their own `Dialect`).
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
}

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
};

export const DIALECTS: Record<string, Dialect> = { duckdb, postgres };
