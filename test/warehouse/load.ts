/**
 * Loads a data folder's CSV files into PostgreSQL tables for the warehouse
 * tests: `ts` as timestamptz, every other column as text (the source hands
 * text back, so the files' own cells arrive unchanged), in chunks of INSERTs.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { splitCsvLine } from "../../experiments/read.ts";
import type { TestDatabase } from "../support/pg.ts";

const q = (s: string) => `"${s.replace(/"/g, '""')}"`;

export async function loadCsv(db: TestDatabase, file: string, table: string, types: Record<string, string> = { ts: "timestamptz" }): Promise<void> {
  const lines = readFileSync(file, "utf8").split("\n").filter((l) => l.trim() !== "");
  const header = splitCsvLine(lines[0]!);
  await db.query(`DROP TABLE IF EXISTS ${table}`);
  await db.query(`CREATE TABLE ${table} (${header.map((h) => `${q(h)} ${types[h] ?? "text"}`).join(", ")})`);
  const rows = lines.slice(1).map(splitCsvLine);
  for (let i = 0; i < rows.length; i += 500) {
    const chunk = rows.slice(i, i + 500);
    const params: unknown[] = [];
    const values = chunk.map((r) => `(${header.map((_, j) => (params.push(r[j] === "" || r[j] === undefined ? null : r[j]), `$${params.length}`)).join(", ")})`);
    await db.query(`INSERT INTO ${table} VALUES ${values.join(", ")}`, params);
  }
}

/** customers.csv and events.csv of `dir` into tables `customers`/`events` of `schema`. */
export async function loadFolder(db: TestDatabase, dir: string, schema = "public"): Promise<void> {
  await db.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  await loadCsv(db, join(dir, "customers.csv"), `${schema}.customers`);
  await loadCsv(db, join(dir, "events.csv"), `${schema}.events`);
}
