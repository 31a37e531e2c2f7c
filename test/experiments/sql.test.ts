/**
 * The DuckDB producer and the in-memory producer of the aggregates must give
 * the same report: they share every formula, and this checks they also agree
 * on every count and sum (first entries, windows, offers, funnel matching).
 */
import { describe, expect, it } from "vitest";
import { aggregateWithDuckDB } from "../../experiments/sql/aggregate.ts";
import { configFromYamlFiles } from "../../experiments/workspace-config.ts";
import { newEntryTable } from "../../experiments/entries.ts";
import { readDecisionLog, readEventsSimple } from "../../experiments/read.ts";
import { EventCollector } from "../../experiments/pipeline.ts";
import { buildReport } from "../../experiments/report.ts";
import { stableJson } from "../../experiments/format/numbers.ts";

const fx = "test/experiments/fixtures/small";

describe("DuckDB aggregation", () => {
  it("gives the same report as the in-memory path, to the last printed digit", async () => {
    const cfg = configFromYamlFiles(`${fx}/playbooks`);
    const agg = await aggregateWithDuckDB(cfg, `${fx}/decisions.jsonl`, `${fx}/data/events.jsonl`);
    expect(agg).not.toBeNull();
    const table = newEntryTable(cfg.offers);
    expect(await readDecisionLog(table, `${fx}/decisions.jsonl`)).toEqual([]);
    const col = new EventCollector(cfg, table);
    expect(await readEventsSimple(`${fx}/data/events.jsonl`, (e) => col.add(e))).toEqual([]);
    for (const options of [{}, { sequential: true }, { targetLift: 0.1 }]) {
      expect(stableJson(buildReport(cfg, agg!, options), 1)).toBe(stableJson(buildReport(cfg, col.aggregates(), options), 1));
    }
  });

  it("hands contract-breaking logs back to the row-by-row path (which names the lines)", async () => {
    const cfg = configFromYamlFiles(`${fx}/playbooks`);
    expect(await aggregateWithDuckDB(cfg, "test/experiments/fixtures/bad-decisions.jsonl", `${fx}/data/events.jsonl`)).toBeNull();
  });
});
