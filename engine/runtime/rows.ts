/**
 * Bad rows of the text files (CSV, JSONL) that DuckDB cannot even make a row
 * of, their line numbers, and the order they are listed in.
 *
 * - A CSV row with too few or too many fields, or bytes that are not UTF-8,
 *   is skipped by DuckDB (`ignore_errors`) and recorded in a rejects table of
 *   the connection (`store_rejects`, one table per file): `csvRejects` turns
 *   that table into bad rows, cited by the physical line DuckDB saw.
 * - A JSONL line that is not valid JSON becomes a row of NULLs in DuckDB
 *   (`ignore_errors`); `checkJsonLines` reads the few such lines back and
 *   says what is wrong with them.
 * - The rows DuckDB does read are numbered by position (`row_number`, a
 *   table's `rowid`), which skips the header, blank lines and the rows it
 *   rejected: `lineNumbers` maps positions back to physical lines with one
 *   pass over the bytes, done only when some row must be cited.
 * - A customer row rejected makes every event of that id an unknown customer:
 *   `orderBadRows` lists root causes first and names the cascade
 *   (`customer "c" rejected at customers.csv:4`).
 */
import { createHash } from "node:crypto";
import { open } from "node:fs/promises";
import type { DuckDBConnection } from "@duckdb/node-api";
import type { BadRow } from "./read.ts";

/** The rejects table `store_rejects` writes for a CSV file on a connection (a TEMP table, one per file). */
export function rejectsTable(path: string): { errors: string; scans: string } {
  const tag = createHash("sha1").update(path).digest("hex").slice(0, 12);
  return { errors: `__rej_${tag}`, scans: `__rejscan_${tag}` };
}

/** One CSV row DuckDB skipped: its physical line, why, and the raw text of its fields. */
export interface CsvReject {
  line: number;
  reason: string;
  /** The row's text as DuckDB saw it (replacement characters for bytes that are not UTF-8). */
  text: string;
}

/**
 * The CSV rows DuckDB skipped while reading `path` on this connection (empty
 * when no scan of it ran here or none was skipped), one per line in line
 * order. Every scan appends to the table, so a line is reported once
 * however many times the file was read.
 */
export async function csvRejects(con: DuckDBConnection, path: string): Promise<CsvReject[]> {
  if (!path.endsWith(".csv")) return [];
  const t = rejectsTable(path);
  const [[exists]] = (await con.runAndReadAll(`SELECT count(*) FROM duckdb_tables() WHERE table_name = '${t.errors}'`)).getRows() as [[bigint]];
  if (exists === 0n) return [];
  // DuckDB may log a line more than once (per missing column, per scan); its "Found" is where it
  // stopped counting, so the fields are counted here from the line's text.
  const rows = (await con.runAndReadAll(`SELECT line, list(DISTINCT error_type ORDER BY error_type),
      max(TRY_CAST(regexp_extract(error_message, 'Expected Number of Columns: (\\d+)', 1) AS INTEGER)), any_value(csv_line), any_value(error_message)
    FROM ${t.errors} GROUP BY line ORDER BY line`)).getRows();
  return rows.map(([line, types, expected, raw, message]) => {
    const kinds = (types as { items: string[] }).items;
    const text = String(raw ?? "").replace(/^[\r\n]+/, "").replace(/\r$/, "");
    const reason = kinds.includes("INVALID ENCODING") || kinds.includes("INVALID UNICODE") ? "not valid UTF-8"
      : kinds.includes("TOO MANY COLUMNS") || kinds.includes("MISSING COLUMNS") ? `${csvFields(text).length} fields, the header has ${expected}`
      : `cannot read the row: ${String(message).split("\n")[0]}`;
    return { line: Number(line), reason, text };
  });
}

/** The fields of one CSV line (RFC 4180 quotes, `""` inside quotes), for a row DuckDB skipped. */
export function csvFields(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    let value = "";
    if (line[i] === '"') {
      for (i++; i < line.length; i++) {
        if (line[i] === '"' && line[i + 1] === '"') (value += '"'), i++;
        else if (line[i] === '"') break;
        else value += line[i];
      }
      const end = line.indexOf(",", i);
      i = end < 0 ? line.length + 1 : end + 1;
    } else {
      const end = line.indexOf(",", i);
      value = line.slice(i, end < 0 ? line.length : end);
      i = end < 0 ? line.length + 1 : end + 1;
    }
    out.push(value);
    if (i > line.length) return out;
  }
}

/** Calls `onLine(number, start, end)` for every physical line of a file (end excludes the newline), in chunks: memory stays flat. */
async function eachLine(path: string, onLine: (n: number, buf: Buffer, start: number, end: number) => boolean): Promise<void> {
  const fh = await open(path, "r");
  try {
    let carry = Buffer.alloc(0);
    let n = 0;
    const chunk = Buffer.alloc(1 << 20);
    for (;;) {
      const { bytesRead } = await fh.read(chunk, 0, chunk.length, null);
      const buf = carry.length ? Buffer.concat([carry, chunk.subarray(0, bytesRead)]) : chunk.subarray(0, bytesRead);
      let start = 0;
      for (let nl = buf.indexOf(10, start); nl >= 0; nl = buf.indexOf(10, start)) {
        if (!onLine(++n, buf, start, nl)) return;
        start = nl + 1;
      }
      if (bytesRead === 0) {
        if (start < buf.length) onLine(++n, buf, start, buf.length);
        return;
      }
      carry = Buffer.from(buf.subarray(start));
    }
  } finally {
    await fh.close();
  }
}

/** Whether bytes [s, e) of `buf` are a line DuckDB reads no row from: empty (CSV) or only white space (JSONL). */
function blank(buf: Buffer, s: number, e: number, json: boolean): boolean {
  for (let i = s; i < e; i++) {
    const c = buf[i]!;
    if (c === 13) continue;
    if (json && (c === 32 || c === 9)) continue;
    return false;
  }
  return true;
}

/**
 * Physical line numbers of rows DuckDB read from a text file, by their
 * 1-based position among the rows it read: the header (CSV), blank lines and
 * the lines in `skipped` (rows DuckDB rejected) hold no position. Assumes one
 * record per physical line (a quoted field with a newline shifts the lines
 * after it, as contract.md's `file:line` cannot say otherwise).
 */
export async function lineNumbers(path: string, positions: readonly number[], skipped: ReadonlySet<number>): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  const want = [...new Set(positions)].sort((a, b) => a - b);
  if (!want.length) return out;
  const json = path.endsWith(".jsonl");
  let pos = 0;
  let k = 0;
  let header = !json;
  await eachLine(path, (n, buf, s, e) => {
    if (skipped.has(n) || blank(buf, s, e, json)) return true;
    if (header) return (header = false), true;
    pos++;
    if (pos === want[k]) out.set(pos, n), k++;
    return k < want.length;
  });
  return out;
}

/** The raw bytes of some physical lines of a file (without the newline or a trailing CR). */
export async function rawLines(path: string, lines: ReadonlySet<number>): Promise<Map<number, Buffer>> {
  const out = new Map<number, Buffer>();
  if (!lines.size) return out;
  const max = Math.max(...lines);
  await eachLine(path, (n, buf, s, e) => {
    if (lines.has(n)) out.set(n, Buffer.from(buf.subarray(s, e > s && buf[e - 1] === 13 ? e - 1 : e)));
    return n < max;
  });
  return out;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * For bad rows of a JSONL file: a line that is not UTF-8, not JSON or not an
 * object (DuckDB read it as a row of NULLs) gets that as its reason instead
 * of what the NULLs look like (a missing customer id).
 */
export async function checkJsonLines(path: string, rows: BadRow[]): Promise<void> {
  const mine = rows.filter((b) => b.file === path);
  if (!path.endsWith(".jsonl") || !mine.length) return;
  const raw = await rawLines(path, new Set(mine.map((b) => b.line)));
  for (const b of mine) {
    const bytes = raw.get(b.line);
    if (!bytes) continue;
    let text: string;
    try {
      text = utf8.decode(bytes);
    } catch {
      b.reason = "not valid UTF-8";
      delete b.customer;
      continue;
    }
    try {
      const v: unknown = JSON.parse(text);
      if (v === null || typeof v !== "object" || Array.isArray(v)) b.reason = "not a JSON object";
      else continue;
    } catch {
      b.reason = "not valid JSON";
    }
    delete b.customer;
  }
}

/**
 * Bad rows in the order they are listed: root causes first (by file, then
 * line), then the events of customers whose own row was rejected, each
 * saying so (`customer "c" rejected at customers.csv:4`) instead of
 * "unknown customer".
 */
export function orderBadRows(bad: readonly BadRow[]): BadRow[] {
  const rejected = new Map<string, BadRow>();
  for (const b of bad) if (b.id !== undefined && (!rejected.has(b.id) || rejected.get(b.id)!.line > b.line)) rejected.set(b.id, b);
  const byPlace = (a: BadRow, b: BadRow) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line);
  const roots: BadRow[] = [];
  const cascades: BadRow[] = [];
  for (const b of bad) {
    const cause = b.customer !== undefined ? rejected.get(b.customer) : undefined;
    if (cause) cascades.push({ file: b.file, line: b.line, reason: `customer ${JSON.stringify(b.customer)} rejected at ${cause.file}:${cause.line}`, cause: { file: cause.file, line: cause.line } });
    else roots.push(b);
  }
  return [...roots.sort(byPlace), ...cascades.sort(byPlace)];
}
