/**
 * The thin adapter between files and the TUI: builds the `Report` the
 * components take (through `playbook report --format json`, in process, so the
 * TUI shows exactly what the report command computes) and the RFM grid (as
 * `playbook segments` computes it). Nothing here renders.
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { memoryIO, type CliIO } from "../io.ts";
import type { Report } from "../../experiments/report-types.ts";
import type { RfmGrid } from "./model.ts";
// The engine (and DuckDB with it) is imported when a report or grid is computed, not
// at startup: `--report-json` opens without it, half a second sooner.

/** A report, or the messages (already formatted for stderr) and exit code that stop the TUI. */
export type Loaded<T> = { ok: true; value: T } | { ok: false; err: string; code: number };

/** Reads a report JSON written by `playbook report --format json` (the hidden `--report-json` flag). */
export async function reportFromJson(path: string): Promise<Loaded<Report>> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    return { ok: false, err: `playbook tui: cannot read ${path}: ${(e as Error).message}\n`, code: 2 };
  }
  try {
    const rep = JSON.parse(text) as Report;
    if (!rep || !Array.isArray(rep.rules) || typeof rep.alpha !== "number") throw new Error("not a report: no `rules` list or `alpha`");
    return { ok: true, value: rep };
  } catch (e) {
    return { ok: false, err: `playbook tui: ${path}: ${(e as Error).message}\n`, code: 1 };
  }
}

/**
 * Computes the report as `playbook report DIR --decisions F --data D … --format json`
 * does, forwarding the report flags (`extra`), and parses its JSON.
 */
export async function reportFromWorkspace(io: CliIO, dir: string, extra: string[]): Promise<Loaded<Report>> {
  const { run } = await import("../commands/report.ts");
  const mem = memoryIO(io.cwd, io.env);
  const code = await run([dir, ...extra, "--format", "json"], mem);
  if (code !== 0) return { ok: false, err: mem.err.replaceAll("playbook report:", "playbook tui:"), code };
  return { ok: true, value: JSON.parse(mem.out) as Report };
}

/**
 * The R×F grid for the RFM screen, or why there is none: the grid `playbook
 * segments` prints (`computeSegments`, the checked reader and the feature scan),
 * at `--at` or else the last event of the data. A missing piece (no `--data`,
 * no `rfm:` section, unreadable data) becomes a sentence on the RFM screen,
 * not a crash; bad rows are left out and counted in the note.
 */
export async function loadRfm(io: CliIO, dir: string, data: string | undefined, at: string | undefined): Promise<{ grid: RfmGrid | null; note: string }> {
  if (!data) return { grid: null, note: "start the TUI with --data D to see it." };
  const wsDir = resolve(io.cwd, dir), dataDir = resolve(io.cwd, data);
  const { InputError, loadProgram } = await import("../../engine/runtime/inputs.ts");
  const { findDataFile, latestEventTime, parseTime } = await import("../../engine/runtime/read.ts");
  const { computeSegments } = await import("../../engine/segments.ts");
  try {
    const { program } = await loadProgram(wsDir);
    const ws = program.ws;
    if (!ws.rfm) return { grid: null, note: "the workspace has no `rfm:` section." };
    const customersFile = findDataFile(dataDir, "customers");
    const eventsFile = findDataFile(dataDir, "events");
    if (!customersFile) return { grid: null, note: `no customers.csv/.jsonl/.parquet in ${data}.` };
    const now = at !== undefined ? parseTime(at) : eventsFile ? await latestEventTime(ws, eventsFile) : null;
    if (now === null) return { grid: null, note: at !== undefined ? `--at ${at} is not an ISO 8601 time.` : "no events in the data to score." };
    const r = await computeSegments({ workspace: ws, customersFile, eventsFile, now, members: false });
    const n = r.grid!.scores;
    const counts = Array.from({ length: n }, () => Array<number>(n).fill(0));
    for (const c of r.grid!.cells) counts[c.r - 1]![c.f - 1] = c.customers;
    const note = r.bad.length ? `${r.bad.length} bad data rows left out (playbook segments lists them).` : "";
    return { grid: { scores: n, counts, unscored: r.grid!.unscored }, note };
  } catch (e) {
    const msg = e instanceof InputError ? e.message.trim().split("\n")[0]! : (e as Error).message.split("\n")[0]!;
    return { grid: null, note: `could not compute the grid: ${msg}` };
  }
}
