/**
 * The law behind `playbook report`'s two producers of aggregates: DuckDB over
 * the files (the command's path) and the row-by-row path in memory (library,
 * demo, and the fallback that names bad rows) give the same report, to the
 * last printed digit, on any decision log and events file.
 *
 * The histories are drawn to hit the edges the SQL takes shortcuts around:
 * entries tied in time (same instant, other variant, other entry id) so the
 * first entry is settled by its tie-breaks; goal events exactly on an entry,
 * on the edge of its attribution window and of its pre-period, and outside
 * every window; times written with offsets; feedback before, between and
 * after sends; CSV (plain or quoted header, LF or CRLF) and JSONL; with and
 * without a global holdout.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { newEntryTable } from "../../experiments/entries.ts";
import { stableJson } from "../../experiments/format/numbers.ts";
import { EventCollector } from "../../experiments/pipeline.ts";
import { readDecisionLog, readEventsSimple } from "../../experiments/read.ts";
import { buildReport } from "../../experiments/report.ts";
import { config, worldArb, writeWorld, type World } from "../support/report-worlds.ts";
import { aggregateWithDuckDB } from "../../experiments/sql/aggregate.ts";

/** Worlds in which a first entry was settled by a tie-break (variant, then entry id): the test asserts it saw enough. */
const tieWorlds = { variant: 0, id: 0 };

function countTies(decisions: { c: number; rule: string; hour: number; tag: string; treated: boolean }[]): void {
  const first = new Map<string, typeof decisions>();
  for (const d of decisions) {
    const key = `${d.rule}:${d.c}`;
    const cur = first.get(key);
    if (!cur || d.hour < cur[0]!.hour) first.set(key, [d]);
    else if (d.hour === cur[0]!.hour) cur.push(d);
  }
  let variant = false, id = false;
  for (const tied of first.values()) {
    if (new Set(tied.map((d) => d.treated)).size > 1) variant = true;
    const winner = tied.some((d) => !d.treated) ? false : true; // holdout first
    if (new Set(tied.filter((d) => d.treated === winner).map((d) => d.tag)).size > 1) id = true;
  }
  if (variant) tieWorlds.variant++;
  if (id) tieWorlds.id++;
}
async function bothReports(w: World): Promise<[string, string]> {
  const { decisionsPath, eventsPath } = writeWorld(w);
  const cfg = config(w.global);
  const agg = await aggregateWithDuckDB(cfg, decisionsPath, eventsPath);
  if (!agg) throw new Error("DuckDB refused a well-formed world");
  const table = newEntryTable(cfg.offers);
  expect(await readDecisionLog(table, decisionsPath)).toEqual([]);
  const col = new EventCollector(cfg, table);
  expect(await readEventsSimple(eventsPath, (e) => col.add(e))).toEqual([]);
  return [stableJson(buildReport(cfg, agg), 1), stableJson(buildReport(cfg, col.aggregates()), 1)];
}

describe("report aggregates: DuckDB over files = row by row in memory", () => {
  it("on random logs and events (ties, window edges, offsets, feedback, CSV and JSONL)", async () => {
    await fc.assert(
      fc.asyncProperty(worldArb, async (w) => {
        countTies(w.decisions);
        const [duck, memory] = await bothReports(w);
        if (duck !== memory) {
          const a = duck.split("\n"), b = memory.split("\n");
          const i = a.findIndex((l, k) => l !== b[k]);
          expect(a.slice(Math.max(0, i - 6), i + 3).join("\n")).toBe(b.slice(Math.max(0, i - 6), i + 3).join("\n"));
        }
      }),
      { numRuns: 60, seed: 20261124 },
    );
    expect(tieWorlds.variant).toBeGreaterThanOrEqual(10);
    expect(tieWorlds.id).toBeGreaterThanOrEqual(10);
  }, 900_000);
});
