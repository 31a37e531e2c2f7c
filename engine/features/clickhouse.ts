/**
 * The feature scan run inside ClickHouse (a server through @clickhouse/client,
 * or chDB in-process): the same `scanQuery` as DuckDB's, in the ClickHouse
 * dialect, over tables `events` and `customers`; only the per-customer
 * feature rows come back, in chunks, into the same columnar `FeatureTable`
 * shape the DuckDB path fills (`fill`, `rfm`).
 *
 * What runs the SQL is a `ClickHouseRunner`, so that one code path serves a
 * server and chDB (the tests hold it equal to DuckDB's scan on chDB).
 */
import type { Workspace } from "../../language/ast.ts";
import type { Value } from "../../language/values.ts";
import { Column } from "../runtime/columns.ts";
import { propsUsed } from "../runtime/read.ts";
import { clickhouse } from "./dialect.ts";
import { table, type FeatureTable } from "./duckdb.ts";
import { tableSource } from "./index.ts";
import type { FeaturePlan } from "./plan.ts";
import { scanQuery, type ScanColumn } from "./sql.ts";

/** Runs one ClickHouse query and yields its rows (`JSONCompactEachRow`: one array per row), chunk by chunk. */
export interface ClickHouseRunner {
  rows(sql: string): AsyncIterable<unknown[][]>;
}

/** Settings of every read: unmatched LEFT JOIN columns NULL (as SQL), ±inf and NaN as strings in JSON (not null). */
export const CH_READ_SETTINGS = "join_use_nulls = 1, output_format_json_quote_denormals = 1, output_format_json_quote_64bit_integers = 0";

/** A ClickHouse JSON number cell as a JS number (±inf and NaN come quoted). */
export function chNumber(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  if (typeof v === "number") return v;
  const s = String(v);
  return s === "inf" || s === "+inf" ? Infinity : s === "-inf" ? -Infinity : s === "nan" || s === "-nan" ? NaN : Number(s);
}

/** How a scan column's cells are read back: as a boolean (exists), a number, or as they come (strings, booleans). */
function cellReader(ws: Workspace, c: ScanColumn): (v: unknown) => Value {
  const f = c.feature;
  if (f?.fn === "exists") return (v) => (v === null ? null : v === true || v === 1 || v === "1");
  if (typeof c.part === "object") {
    const base = ws.schema.events.get(f!.event)?.props.get(c.part.prop)?.type.base;
    if (base === "number" || base === "datetime" || base === "date") return chNumber;
    if (base === "bool") return (v) => (v === null ? null : v === true || v === 1);
    return (v) => (v === null ? null : String(v));
  }
  return chNumber;
}

/** The features of every customer with events, computed in ClickHouse at `now`; `ids[i]` is slot i's customer id. */
export async function clickhouseFeatures(
  run: ClickHouseRunner, ws: Workspace, plan: FeaturePlan, now: number,
): Promise<{ ids: string[]; table: Omit<FeatureTable, "checked"> }> {
  const d = clickhouse;
  // A first/last record carries the props some expression reads, as DuckDB's scan does (in name order).
  const used = propsUsed(ws);
  for (const f of plan.scan) if (f.prop) used.add(f.prop);
  const base = tableSource(ws, d, plan);
  const src = { ...base, propsOf: (event: string) => base.propsOf(event).filter((p) => used.has(p)) };
  const { sql, columns } = scanQuery(plan, d, src, d.number(now), ws.rfm ?? null);
  const read = columns.map((c) => cellReader(ws, c));
  const ids: string[] = [];
  const cells: Value[][] = columns.map(() => []);
  for await (const chunk of run.rows(`${sql}\nSETTINGS ${CH_READ_SETTINGS}`)) {
    for (const row of chunk) {
      ids.push(String(row[0]));
      for (let k = 0; k < columns.length; k++) cells[k]!.push(read[k]!(row[k + 1] ?? null));
    }
  }
  const slots = new Int32Array(ids.length).map((_, i) => i);
  return { ids, table: table(slots, slots, columns, cells.map((v) => Column.of(v))) };
}
