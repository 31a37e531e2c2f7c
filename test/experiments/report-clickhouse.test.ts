/**
 * The report's aggregate SQL in ClickHouse, executed on chDB (the ClickHouse
 * engine in-process): the same decision log and events, loaded into tables,
 * give the same report as DuckDB's aggregates over the files — to the last
 * printed digit, under fast-check on the worlds of sql-property.test.ts (ties
 * in time and entry id, goal events on window edges, offsets, feedback before,
 * between and after sends, with and without a global holdout).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Aggregates } from "../../experiments/aggregates.ts";
import { stableJson } from "../../experiments/format/numbers.ts";
import { buildReport } from "../../experiments/report.ts";
import { aggregateWithClickHouse } from "../../experiments/sql/aggregate-clickhouse.ts";
import { aggregateWithDuckDB } from "../../experiments/sql/aggregate.ts";
import { chdbReportTables, chdbRunner, chdbSession } from "../support/chdb.ts";
import { config, worldArb, writeWorld, type World } from "../support/report-worlds.ts";

const session = chdbSession();
const run = chdbRunner(session);

/** Both reports of a world, as printed (stableJson), and the ClickHouse aggregates. */
async function both(w: World): Promise<{ ch: string; duck: string; agg: Aggregates }> {
  const { decisionsPath, eventsPath } = writeWorld(w);
  const cfg = config(w.global);
  const duck = await aggregateWithDuckDB(cfg, decisionsPath, eventsPath);
  if (!duck) throw new Error("DuckDB refused a well-formed world");
  chdbReportTables(session, decisionsPath, eventsPath);
  const agg = await aggregateWithClickHouse(run, cfg);
  expect(agg.rows).toEqual(duck.rows);
  expect([agg.periodStart, agg.periodEnd, agg.dataFrom]).toEqual([duck.periodStart, duck.periodEnd, duck.dataFrom]);
  return { ch: stableJson(buildReport(cfg, agg), 1), duck: stableJson(buildReport(cfg, duck), 1), agg };
}

describe("report aggregates: ClickHouse (chDB) = DuckDB", () => {
  it("feedback exactly at a send, a minute before the first send and a minute after: the same message, the same funnel", async () => {
    const send = (hour: number, step: number) => ({ c: 0, rule: "r0", step, hour, tag: "" as const, treated: true, status: "send" as const, channel: "email" as const, delay: null });
    const fb = (kind: string, minute: number, step = 1) => ({ c: 0, kind, minute, zone: 1, cents: null, rule: "r0", step, channel: "email" as const });
    const w: World = {
      decisions: [send(1, 1), send(3, 1), send(1, 2), { ...send(2, 1), c: 1, treated: false, status: "ghost" as const }],
      events: [fb("message_delivered", 60), fb("message_opened", 59), fb("message_clicked", 61), fb("message_delivered", 180), fb("message_bounced", 179, 2), fb("message_opened", 60, 2), { ...fb("message_clicked", 60), c: 1 },
        { c: 0, kind: "order_placed", minute: 60 + 24 * 60, zone: 2, cents: 1234, rule: "r0", step: 1, channel: "email" }],
      csv: true, quoted: false, crlf: false, global: 0,
    };
    const { ch, duck, agg } = await both(w);
    expect(ch).toBe(duck);
    const cell = agg.rules.get("r0")!.funnel.get(1)!.get("email")!;
    expect(cell.sent).toBe(2);
    // delivered at the first send and at the second, opened before the first (→ first), clicked after the first.
    expect(cell.kinds.slice(0, 3)).toEqual([2, 1, 1]);
    expect(agg.rules.get("r0")!.funnel.get(2)!.get("email")!.kinds).toEqual([0, 1, 0, 0, 0, 1]);
  });

  it("on random logs and events (ties, window edges, offsets, feedback, global holdout)", async () => {
    let feedback = 0;
    await fc.assert(
      fc.asyncProperty(worldArb, async (w) => {
        const { ch, duck, agg } = await both(w);
        if (agg.kindsByChannel.size) feedback++;
        if (ch !== duck) {
          const x = ch.split("\n"), y = duck.split("\n");
          const i = x.findIndex((l, k) => l !== y[k]);
          expect(x.slice(Math.max(0, i - 6), i + 3).join("\n")).toBe(y.slice(Math.max(0, i - 6), i + 3).join("\n"));
        }
      }),
      { numRuns: 60, seed: 20261204 },
    );
    expect(feedback).toBeGreaterThan(10);
  }, 600_000);
});
