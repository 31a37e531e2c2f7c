/**
 * The thin adapter between files and the TUI: builds the `Report` the
 * components take (through `playbook report --format json`, in process, so the
 * TUI shows exactly what the report command computes) and the RFM grid (from
 * the data engineer's segments library once it exists). Nothing here renders.
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { memoryIO, type CliIO } from "../io.ts";
import type { Report } from "../../experiments/report-types.ts";
import type { RfmGrid } from "./model.ts";

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

/** The shape the segments library's R×F function is expected to return (see docs/tui.md). */
interface SegmentsModule {
  rfmGrid?: (dir: string, data: string, at?: string) => Promise<RfmGrid | { grid: RfmGrid } | null>;
}

/**
 * The R×F grid for the RFM screen, or why there is none. Looks the function up
 * at run time so the TUI works before the segments library lands (it then
 * says what is missing instead of failing).
 */
export async function loadRfm(io: CliIO, dir: string, data: string | undefined, at: string | undefined): Promise<{ grid: RfmGrid | null; note: string }> {
  if (!data) return { grid: null, note: "start the TUI with --data D to see it." };
  const spec = "../../engine/segments.ts";
  let mod: SegmentsModule;
  try {
    mod = (await import(spec)) as SegmentsModule;
  } catch {
    return { grid: null, note: "the segments library (engine/segments.ts) is not available in this build." };
  }
  if (typeof mod.rfmGrid !== "function") return { grid: null, note: "this build's segments library has no rfmGrid(); use `playbook segments`." };
  try {
    const g = await mod.rfmGrid(resolve(io.cwd, dir), resolve(io.cwd, data), at);
    if (!g) return { grid: null, note: "the workspace has no `rfm:` section." };
    return { grid: "grid" in g ? g.grid : g, note: "" };
  } catch (e) {
    return { grid: null, note: `could not compute the grid: ${(e as Error).message}` };
  }
}
