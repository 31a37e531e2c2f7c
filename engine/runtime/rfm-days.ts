/**
 * RFM as of a decision (docs/language.md, "RFM as of a decision"): a decision
 * at instant t reads the RFM snapshot of 00:00 UTC of t's day — every
 * customer's inputs over `(D − window, D]` and the quantile bounds fitted on
 * all of them at D = ⌊t / 1d⌋·1d. So a decision never reads an event after
 * it, the bounds are refitted once a day, and the value a decision reads does
 * not depend on the window a command decides: `simulate` over eleven days,
 * `run --state` once a day at any hour and `run --state` every hour read the
 * same scores at the same instant.
 */
import type { DuckDBConnection } from "@duckdb/node-api";
import type { RfmConfig, Workspace } from "../../language/ast.ts";
import type { RfmScores } from "../../language/values.ts";
import { scoreRfm, type RfmBounds } from "../rfm.ts";
import { fitRfmOnTable, scanFeatures, type FeatureTable } from "../features/index.ts";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { copyEventRows, type BadRow, type RowCounts } from "./read.ts";

const DAY = 86_400_000;

/** The instant whose RFM snapshot a decision at `t` reads: 00:00 UTC of its day. */
export function rfmDay(t: number): number {
  return Math.floor(t / DAY) * DAY;
}

/** Per customer index, their RFM as of any instant in the days the snapshots cover. */
export type RfmAt = (ci: number) => (now: number) => RfmScores | null;

/**
 * A fresh path for the copy of the goal event's rows, in a folder of its own
 * (the caller removes the folder). Unique per call: `playbook test` runs cases
 * concurrently in one process, and a name made of the pid and the millisecond
 * was shared by two cases started together — one removed the other's file
 * ("No files found that match the pattern").
 */
export function goalCopyPath(): string {
  return join(mkdtempSync(join(tmpdir(), "playbook-rfm-")), "goal.parquet");
}

/**
 * The RFM snapshots of every day from 00:00 UTC of `from`'s day to `to`, one
 * scan each of the goal event's rows, copied once to a Parquet file of their
 * own, unchecked (the caller's own scan checked every row of the file; these
 * scans' bad rows and counts are dropped). A scan a day is the cost of this
 * meaning: on the engine bench's 100k customers / 3M events
 * (`BENCH_ENGINE=simulate npm run bench -- engine`), 90 days of `simulate`
 * took 30 s with RFM scored once at `--to` (the look-ahead), 204 s with a
 * checked scan of the whole file a day, 86 s unchecked, 74 s over the copied
 * rows — still above the bench's 60 s target. One query for every day's
 * inputs would remove most of it (not written yet). Scans run one after another
 * on `con` (each defines and drops the `__ev` view).
 */
export async function rfmSnapshots(
  con: DuckDBConnection, ws: Workspace, cfg: RfmConfig, eventsPath: string | null, customers: number, from: number, to: number,
): Promise<RfmAt> {
  const days: { day: number; table: FeatureTable | null; bounds: RfmBounds }[] = [];
  // The goal event's rows, copied once to a Parquet file of their own, are what each day's scan reads.
  const goal = eventsPath && rfmDay(from) + DAY <= to ? goalCopyPath() : null;
  try {
    if (goal) await copyEventRows(con, eventsPath!, cfg.event, cfg.value ?? null, goal);
    for (let day = rfmDay(from); day <= to; day += DAY) {
      const counts: RowCounts = { customers: { read: 0, used: 0, rejected: 0 }, events: { read: 0, used: 0, rejected: 0 } };
      const bad: BadRow[] = [];
      const path = goal ?? eventsPath;
      const table = path ? await scanFeatures(con, ws, { features: [], scan: [], attributes: [] }, path, day, cfg, customers, bad, counts, { unchecked: true }) : null;
      days.push({ day, table, bounds: fitRfmOnTable(cfg, table, customers, day) });
    }
  } finally {
    if (goal) rmSync(dirname(goal), { recursive: true, force: true });
  }
  const first = days[0]!.day;
  return (ci) => {
    const input = { n: 0, sum: 0, last: -Infinity };
    let cached = NaN;
    let scores: RfmScores | null = null;
    return (now) => {
      // Instants outside the covered days (none are decided there) read the nearest snapshot.
      const k = Math.min(days.length - 1, Math.max(0, (rfmDay(now) - first) / DAY));
      if (k === cached) return scores;
      const d = days[k]!;
      if (d.table) d.table.rfmInto(d.table.slotOf[ci]!, input);
      else ((input.n = 0), (input.sum = 0), (input.last = -Infinity));
      cached = k;
      scores = scoreRfm(cfg, d.bounds, input, d.day);
      return scores;
    };
  };
}
