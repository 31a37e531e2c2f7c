/**
 * Reading `customers.*` and `events.*` for `run`, `simulate` and `explain`.
 *
 * Interim reader: the data engineer's readers (`engine/data/`, with rejects
 * files and exact physical line numbers) had not landed when the engine was
 * written; this one follows contract.md ("Input data") through DuckDB so the
 * commands work meanwhile, and is meant to be replaced by them. Its shape is
 * what the runtime needs anyway: customers in a Map, events *streamed in
 * customer order*, so memory grows with customers, not with events.
 *
 * Bad rows (unknown customer, event not in the schema, unparsable time or
 * value) are collected as `file:line: reason`; line numbers assume one record
 * per physical line (CSV header = line 1; JSONL line n).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import type { Type, Workspace } from "../../language/ast.ts";
import type { EventRecord, Value } from "../../language/values.ts";

/** A row that does not fit, as contract.md prints it. */
export interface BadRow {
  file: string;
  line: number;
  reason: string;
}

/** Counts for the rows summary line. */
export interface RowCounts {
  customers: { read: number; used: number; rejected: number };
  events: { read: number; used: number; rejected: number };
}

/** The `customers.*` or `events.*` file of a data folder, or null. */
export function findDataFile(dir: string, base: "customers" | "events"): string | null {
  for (const ext of ["parquet", "csv", "jsonl"]) {
    const p = join(dir, `${base}.${ext}`);
    if (existsSync(p)) return p;
  }
  return null;
}

function source(path: string): { sql: string; lineOffset: number } {
  const q = `'${path.replace(/'/g, "''")}'`;
  if (path.endsWith(".csv")) return { sql: `read_csv(${q}, header = true, all_varchar = true)`, lineOffset: 1 };
  if (path.endsWith(".jsonl")) return { sql: `read_json(${q}, format = 'newline_delimited')`, lineOffset: 0 };
  return { sql: `read_parquet(${q})`, lineOffset: 0 };
}

const FEEDBACK_PROPS: Record<string, Type> = {
  rule: { base: "string", nullable: true },
  step: { base: "number", nullable: true },
  channel: { base: "string", nullable: true },
  hard: { base: "bool", nullable: true },
};

/** Converts a cell to the language's value of type `t`; `undefined` when it does not parse. */
export function convert(v: unknown, t: Type): Value | undefined {
  if (v === null || v === undefined || v === "") return null;
  if (typeof v === "bigint") v = Number(v);
  if (typeof v === "object" && v !== null && "micros" in (v as object)) return Number((v as { micros: bigint }).micros / 1000n);
  if (typeof v === "object" && v !== null && "days" in (v as object)) return (v as { days: number }).days * 86_400_000;
  switch (t.base) {
    case "number": {
      const n = typeof v === "number" ? v : Number(String(v));
      return Number.isFinite(n) ? n : undefined;
    }
    case "bool": {
      if (typeof v === "boolean") return v;
      const s = String(v).toLowerCase();
      return s === "true" || s === "1" ? true : s === "false" || s === "0" ? false : undefined;
    }
    case "date": {
      const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(v));
      return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!) : undefined;
    }
    case "datetime":
      return parseTime(String(v)) ?? undefined;
    case "list":
      return Array.isArray(v) ? (v as Value[]) : undefined;
    default:
      return String(v);
  }
}

/** ISO 8601 instant; no offset means UTC. */
export function parseTime(s: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(s.trim());
  if (!m) return null;
  const ms = m[7] ? Math.round(Number(`0.${m[7]}`) * 1000) : 0;
  let t = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0), ms);
  if (m[8] && m[8] !== "Z") {
    const sign = m[8][0] === "-" ? -1 : 1;
    const digits = m[8].slice(1).replace(":", "");
    t -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  return Number.isNaN(t) ? null : t;
}

/** An open DuckDB for reading (in memory). */
export async function openReader(): Promise<{ con: DuckDBConnection; close: () => void }> {
  const db = await DuckDBInstance.create(":memory:");
  const con = await db.connect();
  return { con, close: () => (con.closeSync(), db.closeSync()) };
}

/** Reads every customer, typed by `schema.customer`; bad rows go to `bad`. */
export async function readCustomers(con: DuckDBConnection, ws: Workspace, path: string, bad: BadRow[], counts: RowCounts): Promise<Map<string, Record<string, Value>>> {
  const src = source(path);
  const out = new Map<string, Record<string, Value>>();
  const res = await con.stream(`SELECT *, row_number() OVER () AS __rn FROM ${src.sql}`);
  const names = res.columnNames();
  const idCol = names.indexOf("customer_id");
  if (idCol < 0) throw new DataError(`${path}: no customer_id column`);
  for (let chunk = await res.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await res.fetchChunk()) {
    for (const row of chunk.getRows()) {
      counts.customers.read++;
      const line = Number(row[row.length - 1]) + src.lineOffset;
      const id = row[idCol] == null ? "" : String(row[idCol]);
      if (id === "") { bad.push({ file: path, line, reason: "missing customer_id" }); continue; }
      const attrs: Record<string, Value> = { customer_id: id };
      let ok = true;
      for (let i = 0; i < names.length - 1; i++) {
        const def = ws.schema.customer.get(names[i]!);
        if (!def) continue;
        const v = convert(row[i], def.type);
        if (v === undefined) { bad.push({ file: path, line, reason: `${names[i]}: cannot read ${JSON.stringify(String(row[i]))} as ${def.type.base}` }); ok = false; break; }
        attrs[names[i]!] = v;
      }
      if (ok) out.set(id, attrs);
    }
  }
  counts.customers.used = out.size;
  counts.customers.rejected = counts.customers.read - out.size;
  return out;
}

/**
 * Streams the events grouped by customer (customer id order), each group
 * sorted by time (ties in file order), to `onCustomer`. Rows for unknown
 * customers or events outside the schema, and unparsable times, go to `bad`.
 * Events after `until` are not read.
 */
export async function streamEvents(
  con: DuckDBConnection, ws: Workspace, path: string, known: Map<string, unknown>, until: number,
  bad: BadRow[], counts: RowCounts, onCustomer: (id: string, events: EventRecord[]) => void,
): Promise<void> {
  const src = source(path);
  const res = await con.stream(`WITH r AS (SELECT *, row_number() OVER () AS __rn FROM ${src.sql}) SELECT * FROM r ORDER BY CAST(customer_id AS VARCHAR), __rn`);
  const names = res.columnNames();
  const [ci, ei, ti] = ["customer_id", "event", "ts"].map((n) => names.indexOf(n));
  if (ci! < 0 || ei! < 0 || ti! < 0) throw new DataError(`${path}: events need customer_id, event and ts columns`);
  let cur: string | null = null;
  let group: EventRecord[] = [];
  const flush = () => {
    if (cur !== null && group.length) onCustomer(cur, group.sort((a, b) => a.ts - b.ts));
    group = [];
  };
  for (let chunk = await res.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await res.fetchChunk()) {
    for (const row of chunk.getRows()) {
      counts.events.read++;
      const line = Number(row[row.length - 1]) + src.lineOffset;
      const id = String(row[ci!] ?? "");
      const name = String(row[ei!] ?? "");
      if (id !== cur) { flush(); cur = id; }
      if (!known.has(id)) { bad.push({ file: path, line, reason: `unknown customer ${JSON.stringify(id)}` }); continue; }
      const def = ws.schema.events.get(name);
      if (!def) { bad.push({ file: path, line, reason: `event ${JSON.stringify(name)} is not in the schema` }); continue; }
      const tsRaw = row[ti!];
      const ts = typeof tsRaw === "string" ? parseTime(tsRaw) : (convert(tsRaw, { base: "datetime", nullable: false }) as number | null | undefined) ?? null;
      if (ts === null) { bad.push({ file: path, line, reason: `ts: cannot read ${JSON.stringify(String(tsRaw))} as a time` }); continue; }
      counts.events.used++;
      if (ts > until) continue;
      const props: Record<string, Value> = {};
      for (let i = 0; i < names.length - 1; i++) {
        if (i === ci || i === ei || i === ti) continue;
        const pt = def.props.get(names[i]!)?.type ?? (def.builtin ? FEEDBACK_PROPS[names[i]!] : undefined);
        if (!pt || row[i] == null || row[i] === "") continue;
        const v = convert(row[i], pt);
        if (v !== undefined && v !== null) props[names[i]!] = v;
      }
      group.push({ name, ts, props });
    }
  }
  flush();
  counts.events.rejected = counts.events.read - counts.events.used;
}

/** A data folder that cannot be read at all (missing file or column). */
export class DataError extends Error {}

/** The rows summary line every data-reading command prints on stderr. */
export function rowsSummary(c: RowCounts): string {
  const part = (name: string, x: RowCounts["customers"]) => `${name} ${x.read} read, ${x.used} used, ${x.rejected} rejected`;
  return `rows: ${part("customers", c.customers)}; ${part("events", c.events)}\n`;
}

/** Bad rows as contract.md lists them: the first 20, then a count. */
export function formatBadRows(bad: BadRow[]): string {
  const sorted = [...bad].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
  const lines = sorted.slice(0, 20).map((b) => `${b.file}:${b.line}: ${b.reason}`);
  if (sorted.length > 20) lines.push(`… and ${sorted.length - 20} more bad rows`);
  return lines.join("\n") + "\n";
}
