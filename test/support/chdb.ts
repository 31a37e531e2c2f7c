/**
 * chDB (the ClickHouse engine embedded in-process, package `chdb`) for the
 * ClickHouse tests: a session per test file, tables loaded from JS rows, and a
 * `ClickHouseRunner` over the session — the interface the ClickHouse scan and
 * source run their SQL through, so the same code runs here and on a server.
 */
import { readFileSync } from "node:fs";
import { Session } from "chdb";
import { afterAll } from "vitest";
import type { ClickHouseRunner } from "../../engine/features/clickhouse.ts";

/** A chDB session closed after the file's tests. */
export function chdbSession(): Session {
  const s = new Session();
  afterAll(() => s.close());
  return s;
}

/** Streams a query's rows as JSONCompactEachRow chunks (how @clickhouse/client streams a server's). */
export function chdbRunner(s: Session): ClickHouseRunner {
  return {
    async *rows(sql: string) {
      for await (const chunk of s.queryStream(sql, { format: "JSONCompactEachRow" })) yield chunk.rows<unknown[]>();
    },
  };
}

/**
 * (Re)creates `table` with `columns` ([name, ClickHouse type]) and inserts `rows` (objects; times as
 * ISO 8601 text, parsed by ClickHouse's best-effort reader), as JSONEachRow.
 */
export async function chdbTable(s: Session, table: string, columns: [string, string][], rows: Record<string, unknown>[]): Promise<void> {
  s.query(`DROP TABLE IF EXISTS ${table}`);
  s.query(`CREATE TABLE ${table} (${columns.map(([n, t]) => `\`${n}\` ${t}`).join(", ")}) ENGINE = MergeTree ORDER BY tuple()`);
  if (rows.length === 0) return;
  await s.insert({
    table, format: "JSONEachRow", values: rows.map((r) => JSON.stringify(r)).join("\n") + "\n",
    settings: { date_time_input_format: "best_effort" },
  });
}

/**
 * Loads a report's inputs into tables `decisions` and `events`: the decision log (JSONL) with its times as
 * DateTime64, the events file (CSV with a header, or JSONL) with `amount` Float64, `step` Int64 and times parsed
 * with their offsets — read by chDB from the files themselves.
 */
export function chdbReportTables(s: Session, decisionsPath: string, eventsPath: string): void {
  const t = "DateTime64(3, 'UTC')";
  s.query("DROP TABLE IF EXISTS decisions");
  s.query(`CREATE TABLE decisions (customer_id String, rule String, step Int64, entry_id String, entered_at ${t}, variant String, status String,
    channel Nullable(String), send_at Nullable(${t})) ENGINE = MergeTree ORDER BY tuple()`);
  s.query(`INSERT INTO decisions SELECT customer_id, rule, step, entry_id, parseDateTime64BestEffort(entered_at, 3, 'UTC'), variant, status, channel,
    parseDateTime64BestEffortOrNull(send_at, 3, 'UTC') FROM file('${decisionsPath}', 'JSONEachRow',
    'customer_id String, rule String, step Int64, entry_id String, entered_at String, variant String, status String, channel Nullable(String), send_at Nullable(String)')`);
  s.query("DROP TABLE IF EXISTS events");
  s.query(`CREATE TABLE events (customer_id String, event String, ts ${t}, amount Nullable(Float64), rule Nullable(String), step Nullable(Int64),
    channel Nullable(String)) ENGINE = MergeTree ORDER BY tuple()`);
  const csv = eventsPath.endsWith(".csv");
  const text = "customer_id String, event String, ts String, amount Nullable(String), rule Nullable(String), step Nullable(String), channel Nullable(String)";
  s.query(`INSERT INTO events SELECT customer_id, event, parseDateTime64BestEffort(ts, 3, 'UTC'), toFloat64OrNull(amount), nullIf(rule, ''), toInt64OrNull(step), nullIf(channel, '')
    FROM file('${eventsPath}', '${csv ? "CSVWithNames" : "JSONEachRow"}', '${text}')
    SETTINGS input_format_csv_empty_as_default = 1, input_format_json_read_numbers_as_strings = 1, input_format_skip_unknown_fields = 1`);
}

/**
 * A data folder's CSV file into table `table`: every column Nullable(String) (an empty cell is NULL,
 * as contract.md reads it) unless `types` says otherwise, `ts` parsed as DateTime64(3, 'UTC').
 */
export function chdbLoadCsv(s: Session, file: string, table: string, types: Record<string, string> = {}): void {
  const header = readFileSync(file, "utf8").split("\n", 1)[0]!.replace(/\r$/, "").split(",").map((h) => h.replace(/^"|"$/g, ""));
  const typeOf = (h: string) => types[h] ?? (h === "ts" ? "DateTime64(3, 'UTC')" : "Nullable(String)");
  const cast = (h: string, t: string) =>
    t.includes("DateTime") ? `parseDateTime64BestEffort${t.startsWith("Nullable") ? "OrNull" : ""}(\`${h}\`, 3, 'UTC')` : `CAST(nullIf(\`${h}\`, '') AS ${t})`;
  const select = header.map((h) => (typeOf(h) === "Nullable(String)" ? `\`${h}\`` : `${cast(h, typeOf(h))} AS \`${h}\``));
  s.query(`DROP TABLE IF EXISTS ${table}`);
  s.query(`CREATE TABLE ${table} (${header.map((h) => `\`${h}\` ${typeOf(h)}`).join(", ")}) ENGINE = MergeTree ORDER BY tuple()`);
  s.query(`INSERT INTO ${table} SELECT ${select.join(", ")} FROM file('${file}', 'CSVWithNames', '${header.map((h) => `\`${h}\` Nullable(String)`).join(", ")}')
    SETTINGS input_format_csv_empty_as_default = 1, date_time_input_format = 'best_effort'`);
}
