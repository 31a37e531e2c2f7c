/**
 * Reading `customers.*` and `events.*` (CSV, JSONL, Parquet) through DuckDB,
 * as contract.md ("Input data") says: the reader of `run`, `simulate`,
 * `explain`, `segments`, `diff --data` and the feature scan, and (checked
 * without a schema, `defineCheckedEvents`) of `cohorts` and `report`.
 *
 * - Customers are checked and typed into one table, `__cust`, in file order
 *   (`loadCustomers`); only the columns asked for cross into JS
 *   (`customerColumns`, with flags and dictionaries where they suffice).
 * - Events are typed and checked in a view (`defineEvents`): per row the
 *   customer's index, an event code, epoch ms and the props some expression
 *   reads. Depending on the caller the view aggregates by raw id (the feature
 *   scan), keeps only the rows a run ships, or numbers the rows for listing
 *   bad ones. `streamView`/`openStream` deliver events grouped by customer in
 *   time order (ties in file order), so memory grows with customers, not
 *   with events.
 * - A Parquet file is read in two lean queries instead of one view
 *   (`defineFeatureRows`: only the rows of the events the features read;
 *   `prepareCount`: every row checked, nothing grouped); the same rows are
 *   used and rejected for the same reasons.
 *
 * Bad rows (missing or duplicate customer id, unknown customer, event not in
 * the schema, unparsable time or value, a time outside 1900–2200, a number
 * that is not finite, a NUL byte in text, and rows DuckDB cannot make: a CSV
 * row of the wrong width or not UTF-8, a JSONL line that is not JSON) are
 * collected as `file:line: reason` (rows.ts); line numbers are physical
 * lines, assuming one record per line (CSV header = line 1; Parquet: the row
 * number). runtime/README.md, "What a data row must be", has the decisions.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import type { Type, Workspace } from "../../language/ast.ts";
import type { EventRecord, Value } from "../../language/values.ts";
import { appendColumn, Column } from "./columns.ts";
import { nameRecord } from "./records.ts";
import { checkJsonLines, csvFields, csvRejects, lineNumbers, orderBadRows, rawLines, rejectsTable } from "./rows.ts";

/** A row that does not fit, as contract.md prints it. */
export interface BadRow {
  file: string;
  line: number;
  reason: string;
  /** A customers-file row: the id it had (its events then cite this row, rows.ts `orderBadRows`). */
  id?: string;
  /** An events-file row of an unknown customer: that id. */
  customer?: string;
  /** Set by rows.ts `orderBadRows` on an events row whose customer's own row was rejected. */
  cause?: { file: string; line: number };
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

function source(path: string): { sql: string; path: string; lineOffset: number; parquet: boolean } {
  const q = `'${path.replace(/'/g, "''")}'`;
  // A row DuckDB cannot make (a CSV row of the wrong width or not UTF-8, a JSONL line that is not JSON)
  // is one bad row, not a file that cannot be read: CSV skips it into a rejects table of the
  // connection (rows.ts `csvRejects`), JSONL reads it as a row of NULLs (rows.ts `checkJsonLines`).
  // The dialect is fixed (a ragged row would otherwise make the sniffer see one column).
  if (path.endsWith(".csv")) {
    const t = rejectsTable(path);
    return {
      sql: `read_csv(${q}, header = true, all_varchar = true, delim = ',', quote = '"', escape = '"', ignore_errors = true, store_rejects = true, rejects_table = '${t.errors}', rejects_scan = '${t.scans}')`,
      path, lineOffset: 1, parquet: false,
    };
  }
  if (path.endsWith(".jsonl")) return { sql: `read_json(${q}, format = 'newline_delimited', ignore_errors = true)`, path, lineOffset: 0, parquet: false };
  return { sql: `read_parquet(${q})`, path, lineOffset: 0, parquet: true };
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

/**
 * An open DuckDB for reading (in memory). With `db`, that instance is used and
 * left open by `close` (only the connections close, and with them their TEMP
 * tables and views): `playbook test` runs one small case after another on
 * the same instance rather than paying for a new one each (~20 ms). The
 * tables a reader makes (`__cust`, `__shard`) are made with CREATE OR REPLACE
 * before they are read, so one case never reads another's.
 */
export async function openReader(o: { db?: DuckDBInstance } = {}): Promise<{ con: DuckDBConnection; close: () => void; connect: () => Promise<DuckDBConnection> }> {
  const db = o.db ?? (await DuckDBInstance.create(":memory:"));
  const con = await db.connect();
  const more: DuckDBConnection[] = [];
  // More connections to the same database run queries concurrently (tables are shared; TEMP ones are not).
  const connect = async () => {
    const c = await db.connect();
    await c.run("SET TimeZone = 'UTC'");
    more.push(c);
    return c;
  };
  return { con, connect, close: () => (more.forEach((c) => c.closeSync()), con.closeSync(), o.db ? undefined : db.closeSync()) };
}

const q = (name: string) => `"${name.replace(/"/g, '""')}"`;
const lit = (v: string) => `'${v.replace(/'/g, "''")}'`;

const NUMERIC = /^(DOUBLE|FLOAT|REAL|TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|DECIMAL.*)$/;
const FLOATING = /^(DOUBLE|FLOAT|REAL)$/;
const TIMESTAMP = /^(TIMESTAMP.*|DATE)$/;

/** Times and dates outside these instants (years 1900 to 2200, UTC) are refused: a year 0000 or −0001 is a broken export, not a customer. */
export const TIME_RANGE = { min: Date.UTC(1900, 0, 1), max: Date.UTC(2201, 0, 1) - 1 } as const;

const inYears = (x: string) => `(CASE WHEN ${x} BETWEEN ${TIME_RANGE.min} AND ${TIME_RANGE.max} THEN ${x} END)`;
const finite = (x: string) => `(CASE WHEN isfinite(${x}) THEN ${x} END)`;
const noNul = (x: string) => `(CASE WHEN NOT contains(${x}, chr(0)) THEN ${x} END)`;

/**
 * SQL turning a raw column of DuckDB type `src` into the language's value of
 * type `t` (NULL when it does not parse, is not a finite number, is a time
 * outside TIME_RANGE or is text with a NUL byte). Typed columns (Parquet,
 * JSON numbers) convert directly; text goes through parsing. With
 * `bounded: false`, the parse alone (for saying why a value was refused).
 */
function castSql(col: string, t: Type, src = "VARCHAR", o: { bounded?: boolean } = {}): string {
  const b = o.bounded ?? true;
  const [years, fin, nul] = b ? [inYears, finite, noNul] : [(x: string) => x, (x: string) => x, (x: string) => x];
  // Typed columns test the raw value (isfinite of the double, the TIMESTAMP against the range)
  // rather than the converted one, which a CASE would compute twice for every row.
  if (t.base === "number" && NUMERIC.test(src)) return FLOATING.test(src) && b ? `(CASE WHEN isfinite(${col}) THEN CAST(${col} AS DOUBLE) END)` : `CAST(${col} AS DOUBLE)`;
  if (t.base === "bool" && src === "BOOLEAN") return col;
  if ((t.base === "datetime" || t.base === "date") && TIMESTAMP.test(src)) {
    const ms = `epoch_ms(CAST(${col} AS TIMESTAMP))::DOUBLE`;
    const ts = `CAST(${col} AS TIMESTAMP)`;
    return b ? `(CASE WHEN ${ts} >= epoch_ms(${TIME_RANGE.min}) AND ${ts} < epoch_ms(${TIME_RANGE.max + 1}) THEN ${ms} END)` : ms;
  }
  if (t.base === "string" && src === "VARCHAR") return nul(`NULLIF(${col}, '')`);
  const v = src === "VARCHAR" ? `NULLIF(${col}, '')` : `NULLIF(CAST(${col} AS VARCHAR), '')`;
  switch (t.base) {
    case "number": return fin(`TRY_CAST(${v} AS DOUBLE)`);
    case "bool": return `(CASE lower(${v}) WHEN 'true' THEN true WHEN '1' THEN true WHEN 'false' THEN false WHEN '0' THEN false END)`;
    case "date": return years(`epoch_ms(CAST(TRY_CAST(${v} AS DATE) AS TIMESTAMP))::DOUBLE`);
    case "datetime": return years(`epoch_ms(TRY_CAST(${v} AS TIMESTAMPTZ))::DOUBLE`);
    default: return nul(v);
  }
}

/** SQL true when a raw cell of DuckDB type `src` is present but does not parse as `t` (FALSE when it cannot fail). */
function badSql(col: string, t: Type, src = "VARCHAR"): string {
  const cast = castSql(col, t, src);
  if (!cast.includes("TRY_CAST") && !cast.includes("CASE")) return "FALSE";
  // Present: a non-empty text, or any typed value (a typed value is never ''); testing a typed
  // column without casting it to text saves a cast of every row (20M TIMESTAMPs: several seconds).
  const present = src === "VARCHAR" ? `NULLIF(${col}, '') IS NOT NULL` : `${col} IS NOT NULL`;
  return `(${present} AND ${cast} IS NULL)`;
}

/**
 * SQL for why a cell that `badSql` refuses was refused, as `name: …`: a NUL byte, a time outside the
 * years 1900–2200, a number that is not finite, or else `plain` (SQL text, the parse failed).
 */
function whySql(col: string, t: Type, src: string, name: string, plain: string): string {
  const text = `CAST(${col} AS VARCHAR)`;
  const parsed = castSql(col, t, src, { bounded: false });
  const shown = (what: string) => `${lit(`${name}: "`)} || ${text} || ${lit(`" ${what}`)}`;
  const limit = t.base === "date" || t.base === "datetime" ? `WHEN ${parsed} IS NOT NULL THEN ${shown("is outside the years 1900–2200")}`
    : t.base === "number" ? `WHEN ${parsed} IS NOT NULL THEN ${shown("is not a finite number")}` : "";
  return `(CASE WHEN contains(${text}, chr(0)) THEN ${lit(`${name}: contains a NUL byte`)} ${limit} ELSE ${plain} END)`;
}

/** A JSON structure type (`json_group_structure`) as a DuckDB column type: lists of scalars typed, other nesting as JSON. */
function structureType(t: unknown): string {
  if (typeof t === "string") return t === "NULL" ? "VARCHAR" : t;
  if (Array.isArray(t) && t.length === 1 && typeof t[0] === "string") return `${structureType(t[0])}[]`;
  return "JSON";
}

/**
 * Column names and DuckDB types of a source. A JSONL file whose format
 * detection met a line that is not an object (DuckDB then sees one `json`
 * column, not records) gets its columns from the object lines of the same
 * sample, 20,480 of them as DuckDB samples, and `src.sql` reads them
 * explicitly: such a line is then a row of NULLs, one bad row, wherever it is.
 */
async function columnsOf(con: DuckDBConnection, source: { sql: string; path?: string }): Promise<string[] & { types: Map<string, string> }> {
  let rows = (await con.runAndReadAll(`DESCRIBE SELECT * FROM ${source.sql}`)).getRows();
  if (source.path?.endsWith(".jsonl") && rows.length === 1 && String(rows[0]![0]) === "json" && String(rows[0]![1]) === "JSON") {
    const [[shape]] = (await con.runAndReadAll(`SELECT json_group_structure(json) FROM (SELECT json FROM read_json_objects(${lit(source.path)}, format = 'newline_delimited', ignore_errors = true)
      WHERE json_type(json) = 'OBJECT' LIMIT 20480)`)).getRows() as [[string | null]];
    const fields = Object.entries((shape ? JSON.parse(shape) : {}) as Record<string, unknown>);
    if (fields.length) {
      const spec = fields.map(([k, t]) => `${lit(k)}: ${lit(structureType(t))}`).join(", ");
      source.sql = `read_json(${lit(source.path)}, format = 'newline_delimited', ignore_errors = true, columns = {${spec}})`;
      rows = (await con.runAndReadAll(`DESCRIBE SELECT * FROM ${source.sql}`)).getRows();
    }
  }
  const names = rows.map((r) => String(r[0])) as string[] & { types: Map<string, string> };
  names.types = new Map(rows.map((r) => [String(r[0]), String(r[1])]));
  return names;
}

/** Stands for an attribute that is present where only presence is read (see `customerColumns`). */
export const PRESENT = "(present)";

/** The customers as loaded into `__cust`: how many, and which attribute columns the file has. */
export interface CustomersTable {
  size: number;
  attrs: string[];
}

/**
 * Reads and checks every customer into the temporary table `__cust`
 * (`customer_id`, one column per schema attribute the file has, typed by
 * `schema.customer`), in file order: a customer's `rowid` there is their
 * index `ci` everywhere else.
 * Bad rows go to `bad`: missing id, duplicate id (the first row wins), a
 * value that does not parse. Nothing crosses into JS but the bad rows.
 * With `keep`, every attribute is still checked but only those named are
 * kept in `__cust` (a caller that reads few of them copies less).
 */
export async function loadCustomers(con: DuckDBConnection, ws: Workspace, path: string, bad: BadRow[], counts: RowCounts, o: { keep?: readonly string[] } = {}): Promise<CustomersTable> {
  const src = source(path);
  await con.run("SET TimeZone = 'UTC'");
  const cols = await columnsOf(con, src);
  if (!cols.includes("customer_id")) throw new DataError(`${path}: no customer_id column`);
  const attrs = cols.filter((c) => c !== "customer_id" && ws.schema.customer.has(c));
  const types = attrs.map((a) => ws.schema.customer.get(a)!.type);
  const st = (a: string) => cols.types.get(a) ?? "VARCHAR";
  const anyBad = attrs.length ? attrs.map((a, i) => badSql(`r.${q(a)}`, types[i]!, st(a))).join(" OR ") : "false";
  // The raw rows in file order with their position __rn (__rn + 1 is the row number), and the ids
  // that occur more than once with their first row (the first row wins). A Parquet file is read
  // again by each step (cheap: columnar, and it numbers its rows); text files are parsed once into
  // a table, whose rowid is the insertion position.
  if (src.parquet) {
    await con.run(`CREATE OR REPLACE TEMP VIEW __craw AS SELECT * EXCLUDE (file_row_number), CAST(customer_id AS VARCHAR) AS __id, file_row_number AS __rn
      FROM read_parquet(${lit(path)}, file_row_number = true)`);
  } else {
    await con.run(`CREATE OR REPLACE TEMP TABLE __crawt AS SELECT *, CAST(customer_id AS VARCHAR) AS __id FROM ${src.sql}`);
    await con.run(`CREATE OR REPLACE TEMP VIEW __craw AS SELECT *, rowid AS __rn FROM __crawt`);
  }
  await con.run(`CREATE OR REPLACE TEMP TABLE __cdup AS SELECT __id, min(__rn) AS first FROM __craw WHERE NULLIF(__id, '') IS NOT NULL GROUP BY __id HAVING count(*) > 1`);
  const badRes = await con.runAndReadAll(`SELECT r.__rn + 1, r.__id, NULLIF(r.__id, '') IS NULL AS noid, contains(r.__id, chr(0)) AS nul, d.first IS NOT NULL AND r.__rn > d.first AS dup,
      ${attrs.length ? `[${attrs.map((a, i) => `CASE WHEN ${badSql(`r.${q(a)}`, types[i]!, st(a))} THEN ${whySql(`r.${q(a)}`, types[i]!, st(a), a, `${lit(a)} || ': cannot read "' || CAST(r.${q(a)} AS VARCHAR) || '" as ${types[i]!.base}'`)} END`).join(", ")}]` : "[]"} AS why
    FROM __craw r LEFT JOIN __cdup d ON r.__id = d.__id
    WHERE NULLIF(r.__id, '') IS NULL OR contains(r.__id, chr(0)) OR (d.first IS NOT NULL AND r.__rn > d.first) OR ${anyBad}`);
  // Rows DuckDB could not read at all (CSV: wrong number of fields, not UTF-8) are bad rows too; the id
  // they had, when their customer_id field can be found, lets their events cite them.
  const skipped = await csvRejects(con, path);
  const found = badRes.getRows();
  const lines = src.parquet ? null : await lineNumbers(path, found.map((r) => Number(r[0])), new Set(skipped.map((x) => x.line)));
  const mine: BadRow[] = [];
  for (const [rn, id, noid, nul, dup, why] of found) {
    const line = lines?.get(Number(rn)) ?? Number(rn) + src.lineOffset;
    const reason = noid ? "missing customer_id" : nul ? "customer_id: contains a NUL byte" : dup ? `duplicate customer_id ${JSON.stringify(id)}` : String((why as { items: unknown[] }).items.find((x) => x != null));
    // A duplicate's id stays known (its first row is used); any other rejected id is gone.
    mine.push({ file: path, line, reason, ...(noid || dup ? {} : { id: String(id) }) });
  }
  const at = cols.indexOf("customer_id");
  for (const x of skipped) {
    const id = csvFields(x.text)[at];
    mine.push({ file: path, line: x.line, reason: x.reason, ...(id ? { id } : {}) });
  }
  await checkJsonLines(path, mine);
  bad.push(...mine);
  // The customers in file order: `ci` (their position) is the table's rowid.
  // A plain table (not TEMP): other connections of the run read it concurrently.
  // Without duplicate ids (the usual case) it is a scan and a filter, which keep insertion order
  // (preserve_insertion_order, on by default); a join with the duplicates needs the sort.
  const [[dups]] = (await con.runAndReadAll("SELECT count(*) FROM __cdup")).getRows() as [[bigint]];
  // Every attribute is checked; with `keep`, only those are kept in the table.
  const kept = o.keep ? attrs.filter((a) => o.keep!.includes(a)) : attrs;
  const cast = kept.map((a) => `${castSql(`r.${q(a)}`, types[attrs.indexOf(a)]!, st(a))} AS ${q(a)}`).join(", ") || "NULL AS __none";
  await con.run(dups === 0n
    ? `CREATE OR REPLACE TABLE __cust AS SELECT r.__id AS customer_id, ${cast}
      FROM __craw r WHERE NULLIF(r.__id, '') IS NOT NULL AND NOT contains(r.__id, chr(0)) AND NOT (${anyBad})`
    : `CREATE OR REPLACE TABLE __cust AS SELECT r.__id AS customer_id, ${cast}
      FROM __craw r LEFT JOIN __cdup d ON r.__id = d.__id
      WHERE NULLIF(r.__id, '') IS NOT NULL AND NOT contains(r.__id, chr(0)) AND (d.first IS NULL OR r.__rn = d.first) AND NOT (${anyBad})
      ORDER BY r.__rn`);
  await con.run("DROP TABLE __cdup");
  const [[total, used]] = (await con.runAndReadAll("SELECT (SELECT count(*) FROM __craw), (SELECT count(*) FROM __cust)")).getRows() as [[bigint, bigint]];
  await con.run("DROP VIEW __craw");
  if (!src.parquet) await con.run("DROP TABLE __crawt");
  counts.customers.read = Number(total) + skipped.length;
  counts.customers.used = Number(used);
  counts.customers.rejected = Number(total) + skipped.length - Number(used);
  return { size: Number(used), attrs };
}

/**
 * Customer ids (in `ci` order, that is file order) and the named attribute
 * columns of `__cust`, as JS arrays. Attributes in `presence` come as
 * PRESENT (a non-empty string) or null instead of their value. Text columns
 * with few distinct values (time zones, cities, plans) cross as integer codes
 * into a dictionary: one string per distinct value instead of one per row.
 */
export async function customerColumns(
  con: DuckDBConnection, attrs: readonly string[], presence: ReadonlySet<string> = new Set(), o: { ids?: boolean; only?: number } = {},
): Promise<{ ids: string[]; columns: unknown[][] }> {
  // Without `ids`, only the attribute columns cross (ids stays empty). With `only`, the customer of that
  // index alone (one row: no dictionaries).
  const withIds = o.ids ?? true;
  const ids: unknown[] = [];
  const columns: unknown[][] = attrs.map(() => []);
  const types = new Map((await con.runAndReadAll("DESCRIBE __cust")).getRows().map((r) => [String(r[0]), String(r[1])]));
  const dicts = new Map<string, string[]>();
  const text = o.only === undefined ? attrs.filter((a) => !presence.has(a) && types.get(a) === "VARCHAR") : [];
  if (text.length) {
    const counts = (await con.runAndReadAll(`SELECT ${text.map((a) => `count(DISTINCT ${q(a)})`).join(", ")} FROM __cust`)).getRows()[0]!;
    for (let i = 0; i < text.length; i++) {
      if (Number(counts[i]) > 4096) continue;
      const values = (await con.runAndReadAll(`SELECT DISTINCT ${q(text[i]!)} FROM __cust WHERE ${q(text[i]!)} IS NOT NULL ORDER BY 1`)).getRows().map((r) => String(r[0]));
      dicts.set(text[i]!, values);
    }
  }
  const select = attrs.map((a) => {
    if (presence.has(a)) return `(${q(a)} IS NOT NULL)`;
    const d = dicts.get(a);
    // The code is the value's position in the sorted dictionary.
    if (d) return d.length ? `CAST(list_position([${d.map(lit).join(", ")}]::VARCHAR[], ${q(a)}) AS INTEGER)` : "CAST(NULL AS INTEGER)";
    return q(a);
  });
  const res = await con.stream(`SELECT ${[withIds ? "customer_id" : "NULL", ...select].join(", ")} FROM __cust${o.only !== undefined ? ` WHERE rowid = ${o.only}` : ""} ORDER BY rowid`);
  for (let chunk = await res.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await res.fetchChunk()) {
    if (withIds) appendColumn(chunk.getColumnVector(0), chunk.rowCount, ids);
    for (let i = 0; i < attrs.length; i++) appendColumn(chunk.getColumnVector(i + 1), chunk.rowCount, columns[i]!);
  }
  for (let i = 0; i < attrs.length; i++) {
    const a = attrs[i]!;
    const col = columns[i]!;
    const d = dicts.get(a);
    if (presence.has(a)) for (let r = 0; r < col.length; r++) col[r] = col[r] ? PRESENT : null;
    else if (d) for (let r = 0; r < col.length; r++) col[r] = col[r] === null ? null : d[(col[r] as number) - 1]!;
  }
  return { ids: ids as string[], columns };
}

/**
 * Reads every customer (see `loadCustomers`) into a Map by id, in file order,
 * each with its attributes and `customer_id`. Leaves `__cust` for the event
 * readers to join against.
 */
export async function readCustomers(con: DuckDBConnection, ws: Workspace, path: string, bad: BadRow[], counts: RowCounts): Promise<Map<string, Record<string, Value>>> {
  const { attrs } = await loadCustomers(con, ws, path, bad, counts);
  const { ids, columns } = await customerColumns(con, attrs);
  const out = new Map<string, Record<string, Value>>();
  for (let r = 0; r < ids.length; r++) {
    const a = nameRecord<Value>();
    a.customer_id = ids[r]!;
    for (let i = 0; i < attrs.length; i++) a[attrs[i]!] = (columns[i]![r] ?? null) as Value;
    out.set(ids[r]!, a);
  }
  return out;
}

/** Every prop name an expression of the workspace may read (by name: conservative). */
export function propsUsed(ws: Workspace): Set<string> {
  const used = new Set<string>(["rule", "step", "channel", "hard"]);
  const walk = (n: unknown): void => {
    if (!n || typeof n !== "object") return;
    if (Array.isArray(n)) return n.forEach(walk);
    const o = n as Record<string, unknown>;
    if (o.kind === "name" && typeof o.name === "string") used.add(o.name);
    if (o.kind === "member" && typeof o.prop === "string") used.add(o.prop);
    if (o.kind === "agg" && typeof o.prop === "string") used.add(o.prop);
    for (const [k, v] of Object.entries(o)) if (k !== "span" && k !== "type") walk(v);
  };
  walk([...ws.rules.values()]);
  walk([...ws.segments.values()].map((s) => s.expr));
  walk([...ws.channels.values()].map((c) => c.requires));
  walk([ws.suppress, ws.defaults.exit]);
  // RFM's monetary value and the report's revenue come from the goal event's value prop.
  if (ws.rfm?.value) used.add(ws.rfm.value);
  return used;
}

/** How the events file was laid out as the view `__ev` (see `defineEvents`). */
export interface EventsView {
  path: string;
  lineOffset: number;
  /** Event names of the schema; `ev` in the view is the index here. */
  names: string[];
  /** Prop columns present in the file and read by some expression (`p_<prop>` in the view). */
  props: string[];
  propTypes: Map<string, Type>;
  /** Attribute columns joined in (`a_<attr>` in the view). */
  attrs: string[];
  /** SQL (over the view's columns) true for a row that is used: known customer, event and time, props that parse. */
  ok: string;
}

/** How an events file's columns are read: its source, the schema's event names, the prop columns some expression reads, their checks. */
interface EventLayout {
  src: ReturnType<typeof source>;
  names: string[];
  /** Prop columns present in the file and read by some expression. */
  props: string[];
  propTypes: Map<string, Type>;
  /** DuckDB type of a column of the file. */
  st: (column: string) => string;
  /** `ts` as epoch ms (NULL when it does not parse). */
  tsSql: string;
  /** One condition per prop whose cell can fail to parse, true when it parses (none for typed columns). */
  okProps: string[];
}

/**
 * Copies the rows of one event of an events file as read (its customer_id, event, ts and `prop`
 * columns, their types kept, nothing parsed or checked) to a Parquet file `to`: what further scans
 * of that event alone read instead of the whole file (RFM snapshots, rfm-days.ts), the scans
 * checking each row as they would in the original.
 */
export async function copyEventRows(con: DuckDBConnection, path: string, event: string, prop: string | null, to: string): Promise<void> {
  const { src, cols } = await eventColumns(con, path);
  const keep = ["customer_id", "event", "ts", ...(prop !== null && cols.includes(prop) ? [prop] : [])].map(q).join(", ");
  await con.run(`COPY (SELECT ${keep} FROM ${src.sql} e WHERE CAST(e.event AS VARCHAR) = ${lit(event)}) TO ${lit(to)} (FORMAT parquet)`);
}

/** The columns of an events file, which must have customer_id, event and ts. */
async function eventColumns(con: DuckDBConnection, path: string): Promise<{ src: ReturnType<typeof source>; cols: Awaited<ReturnType<typeof columnsOf>> }> {
  const src = source(path);
  const cols = await columnsOf(con, src);
  for (const c of ["customer_id", "event", "ts"]) if (!cols.includes(c)) throw new DataError(`${path}: events need customer_id, event and ts columns`);
  return { src, cols };
}

async function eventLayout(con: DuckDBConnection, ws: Workspace, path: string, extraProps?: Iterable<string>): Promise<EventLayout> {
  const { src, cols } = await eventColumns(con, path);
  const names = [...ws.schema.events.keys()];
  const used = propsUsed(ws);
  // One SQL type per prop column: the first event of the schema that declares it (feedback props as contract.md says).
  const propTypes = new Map<string, Type>();
  for (const def of ws.schema.events.values()) for (const [k, a] of def.props) if (!propTypes.has(k)) propTypes.set(k, a.type);
  for (const [k, t] of Object.entries(FEEDBACK_PROPS)) if (!propTypes.has(k)) propTypes.set(k, t);
  for (const p of extraProps ?? []) used.add(p);
  const props = cols.filter((c) => c !== "customer_id" && c !== "event" && c !== "ts" && used.has(c) && propTypes.has(c));
  const st = (c: string) => cols.types.get(c) ?? "VARCHAR";
  const tsSql = castSql("e.ts", { base: "datetime", nullable: false }, st("ts"));
  const okProps = props.map((p) => badSql(`e.${q(p)}`, propTypes.get(p)!, st(p))).filter((b) => b !== "FALSE").map((b) => `NOT ${b}`);
  return { src, names, props, propTypes, st, tsSql, okProps };
}

/** The time of the last event in the file whose time parses (epoch ms), or null when there is none. */
export async function latestEventTime(ws: Workspace, path: string): Promise<number | null> {
  const { con, close } = await openReader();
  try {
    await con.run("SET TimeZone = 'UTC'");
    const { src, tsSql } = await eventLayout(con, ws, path);
    const [[t]] = (await con.runAndReadAll(`SELECT max(${tsSql}) FROM ${src.sql} e`)).getRows() as [[number | null]];
    return t === null ? null : Number(t);
  } finally {
    close();
  }
}

/** An events file checked without a workspace (see `defineCheckedEvents`): how to list its bad rows. */
export interface CheckedEvents {
  /** The prop columns the file has, among those asked for (`p_<prop>` in the view). */
  props: string[];
  /** Lists the bad rows into `bad`; returns how many rows were read (those DuckDB skipped included). */
  list(bad: BadRow[]): Promise<number>;
}

/**
 * Defines the TEMP view `name` over an events file checked without a
 * workspace, by the rules of `defineEvents` (contract.md "Input data";
 * runtime/README.md "What a data row must be") minus those that need a
 * schema: `rn` (position), `cid` (customer id), `ev` (event name), `t`
 * (epoch ms), `p_<prop>` for each prop of `props` the file has, typed, and
 * `ok` (id and event present and free of NUL bytes, a time in 1900–2200,
 * every prop asked for parses). For `playbook cohorts` and `playbook
 * report`, which read events without a customers file or schema. With
 * `rowNumbers: false`, `rn` is NULL (numbering rows costs a pass in file
 * order) and `list` cannot place rows: for a caller that only counts.
 */
export async function defineCheckedEvents(con: DuckDBConnection, path: string, name: string, props: Record<string, Type> = {}, o: { rowNumbers?: boolean } = {}): Promise<CheckedEvents> {
  await con.run("SET TimeZone = 'UTC'");
  const { src, cols } = await eventColumns(con, path);
  const st = (c: string) => cols.types.get(c) ?? "VARCHAR";
  const have = Object.keys(props).filter((p) => cols.includes(p) && !["customer_id", "event", "ts"].includes(p));
  const str: Type = { base: "string", nullable: true };
  const ts: Type = { base: "datetime", nullable: false };
  const why = have.map((p) => `CASE WHEN ${badSql(`e.${q(p)}`, props[p]!, st(p))} THEN ${whySql(`e.${q(p)}`, props[p]!, st(p), p, `${lit(p)} || ': cannot read "' || CAST(e.${q(p)} AS VARCHAR) || '" as ${props[p]!.base}'`)} END`);
  // `ok` tests each prop by its own condition, not through the list of reasons (built per row only for listing).
  const okProps = have.map((p) => badSql(`e.${q(p)}`, props[p]!, st(p))).filter((b) => b !== "FALSE").map((b) => ` AND NOT ${b}`).join("");
  await con.run(`CREATE OR REPLACE TEMP VIEW ${q(name)} AS SELECT * EXCLUDE (okp), cid IS NOT NULL AND ev IS NOT NULL AND t IS NOT NULL AND okp AS ok FROM (
      SELECT e.__rn AS rn, ${castSql("e.customer_id", str, st("customer_id"))} AS cid, ${castSql("e.event", str, st("event"))} AS ev,
        CAST(e.customer_id AS VARCHAR) AS raw_id, CAST(e.event AS VARCHAR) AS raw_event, CAST(e.ts AS VARCHAR) AS raw_ts, ${castSql("e.ts", ts, st("ts"))} AS t,
        ${castSql("e.ts", ts, st("ts"), { bounded: false })} IS NOT NULL AS parsed, TRUE${okProps} AS okp,
        ${have.length ? `list_filter([${why.join(", ")}], x -> x IS NOT NULL)` : "[]::VARCHAR[]"} AS bad_props
        ${have.map((p) => `, ${castSql(`e.${q(p)}`, props[p]!, st(p))} AS ${q(`p_${p}`)}`).join("")}
      FROM ${o.rowNumbers ?? true ? `(SELECT *, row_number() OVER () AS __rn FROM ${src.sql})` : `(SELECT *, NULL::BIGINT AS __rn FROM ${src.sql})`} e)`);
  return {
    props: have,
    async list(bad) {
      const found = (await con.runAndReadAll(`SELECT rn, raw_id, raw_event, raw_ts, cid IS NULL, ev IS NULL, parsed, t IS NULL, bad_props FROM ${q(name)} WHERE NOT ok ORDER BY rn`)).getRows();
      const skipped = await csvRejects(con, path);
      const lines = src.parquet ? null : await lineNumbers(path, found.map((r) => Number(r[0])), new Set(skipped.map((x) => x.line)));
      const nul = (raw: unknown) => typeof raw === "string" && raw.includes("\0");
      const mine: BadRow[] = found.map(([rn, id, event, raw, noId, noEv, parsed, noTs, why]) => ({
        file: path, line: lines?.get(Number(rn)) ?? Number(rn) + src.lineOffset,
        reason: noId ? (nul(id) ? "customer_id: contains a NUL byte" : "missing customer_id") : noEv ? (nul(event) ? "event: contains a NUL byte" : "missing event")
          : noTs ? (parsed ? `ts: ${JSON.stringify(raw)} is outside the years 1900–2200` : `ts: cannot read ${JSON.stringify(raw)} as a time`)
          : String((why as { items: unknown[] }).items[0]),
      }));
      for (const x of skipped) mine.push({ file: path, line: x.line, reason: x.reason });
      await checkJsonLines(path, mine);
      bad.push(...mine);
      // Over the columns the listing reads (DuckDB checks a CSV cell's bytes only in the columns a query reads).
      const [[counted]] = (await con.runAndReadAll(`SELECT count(ok) FROM ${q(name)}`)).getRows() as [[bigint]];
      return Number(counted) + skipped.length;
    },
  };
}

/**
 * Cohorts of the events of `goal` in a file, checked without a workspace
 * (`defineCheckedEvents`), counted in DuckDB: for each cohort (the UTC
 * month, year × 12 + month − 1, of a customer's first goal event) and each
 * k ≥ 0, how many of its customers had a goal event in month cohort + k; the
 * last month with one; every bad row. For `playbook cohorts`, which needs no
 * customers file or schema.
 */
export async function goalCohorts(path: string, goal: string): Promise<{ cells: { cohort: number; k: number; customers: number }[]; last: number | null; bad: BadRow[]; read: number }> {
  const { con, close } = await openReader();
  try {
    const checked = await defineCheckedEvents(con, path, "__g");
    const bad: BadRow[] = [];
    const read = await checked.list(bad);
    await con.run(`CREATE TEMP TABLE __gm AS SELECT DISTINCT cid, CAST(year(m) * 12 + month(m) - 1 AS INTEGER) AS month
      FROM (SELECT cid, make_timestamp(CAST(t * 1000 AS BIGINT)) AS m FROM __g WHERE ok AND ev = ${lit(goal)})`);
    const cells = (await con.runAndReadAll(`WITH f AS (SELECT cid, min(month) AS cohort FROM __gm GROUP BY cid)
      SELECT f.cohort, g.month - f.cohort AS k, count(*) FROM __gm g JOIN f USING (cid) GROUP BY ALL ORDER BY 1, 2`)).getRows()
      .map(([c, k, n]) => ({ cohort: Number(c), k: Number(k), customers: Number(n) }));
    const [[last]] = (await con.runAndReadAll("SELECT max(month) FROM __gm")).getRows() as [[number | null]];
    return { cells, last: last === null ? null : Number(last), bad, read };
  } finally {
    close();
  }
}

/** Whether an events or customers file is read column by column (Parquet), so that reading it twice is cheap. */
export function isColumnar(path: string): boolean {
  return source(path).parquet;
}

/**
 * Columnar files only (see `isColumnar`): defines `__ev` over the used rows
 * of the events named in `events` alone, with the columns of `defineEvents`
 * (`ev`, `t`, `ok` = TRUE, `p_<prop>` for the props in `select` that some
 * expression reads, and
 * either `cid` (the raw id, `join: false`: unknown customers become groups the
 * caller drops) or `ci` and `a_<attr>` joined from `__cust`). The name
 * filter is pushed into the file's scan, so rows of other events are never
 * decoded; `prepareCount` checks every row and counts them. Rows that break
 * the contract (time or a prop that does not parse) are left out, as a
 * rejected row is.
 */
export async function defineFeatureRows(
  con: DuckDBConnection, ws: Workspace, path: string,
  o: { events: string[]; select: Iterable<string>; attrs?: string[]; join: boolean },
): Promise<EventsView> {
  const { src, names, props: all, propTypes, st, tsSql, okProps } = await eventLayout(con, ws, path);
  const want = new Set(o.select);
  const props = all.filter((p) => want.has(p));
  const codes = o.events.map((n) => [n, names.indexOf(n)] as const).filter(([, i]) => i >= 0);
  const event = st("event") === "VARCHAR" ? "e.event" : "CAST(e.event AS VARCHAR)";
  const filter = codes.length ? `${event} IN (${codes.map(([n]) => lit(n)).join(", ")})` : "FALSE";
  const code = codes.length ? `(CASE ${event} ${codes.map(([n, i]) => `WHEN ${lit(n)} THEN ${i}`).join(" ")} END)` : "CAST(NULL AS INTEGER)";
  const attrs = (o.attrs ?? []).filter((a) => ws.schema.customer.has(a));
  const custCols = new Set((await con.runAndReadAll("DESCRIBE __cust")).getRows().map((r) => String(r[0])));
  const rows = `SELECT CAST(e.customer_id AS VARCHAR) AS cid, ${code} AS ev, ${tsSql} AS t${props.map((p) => `, ${castSql(`e.${q(p)}`, propTypes.get(p)!, st(p))} AS ${q(`p_${p}`)}`).join("")}
    FROM ${src.sql} e WHERE ${[filter, ...okProps].join(" AND ")}`;
  const cols = `x.ev, x.t, TRUE AS ok${props.map((p) => `, x.${q(`p_${p}`)}`).join("")}`;
  await con.run(o.join
    ? `CREATE OR REPLACE TEMP VIEW __ev AS SELECT c.__ci AS ci, ${cols}${attrs.map((a) => `, ${custCols.has(a) ? `c.${q(a)}` : "NULL"} AS ${q(`a_${a}`)}`).join("")}
        FROM (${rows}) x JOIN (SELECT *, CAST(rowid AS INTEGER) AS __ci FROM __cust) c ON x.cid = c.customer_id WHERE x.t IS NOT NULL`
    : `CREATE OR REPLACE TEMP VIEW __ev AS SELECT x.cid, ${cols} FROM (${rows}) x WHERE x.t IS NOT NULL`);
  return { path, lineOffset: src.lineOffset, names, props, propTypes, attrs: o.join ? attrs : [], ok: "ok" };
}

/**
 * Every row of the events file checked and counted in one pass, nothing
 * grouped or kept: rows read, and rows rejected (unknown or missing customer,
 * event not in the schema, a time or prop that does not parse: the rules of
 * `defineEvents`). The event names are looked up once per distinct name
 * first (a columnar file answers from its dictionaries), so the per-row test
 * is there only when some name is unknown. Needs `__cust`. In two halves:
 * this prepares (the file's columns, its distinct event names) and returns a
 * function that starts the count at once (DuckDB works on it in its own
 * threads even while JS is busy) and settles with it.
 */
export async function prepareCount(con: DuckDBConnection, ws: Workspace, path: string): Promise<() => Promise<{ read: number; rejected: number }>> {
  const { src, names, tsSql, okProps } = await eventLayout(con, ws, path);
  const present = (await con.runAndReadAll(`SELECT DISTINCT CAST(event AS VARCHAR) FROM ${src.sql}`)).getRows().map((r) => r[0] as string | null);
  const known = new Set(names);
  const badName = present.some((n) => n === null || !known.has(n)) ? [`CAST(e.event AS VARCHAR) IS NULL OR CAST(e.event AS VARCHAR) NOT IN (${names.map(lit).join(", ")})`] : [];
  const bad = ["c.customer_id IS NULL", `${tsSql} IS NULL`, ...badName, ...okProps.map((x) => `NOT (${x})`)].map((x) => `(${x})`).join(" OR ");
  const sql = `SELECT count(*), count(*) FILTER (WHERE ${bad})
    FROM ${src.sql} e LEFT JOIN (SELECT customer_id FROM __cust) c ON CAST(e.customer_id AS VARCHAR) = c.customer_id`;
  return () => {
    const running = con.runAndReadAll(sql);
    return running.then((res) => {
      const [[read, rejected]] = res.getRows() as [[bigint, bigint]];
      return { read: Number(read), rejected: Number(rejected) };
    });
  };
}

/**
 * Defines the temporary view `__ev` over the events file: `ci` (the
 * customer's index in customer-id order, NULL for an unknown customer), `ev`
 * (event code, NULL outside the schema), `t` (epoch ms, NULL when it does not
 * parse), the typed props as `p_<prop>` and, with `attrs`, customer
 * attributes as `a_<attr>`; with `rowNumbers`, also `rn` (the row's position
 * in the file) and the raw cells for listing bad rows. With `join: false`
 * the customer is the raw id `cid` (join after aggregating); with `ship`,
 * only used rows up to `until` and after their event's cutoff (by event
 * code), with `ci` and `rn`, for `streamView` (with `ship.customer`, that
 * customer's rows alone). A view, not a table:
 * each query re-reads the file, so the 20M-row intermediate is never held.
 * Needs `__cust` from `readCustomers`.
 */
export async function defineEvents(
  con: DuckDBConnection, ws: Workspace, path: string,
  o: { rowNumbers: boolean; attrs?: string[]; extraProps?: Iterable<string>; join?: boolean; ship?: { until: number; cutoffs: number[]; customer?: string } },
): Promise<EventsView> {
  const { src, names, props, propTypes, st, tsSql, okProps } = await eventLayout(con, ws, path, o.extraProps);
  const code = `(CASE CAST(e.event AS VARCHAR) ${names.map((n, i) => `WHEN ${lit(n)} THEN ${i}`).join(" ")} END)`;
  // Attributes missing from the customers file read as null.
  const custCols = new Set((await con.runAndReadAll("DESCRIBE __cust")).getRows().map((r) => String(r[0])));
  const attrs = (o.attrs ?? []).filter((a) => ws.schema.customer.has(a));
  const propBad = props.map((p) => `CASE WHEN ${badSql(`e.${q(p)}`, propTypes.get(p)!, st(p))} THEN ${whySql(`e.${q(p)}`, propTypes.get(p)!, st(p), p, lit(`${p}: cannot read the value`))} END`);
  const raw = o.rowNumbers ? `(SELECT *, row_number() OVER () AS __rn FROM ${src.sql})` : src.sql;
  const joined = attrs.map((a) => `, ${custCols.has(a) ? q(a) : "NULL"} AS ${q(`__a_${a}`)}`).join("");
  const from = `${raw} e LEFT JOIN (SELECT customer_id AS __id, CAST(rowid AS INTEGER) AS __ci${joined} FROM __cust) c ON CAST(e.customer_id AS VARCHAR) = c.__id`;
  const extra = o.rowNumbers
    ? `, e.__rn AS rn, CAST(e.customer_id AS VARCHAR) AS raw_id, CAST(e.event AS VARCHAR) AS raw_event, CAST(e.ts AS VARCHAR) AS raw_ts,
      ${castSql("e.ts", { base: "datetime", nullable: false }, st("ts"), { bounded: false })} IS NOT NULL AS ts_parsed,
      ${props.length ? `[${propBad.join(", ")}]` : "[]::VARCHAR[]"} AS bad_props`
    : "";
  if (o.ship) {
    // Only the rows to ship: used, up to `until`, after their event's cutoff. Event codes and cutoffs
    // come from a join with a small table (a CASE per row costs more), rows are numbered before the
    // filter (so `rn` is still the position in the file) and joined to the customers after it.
    const cut = o.ship.cutoffs;
    await con.run(`CREATE OR REPLACE TEMP TABLE __evk AS SELECT * FROM (VALUES ${names.map((n, i) => `(${lit(n)}, ${i}, ${Number.isFinite(cut[i]!) ? cut[i] : -1e300}::DOUBLE)`).join(", ")}) k(name, code, cut)`);
    await con.run(`CREATE OR REPLACE TEMP VIEW __ev AS SELECT c.__ci AS ci, x.ev, x.t, x.rn, TRUE AS ok${props.map((p) => `, x.${q(`p_${p}`)}`).join("")} FROM (
        SELECT CAST(e.customer_id AS VARCHAR) AS cid, k.code AS ev, k.cut, ${tsSql} AS t, e.__rn AS rn
          ${okProps.length ? `, (${okProps.join(" AND ")}) AS okp` : ", TRUE AS okp"}
          ${props.map((p) => `, ${castSql(`e.${q(p)}`, propTypes.get(p)!, st(p))} AS ${q(`p_${p}`)}`).join("")}
        FROM (SELECT *, row_number() OVER () AS __rn FROM ${src.sql}) e JOIN __evk k ON CAST(e.event AS VARCHAR) = k.name) x
      JOIN (SELECT customer_id AS __id, CAST(rowid AS INTEGER) AS __ci FROM __cust) c ON x.cid = c.__id
      WHERE x.t > x.cut AND x.t <= ${Number.isFinite(o.ship.until) ? o.ship.until : 1e300} AND x.okp${o.ship.customer !== undefined ? ` AND x.cid = ${lit(o.ship.customer)}` : ""}`);
    return { path, lineOffset: src.lineOffset, names, props, propTypes, attrs: [], ok: "ok" };
  }
  if (o.join === false) {
    // No customer join: `cid` is the raw id; the caller joins after aggregating (unknown ids are then whole
    // groups). Event codes come from a join with a small table (a CASE per row costs more).
    await con.run(`CREATE OR REPLACE TEMP TABLE __evc AS SELECT * FROM (VALUES ${names.map((n, i) => `(${lit(n)}, ${i})`).join(", ")}) k(name, code)`);
    await con.run(`CREATE OR REPLACE TEMP VIEW __ev AS SELECT x.*, (x.ev IS NOT NULL AND x.t IS NOT NULL AND x.okp) AS ok FROM (
        SELECT CAST(e.customer_id AS VARCHAR) AS cid, k.code AS ev, ${tsSql} AS t, ${okProps.length ? okProps.join(" AND ") : "TRUE"} AS okp
          ${props.map((p) => `, ${castSql(`e.${q(p)}`, propTypes.get(p)!, st(p))} AS ${q(`p_${p}`)}`).join("")}
        FROM ${src.sql} e LEFT JOIN __evc k ON CAST(e.event AS VARCHAR) = k.name) x`);
    return { path, lineOffset: src.lineOffset, names, props, propTypes, attrs: [], ok: "ok" };
  }
  await con.run(`CREATE OR REPLACE TEMP VIEW __ev AS SELECT c.__ci AS ci, ${code} AS ev, ${tsSql} AS t${extra},
      (c.__ci IS NOT NULL AND ${code} IS NOT NULL AND ${tsSql} IS NOT NULL${okProps.map((x) => ` AND ${x}`).join("")}) AS ok
      ${props.map((p) => `, ${castSql(`e.${q(p)}`, propTypes.get(p)!, st(p))} AS ${q(`p_${p}`)}`).join("")}
      ${attrs.map((a) => `, c.${q(`__a_${a}`)} AS ${q(`a_${a}`)}`).join("")}
    FROM ${from}`);
  return { path, lineOffset: src.lineOffset, names, props, propTypes, attrs, ok: "ok" };
}

/**
 * Lists the bad rows of the events file into `bad` (needs `__ev` defined with row numbers, and the file
 * read in full on this connection for the rows DuckDB skipped); returns how many, those skipped included.
 */
export async function listBadEvents(con: DuckDBConnection, v: EventsView, bad: BadRow[]): Promise<number> {
  const badRows = (await con.runAndReadAll(`SELECT rn, raw_id, raw_event, raw_ts, ci IS NULL, ev IS NULL, t IS NULL, ts_parsed, list_filter(bad_props, x -> x IS NOT NULL)
    FROM __ev WHERE NOT ok ORDER BY rn`)).getRows();
  const skipped = await csvRejects(con, v.path);
  const parquet = isColumnar(v.path);
  const lines = parquet ? null : await lineNumbers(v.path, badRows.map((r) => Number(r[0])), new Set(skipped.map((x) => x.line)));
  const mine: BadRow[] = [];
  for (const [rn, id, event, ts, noCust, noEv, noTs, tsParsed, badProps] of badRows) {
    const line = lines?.get(Number(rn)) ?? Number(rn) + v.lineOffset;
    const reason = noCust ? `unknown customer ${JSON.stringify(id)}` : noEv ? `event ${JSON.stringify(event)} is not in the schema`
      : noTs ? (tsParsed ? `ts: ${JSON.stringify(ts)} is outside the years 1900–2200` : `ts: cannot read ${JSON.stringify(ts)} as a time`)
      : String((badProps as { items: unknown[] }).items[0]);
    mine.push({ file: v.path, line, reason, ...(noCust && id !== null ? { customer: String(id) } : {}) });
  }
  for (const x of skipped) mine.push({ file: v.path, line: x.line, reason: x.reason });
  await checkJsonLines(v.path, mine);
  bad.push(...mine);
  return mine.length;
}

/** How many rows of a CSV file DuckDB skipped on this connection (see `listBadEvents`). */
export async function skippedRows(con: DuckDBConnection, path: string): Promise<number> {
  return (await csvRejects(con, path)).length;
}

/**
 * Streams the events grouped by customer (customer id order), each group
 * sorted by time (ties in file order), to `onCustomer`. Everything heavy is
 * in DuckDB: customer ids become row numbers, event names codes, times epoch
 * ms, and only props some expression reads are fetched, so no string crosses
 * into JS per event unless an expression needs it. Rows for unknown
 * customers, events outside the schema and unparsable times or props go to
 * `bad`. Events after `until` are counted but not delivered.
 */
export async function streamEvents(
  con: DuckDBConnection, ws: Workspace, path: string, _known: Map<string, unknown>, until: number,
  bad: BadRow[], counts: RowCounts, onCustomer: (id: string, events: EventRecord[]) => void,
  o: { props?: Iterable<string> } = {},
): Promise<void> {
  // `props`: more props to carry than the workspace's expressions read (the diff reads for two workspaces).
  const v = await defineEvents(con, ws, path, { rowNumbers: true, extraProps: o.props });
  // Counted over `ok`, which reads every column the listing reads: DuckDB checks a CSV cell's bytes
  // only in the columns a query reads, so a plain count(*) would count a row the listing skips.
  const [[total]] = (await con.runAndReadAll("SELECT count(ok) FROM __ev")).getRows() as [[bigint]];
  const rejected = await listBadEvents(con, v, bad);
  counts.events.read = Number(total) + (await skippedRows(con, path));
  counts.events.rejected = rejected;
  counts.events.used = counts.events.read - counts.events.rejected;
  const ids = (await customerColumns(con, [])).ids;
  await streamView(con, ws, v, until, null, (ci, events) => onCustomer(ids[ci]!, events));
  await con.run("DROP VIEW __ev");
}

/**
 * Streams the used rows of the view `__ev` (defined with row numbers) with
 * `t <= until` and, with `keep`, that SQL condition over the view's columns,
 * grouped by customer index `ci` in ascending order, each group sorted by time
 * (ties in file order).
 */
export async function streamView(
  con: DuckDBConnection, ws: Workspace, v: EventsView, until: number, keep: string | null,
  onCustomer: (ci: number, events: EventRecord[]) => void,
): Promise<void> {
  await (await openStream(con, ws, v, until, keep)).consume(onCustomer);
}

/**
 * `streamView` in two halves: `openStream` starts the query and asks for its
 * first chunk (DuckDB sorts in its own threads while JS does other work);
 * `consume` delivers the groups.
 */
export async function openStream(
  con: DuckDBConnection, ws: Workspace, v: EventsView, until: number, keep: string | null,
): Promise<{ consume(onCustomer: (ci: number, events: EventRecord[]) => void): Promise<void> }> {
  const { names, props } = v;
  const res = await con.stream(`SELECT ci, ev, t${props.map((p) => `, ${q(`p_${p}`)}`).join("")} FROM __ev
    WHERE ok AND t <= ${Number.isFinite(until) ? until : 1e300}${keep ? ` AND (${keep})` : ""}
    ORDER BY ci, t, rn`);
  const first = res.fetchChunk();
  first.catch(() => undefined); // awaited in consume; avoid an unhandled rejection meanwhile
  const defs = names.map((n) => ws.schema.events.get(n)!);
  const keepProp = defs.map((d) => props.map((p) => d.props.has(p) || (d.builtin && Object.hasOwn(FEEDBACK_PROPS, p))));
  return {
    async consume(onCustomer) {
      let cur = -1;
      let group: EventRecord[] = [];
      for (let chunk = await first; chunk && chunk.rowCount > 0; chunk = await res.fetchChunk()) {
        // Columns of this chunk only (fresh stores per chunk keep memory flat).
        const n = chunk.rowCount;
        const [cc, ec, tc] = [new Column(), new Column(), new Column()];
        cc.append(chunk.getColumnVector(0), n);
        ec.append(chunk.getColumnVector(1), n);
        tc.append(chunk.getColumnVector(2), n);
        const pc = props.map((_, i) => {
          const c = new Column();
          c.append(chunk.getColumnVector(3 + i), n);
          return c;
        });
        for (let r = 0; r < n; r++) {
          const id = cc.get(r) as number;
          if (id !== cur) {
            if (group.length) onCustomer(cur, group);
            cur = id;
            group = [];
          }
          const e = ec.get(r) as number;
          const p = nameRecord<Value>();
          const k = keepProp[e]!;
          for (let i = 0; i < props.length; i++) {
            if (!k[i]) continue;
            const val = pc[i]!.get(r);
            if (val !== null && val !== undefined) p[props[i]!] = val as Value;
          }
          group.push({ name: names[e]!, ts: tc.get(r) as number, props: p });
        }
      }
      if (group.length) onCustomer(cur, group);
    },
  };
}

/** Whether a prop of the view belongs to event `def` (feedback props belong to the built-in message events). */
export function propBelongs(ws: Workspace, event: string, prop: string): boolean {
  const d = ws.schema.events.get(event);
  return !!d && (d.props.has(prop) || (d.builtin && Object.hasOwn(FEEDBACK_PROPS, prop)));
}

/** A data folder that cannot be read at all (missing file or column). */
export class DataError extends Error {}

/**
 * The rows summary line every data-reading command prints on stderr, one part per input in the
 * order given: `rows: customers … ; events …` (a report: `decisions`, `events`; cohorts: `events`).
 */
export function rowsSummary<T extends { [K in keyof T]: RowCounts["events"] }>(c: T): string {
  return `rows: ${Object.entries<RowCounts["events"]>(c).map(([name, x]) => `${name} ${x.read} read, ${x.used} used, ${x.rejected} rejected`).join("; ")}\n`;
}

/**
 * Bad rows as contract.md lists them: the first 20, then a count. Root causes
 * come first; the events of a customer whose row was rejected say so
 * (rows.ts `orderBadRows`).
 */
export function formatBadRows(bad: BadRow[]): string {
  const sorted = orderBadRows(bad);
  const lines = sorted.slice(0, 20).map((b) => `${b.file}:${b.line}: ${b.reason}`);
  if (sorted.length > 20) {
    // Cascades come last, so those left out are counted apart: the number of rows to fix stays visible.
    const cascades = sorted.slice(20).filter((b) => b.cause).length;
    lines.push(`… and ${sorted.length - 20} more bad rows${cascades ? ` (${cascades} of them events of rejected customers)` : ""}`);
  }
  return lines.join("\n") + "\n";
}

/**
 * The `--rejects` file (contract.md): every bad row, whole, with its reason —
 * `file:line: reason<TAB>the row as it stands in the file` (the same layout as
 * `playbook report --rejects`), in the order of `formatBadRows`. The row is
 * copied byte for byte (a row that is not UTF-8 stays as it was). Rows of
 * Parquet files have no text form; their line is the row number and the row
 * is left empty.
 */
export async function rejectsText(bad: BadRow[]): Promise<Buffer> {
  const sorted = orderBadRows(bad);
  const raw = new Map<string, Map<number, Buffer>>();
  for (const file of new Set(sorted.map((b) => b.file))) {
    if (file.endsWith(".parquet")) continue;
    raw.set(file, await rawLines(file, new Set(sorted.filter((b) => b.file === file).map((b) => b.line))));
  }
  return Buffer.concat(sorted.flatMap((b) => [Buffer.from(`${b.file}:${b.line}: ${b.reason}\t`), raw.get(b.file)?.get(b.line) ?? Buffer.alloc(0), Buffer.from("\n")]));
}
