/**
 * Reading the report's inputs: the decision log (JSON Lines, checked line by
 * line against the contract) and the outcome events. Events are checked by
 * the engine's reader (engine/runtime/read.ts `defineCheckedEvents`: the same
 * rules and messages as run, simulate and cohorts, CSV, JSONL and Parquet);
 * `readEventsChecked` streams the rows it uses. `readEventsSimple` is a small
 * JSONL/CSV reader kept as the tests' reference for well-formed files only.
 */
import { createReadStream, existsSync } from "node:fs";
import { createInterface } from "node:readline";
import { join } from "node:path";
import type { Type } from "../language/ast.ts";
import { DECISION_STATUSES } from "../engine/decision.ts";
import { defineCheckedEvents, openReader, TIME_RANGE } from "../engine/runtime/read.ts";
import type { ReportConfig } from "./config.ts";
import { scanCanonicalLine } from "./decision-line.ts";
import { addDecision, parseTime, type DecisionFields, type EntryTable } from "./entries.ts";

/** A problem with an input row, rendered `file:line: reason`. */
export interface BadRow {
  file: string;
  line: number;
  reason: string;
  /** The whole row as read, for `--rejects`. */
  row?: string;
}

const STATUSES = new Set<string>(DECISION_STATUSES);
const STRING_FIELDS = ["customer_id", "rule", "entry_id", "entered_at"] as const;

/** The years the engine's reader accepts (runtime/README.md "What a data row must be"); NaN is outside. */
const inYears = (t: number) => t >= TIME_RANGE.min && t <= TIME_RANGE.max;

/** Checks one parsed decision line; returns a reason or null. */
export function checkDecision(d: Record<string, unknown>): string | null {
  for (const f of STRING_FIELDS) if (typeof d[f] !== "string" || d[f] === "") return `"${f}" must be a non-empty string`;
  // Refused, not stripped, as in every data file (engine/runtime/README.md "What a data row must be").
  for (const f of [...STRING_FIELDS, "channel"]) if (typeof d[f] === "string" && (d[f] as string).includes("\0")) return `${f}: contains a NUL byte`;
  if (!Number.isInteger(d.step) || (d.step as number) < 1) return `"step" must be an integer from 1`;
  if (d.variant !== "treatment" && d.variant !== "holdout") return `"variant" must be "treatment" or "holdout", not ${JSON.stringify(d.variant)}`;
  if (!STATUSES.has(d.status as string)) return `"status" ${JSON.stringify(d.status)} is not one of ${DECISION_STATUSES.join(", ")}`;
  const entered = parseTime(d.entered_at as string);
  if (Number.isNaN(entered)) return `"entered_at" ${JSON.stringify(d.entered_at)} is not an ISO time`;
  if (!inYears(entered)) return `"entered_at" ${JSON.stringify(d.entered_at)} is outside the years 1900–2200`;
  if (d.send_at !== null && d.send_at !== undefined && (typeof d.send_at !== "string" || !inYears(parseTime(d.send_at)))) return `"send_at" must be an ISO time in the years 1900–2200 or null`;
  if (d.channel !== null && d.channel !== undefined && typeof d.channel !== "string") return `"channel" must be a string or null`;
  if (d.arm !== null && d.arm !== undefined && (typeof d.arm !== "string" || d.arm === "")) return `"arm" must be a non-empty string or null`;
  return null;
}

/** Adds every line of a decision-log text to `table`; returns the bad lines. */
export function addDecisionLines(table: EntryTable, text: string, file: string): BadRow[] {
  const bad: BadRow[] = [];
  let line = 0;
  for (const raw of text.split("\n")) {
    line++;
    addDecisionLine(table, raw, file, line, bad);
  }
  return bad;
}

/** Adds one decision-log line (number `line` of `file`) to `table`, or a bad row to `bad`. */
export function addDecisionLine(table: EntryTable, raw: string, file: string, line: number, bad: BadRow[]): void {
  if (raw.trim() === "") return;
  let d: Record<string, unknown> | null = scanCanonicalLine(raw);
  if (d === null) {
    try {
      d = JSON.parse(raw);
    } catch {
      bad.push({ file, line, reason: "not valid JSON", row: raw });
      return;
    }
  }
  if (typeof d !== "object" || d === null || Array.isArray(d)) {
    bad.push({ file, line, reason: "not a JSON object", row: raw });
    return;
  }
  const reason = checkDecision(d);
  if (reason) bad.push({ file, line, reason, row: raw });
  else addDecision(table, d as unknown as DecisionFields);
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Streams a decision-log file into `table`; returns the bad lines. Read as
 * bytes (latin1 keeps each byte one character) so that a line that is not
 * UTF-8 is a bad line, as in every data file, not text with U+FFFD in it.
 */
export async function readDecisionLog(table: EntryTable, path: string, count?: { rows: number }): Promise<BadRow[]> {
  const bad: BadRow[] = [];
  const rl = createInterface({ input: createReadStream(path, "latin1"), crlfDelay: Infinity });
  let line = 0;
  for await (const bytes of rl) {
    let raw: string;
    try {
      // ASCII (the engine's canonical lines) is the same text either way.
      raw = /^[\x00-\x7f]*$/.test(bytes) ? bytes : utf8.decode(Buffer.from(bytes, "latin1"));
    } catch {
      bad.push({ file: path, line: ++line, reason: "not valid UTF-8" });
      if (count) count.rows++;
      continue;
    }
    addDecisionLine(table, raw, path, ++line, bad);
    if (count && raw.trim() !== "") count.rows++;
  }
  return bad;
}

/** One event as the report reads it: name, customer, time and flat props. */
export interface EventRow {
  customer_id: string;
  event: string;
  ts: number;
  props: Record<string, string | number | boolean | null>;
}

/** Finds `events.{jsonl,csv,parquet}` in a data folder (contract.md "Input data"). */
export function findDataFile(dir: string, base: "events" | "customers"): string | null {
  for (const ext of ["jsonl", "csv", "parquet"]) {
    const p = join(dir, `${base}.${ext}`);
    if (existsSync(p)) return p;
  }
  return null;
}

/** Splits one CSV line (RFC 4180 quoting; no newlines inside fields). */
export function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  let cur = "";
  let quoted = false;
  while (i < line.length) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') (cur += '"'), (i += 2);
      else if (ch === '"') (quoted = false), i++;
      else (cur += ch), i++;
    } else if (ch === '"') (quoted = true), i++;
    else if (ch === ",") out.push(cur), (cur = ""), i++;
    else (cur += ch), i++;
  }
  out.push(cur);
  return out;
}

function csvValue(s: string): string | number | boolean | null {
  if (s === "") return null;
  if (s === "true") return true;
  if (s === "false") return false;
  const n = Number(s);
  return Number.isFinite(n) && /^-?\d/.test(s) ? n : s;
}

/**
 * Reads an events file (JSONL or CSV) row by row into `onRow`. Rows without a
 * customer, event or parsable time are returned as bad rows, never dropped.
 */
export async function readEventsSimple(path: string, onRow: (e: EventRow) => void): Promise<BadRow[]> {
  const bad: BadRow[] = [];
  const rl = createInterface({ input: createReadStream(path, "utf8"), crlfDelay: Infinity });
  const csv = path.endsWith(".csv");
  let header: string[] | null = null;
  let line = 0;
  for await (const raw of rl) {
    line++;
    if (raw.trim() === "") continue;
    let rec: Record<string, unknown>;
    if (csv) {
      if (!header) {
        header = splitCsvLine(raw);
        continue;
      }
      const cells = splitCsvLine(raw);
      rec = {};
      header.forEach((h, i) => (rec[h] = h === "customer_id" || h === "event" || h === "ts" ? cells[i] ?? "" : csvValue(cells[i] ?? "")));
    } else {
      try {
        rec = JSON.parse(raw);
      } catch {
        bad.push({ file: path, line, reason: "not valid JSON", row: raw });
        continue;
      }
    }
    const { customer_id, event, ts, ...props } = rec;
    const t = typeof ts === "string" ? Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(ts) || !ts.includes("T") ? ts : ts + "Z") : NaN;
    if (typeof customer_id !== "string" && typeof customer_id !== "number") bad.push({ file: path, line, reason: "missing customer_id", row: raw });
    else if (typeof event !== "string" || event === "") bad.push({ file: path, line, reason: "missing event", row: raw });
    else if (Number.isNaN(t)) bad.push({ file: path, line, reason: `unparsable time ${JSON.stringify(ts)}`, row: raw });
    else onRow({ customer_id: String(customer_id), event, ts: t, props: props as EventRow["props"] });
  }
  return bad;
}

/**
 * The event props a report reads, with the types they are checked as: the
 * revenue prop (a number) and the feedback props that say which message an
 * event answers (contract.md). A cell of one that does not parse makes its
 * row bad, as in every other data command.
 */
export function reportProps(cfg: ReportConfig): Record<string, Type> {
  return {
    rule: { base: "string", nullable: true },
    step: { base: "number", nullable: true },
    channel: { base: "string", nullable: true },
    [cfg.revenueProp]: { base: "number", nullable: true },
  };
}

/**
 * Reads an events file (CSV, JSONL or Parquet) through the engine's checked
 * reader: every row it uses goes to `onRow` in file order (props: those of
 * `reportProps` the file has), every other row is returned as a bad row
 * (`file:line: reason`, engine/runtime/README.md "What a data row must be").
 */
export async function readEventsChecked(cfg: ReportConfig, path: string, onRow: (e: EventRow) => void): Promise<BadRow[]> {
  const { con, close } = await openReader();
  try {
    const checked = await defineCheckedEvents(con, path, "__rev", reportProps(cfg));
    const bad: BadRow[] = [];
    await checked.list(bad);
    const names = checked.props;
    const res = await con.stream(`SELECT cid, ev, t${names.map((p) => `, "p_${p.replace(/"/g, '""')}"`).join("")} FROM __rev WHERE ok ORDER BY rn`);
    for (let chunk = await res.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await res.fetchChunk()) {
      for (const r of chunk.getRows()) {
        const props: EventRow["props"] = {};
        names.forEach((p, i) => (props[p] = r[3 + i] as string | number | null));
        onRow({ customer_id: String(r[0]), event: String(r[1]), ts: Number(r[2]), props });
      }
    }
    return bad;
  } finally {
    close();
  }
}
