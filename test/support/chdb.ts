/**
 * chDB (the ClickHouse engine embedded in-process, package `chdb`) for the
 * ClickHouse tests: a session per test file, tables loaded from JS rows, and a
 * `ClickHouseRunner` over the session — the interface the ClickHouse scan and
 * source run their SQL through, so the same code runs here and on a server.
 */
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
