/**
 * `playbook segments DIR --data D --at TIME`: segment sizes, the R×F grid and
 * membership (contract.md, command line).
 */
import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { parseDataArgs } from "../data-args.ts";
import { EXIT, UsageError, type CliIO } from "../io.ts";
import { warningsLine } from "../warnings.ts";
import { InputError, loadProgram } from "../../engine/runtime/inputs.ts";
import { findDataFile, formatBadRows, rowsSummary, rejectsText } from "../../engine/runtime/read.ts";
import { isoSeconds } from "../../engine/decision.ts";
import { computeSegments, type SegmentsResult } from "../../engine/segments.ts";
import { timeFlag } from "./run.ts";

/** One line for `playbook --help`. */
export const summary = "segment sizes, the R×F grid and membership at TIME";

/** `playbook segments --help`. */
export const usage = `Usage: playbook segments DIR --data D --at TIME [--format table|json|csv] [--out FILE]

Evaluates every segment of the workspace for every customer as of TIME, with
RFM scored per the workspace's rfm: section, and prints each segment's size
and the R×F grid (customers and goal-event value per cell).

Options:
  --data D            data folder with customers.* and events.* (.csv, .jsonl, .parquet)
  --customers FILE    the customers file, instead of looking in --data
  --events FILE       the events file, instead of looking in --data
  --at TIME           ISO 8601 (no offset means UTC)
  --format F          table (default), json, or csv (membership: customer_id,segment)
  --out FILE          also write membership (customer_id,segment rows) to FILE
  --rejects FILE      go on past bad rows, writing each (whole, with its reason) to FILE`;

const int = (n: number) => n.toLocaleString("en-US");
/** Compact money for grid cells: 950, 12.3k, 4.1M. */
const money = (n: number) => {
  const a = Math.abs(n);
  if (a < 1e3) return Math.round(n).toString();
  if (a < 1e6) return `${(n / 1e3).toFixed(a < 1e4 ? 1 : 0)}k`;
  return `${(n / 1e6).toFixed(a < 1e7 ? 2 : 1)}M`;
};

/** Membership rows, one per customer and segment. */
export function membershipCsv(r: SegmentsResult): string {
  const lines = ["customer_id,segment"];
  for (const [id, segs] of r.members) for (const s of segs) lines.push(`${/[",\n]/.test(id) ? JSON.stringify(id) : id},${s}`);
  return lines.join("\n") + "\n";
}

/** The human-readable table: sizes, then the R×F grid in 80 columns. */
export function segmentsTable(r: SegmentsResult): string {
  const out = [`segments at ${isoSeconds(r.at)} · ${int(r.customers)} customers`, ""];
  const w = Math.max(7, ...r.segments.map((s) => s.name.length));
  out.push(`${"segment".padEnd(w)}  ${"customers".padStart(9)}  ${"share".padStart(6)}`);
  for (const s of r.segments) out.push(`${s.name.padEnd(w)}  ${int(s.customers).padStart(9)}  ${(r.customers ? (100 * s.customers) / r.customers : 0).toFixed(1).padStart(5)}%`);
  if (r.grid) {
    const n = r.grid.scores;
    out.push("", `R×F grid: customers · goal-event value in the window (r rows ${n}→1, f columns 1→${n})`);
    const cw = Math.floor((78 - 4) / n);
    out.push(("    " + Array.from({ length: n }, (_, i) => `f=${i + 1}`.padStart(cw - 1).padEnd(cw)).join("")).trimEnd());
    for (let r = n; r >= 1; r--) {
      const row = r.toString();
      const cells = Array.from({ length: n }, (_, i) => {
        const c = r_cell(rGrid(r), i);
        return (c.customers ? `${int(c.customers)} · ${money(c.revenue)}` : "·").padStart(cw - 1).padEnd(cw);
      });
      out.push(`r=${row} ${cells.join("")}`.trimEnd());
    }
    out.push(`${int(r.grid.unscored)} customers without a goal event in the window have no RFM scores.`);
  }
  return out.join("\n") + "\n";

  function rGrid(rv: number) {
    return r.grid!.cells.filter((c) => c.r === rv);
  }
  function r_cell(row: { f: number; customers: number; revenue: number }[], i: number) {
    return row.find((c) => c.f === i + 1)!;
  }
}

/** The JSON form: stable keys for machines. */
export function segmentsJson(r: SegmentsResult): string {
  return (
    JSON.stringify({
      at: isoSeconds(r.at),
      customers: r.customers,
      segments: r.segments.map((s) => ({ segment: s.name, customers: s.customers, share: r.customers ? s.customers / r.customers : 0 })),
      rfm_grid: r.grid ? { scores: r.grid.scores, unscored: r.grid.unscored, cells: r.grid.cells } : null,
    }) + "\n"
  );
}

/** Runs the command. */
export async function run(args: string[], io: CliIO): Promise<number> {
  const { dir: wsDir, values } = parseDataArgs(args, { at: { type: "string" }, format: { type: "string", default: "table" }, out: { type: "string" }, rejects: { type: "string" } });
  if (!["table", "json", "csv"].includes(values.format!)) throw new UsageError(`--format must be table, json or csv, not "${values.format}"`);
  const at = timeFlag("at", values.at);
  const dataDir = values.data ? resolve(io.cwd, values.data) : null;
  const customersFile = values.customers ? resolve(io.cwd, values.customers) : dataDir ? findDataFile(dataDir, "customers") : null;
  const eventsFile = values.events ? resolve(io.cwd, values.events) : dataDir ? findDataFile(dataDir, "events") : null;
  if (!customersFile) {
    io.stderr(`playbook segments: no customers.csv/.jsonl/.parquet in ${values.data}\n`);
    return EXIT.usage;
  }
  try {
    const { program, warnings } = await loadProgram(resolve(io.cwd, wsDir), wsDir);
    let r: SegmentsResult;
    try {
      // Membership (customer ids in JS) only when it is printed or written.
      r = await computeSegments({ workspace: program.ws, customersFile, eventsFile, now: at, members: values.format === "csv" || !!values.out });
    } catch (e) {
      if (e instanceof Error && !(e instanceof TypeError) && !(e instanceof RangeError)) {
        io.stderr(`playbook segments: cannot read the data: ${e.message.split("\n")[0]}\n`);
        return EXIT.usage;
      }
      throw e;
    }
    if (r.bad.length && !values.rejects) {
      io.stderr(formatBadRows(r.bad) + rowsSummary(r.counts));
      return EXIT.failed;
    }
    if (values.rejects) await writeFile(resolve(io.cwd, values.rejects), await rejectsText(r.bad));
    if (values.out) await writeFile(resolve(io.cwd, values.out), membershipCsv(r));
    io.stdout(values.format === "json" ? segmentsJson(r) : values.format === "csv" ? membershipCsv(r) : segmentsTable(r));
    if (values.format === "table") io.stderr(warningsLine(warnings, wsDir)); // one line, not the diagnostics (cli/warnings.ts)
    io.stderr(rowsSummary(r.counts));
    return EXIT.ok;
  } catch (e) {
    if (e instanceof InputError) return (io.stderr(e.message), e.exitCode);
    throw e;
  }
}
