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
import type { RfmConfig, Workspace } from "../../language/ast.ts";
import type { EventRecord, RfmScores } from "../../language/values.ts";

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

async function tryImport<T>(spec: string): Promise<T | null> {
  try {
    return (await import(spec)) as T;
  } catch {
    return null;
  }
}

/**
 * The R×F grid for the RFM screen, or why there is none. Prefers the segments
 * library's `rfmGrid` (what `playbook segments` prints); until that exists,
 * scores the customers itself with the demo's RFM scorer over the workspace's
 * `rfm:` section. Modules are looked up at run time so a missing one becomes
 * a sentence on the RFM screen, not a crash.
 */
export async function loadRfm(io: CliIO, dir: string, data: string | undefined, at: string | undefined): Promise<{ grid: RfmGrid | null; note: string }> {
  if (!data) return { grid: null, note: "start the TUI with --data D to see it." };
  const wsDir = resolve(io.cwd, dir), dataDir = resolve(io.cwd, data);
  const seg = await tryImport<SegmentsModule>("../../engine/segments.ts");
  try {
    if (seg?.rfmGrid) {
      const g = await seg.rfmGrid(wsDir, dataDir, at);
      if (!g) return { grid: null, note: "the workspace has no `rfm:` section." };
      return { grid: "grid" in g ? g.grid : g, note: "" };
    }
    return await rfmFallback(wsDir, dataDir, at);
  } catch (e) {
    return { grid: null, note: `could not compute the grid: ${(e as Error).message}` };
  }
}

type LoadWs = { loadWorkspace?: (dir: string) => Promise<{ workspace: Workspace }> };
type Scorer = { rfmScorer?: (cfg: RfmConfig, h: Iterable<readonly EventRecord[]>, at: number) => (id: string, ev: readonly EventRecord[], now: number) => RfmScores | null };

async function rfmFallback(wsDir: string, dataDir: string, at: string | undefined): Promise<{ grid: RfmGrid | null; note: string }> {
  const [front, scorerMod] = await Promise.all([tryImport<LoadWs>("../../language/index.ts"), tryImport<Scorer>("../../engine/rfm.ts")]);
  if (!front?.loadWorkspace || !scorerMod?.rfmScorer) return { grid: null, note: "this build has neither the segments library nor an RFM scorer." };
  const { workspace } = await front.loadWorkspace(wsDir);
  if (!workspace.rfm) return { grid: null, note: "the workspace has no `rfm:` section." };
  const { loadPopulation } = await import("../diff/data.ts");
  const { population, problem } = await loadPopulation(dataDir, workspace);
  if (!population) return { grid: null, note: problem ?? "no customers in the data." };
  let now = at ? Date.parse(at) : -Infinity;
  if (!Number.isFinite(now)) for (const l of population.events.values()) if (l.length) now = Math.max(now, l[l.length - 1]!.ts);
  if (!Number.isFinite(now)) return { grid: null, note: "no events in the data to score." };
  const n = workspace.rfm.scores;
  const score = scorerMod.rfmScorer(workspace.rfm, population.events.values(), now);
  const counts = Array.from({ length: n }, () => Array<number>(n).fill(0));
  let unscored = 0;
  for (const c of population.customers) {
    const s = score(c.id, population.events.get(c.id) ?? [], now);
    if (s && s.r >= 1 && s.r <= n && s.f >= 1 && s.f <= n) counts[s.r - 1]![s.f - 1]!++;
    else unscored++;
  }
  return { grid: { scores: n, counts, unscored }, note: "" };
}
