/**
 * `playbook cohorts DIR --data D`: retention by month of first goal event.
 */
import { parseArgs } from "node:util";
import { resolve } from "node:path";
import { EXIT, UsageError, type CliIO } from "../io.ts";
import { loadReportConfig } from "../../experiments/workspace-config.ts";
import { CohortBuilder, cohortsTable } from "../../experiments/cohorts.ts";
import { findDataFile, readEventsSimple } from "../../experiments/read.ts";
import { stableJson } from "../../experiments/format/numbers.ts";
import { printBadRows } from "./report.ts";

/** One line for `playbook --help`. */
export const summary = "retention by month of first goal event × months since";

/** `playbook cohorts --help`. */
export const usage = `Usage: playbook cohorts DIR --data D [--format table|json]

Groups customers by the month (UTC) of their first goal event (defaults.goal of
the workspace) and shows, for each month after, the share of the cohort with a
goal event in that month.

Options:
  --data D        data folder with events.{jsonl,csv}
  --events FILE   the events file, instead of looking in --data
  --format F      table (default) or json
`;

/** Runs the command. */
export async function run(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { data: { type: "string" }, events: { type: "string" }, format: { type: "string", default: "table" } },
  });
  if (positionals.length !== 1) throw new UsageError("give exactly one workspace folder");
  if (!values.data && !values.events) throw new UsageError("--data D (or --events FILE) is required");
  if (values.format !== "table" && values.format !== "json") throw new UsageError(`--format must be table or json, not "${values.format}"`);
  const loaded = await loadReportConfig(resolve(io.cwd, positionals[0]!));
  if (!loaded.config) {
    io.stderr(loaded.errors);
    return EXIT.failed;
  }
  const path = values.events ? resolve(io.cwd, values.events) : findDataFile(resolve(io.cwd, values.data!), "events");
  if (!path || path.endsWith(".parquet")) {
    io.stderr(`playbook cohorts: no events.jsonl or events.csv in ${values.data}\n`);
    return EXIT.usage;
  }
  const goal = loaded.config.goal;
  const b = new CohortBuilder(goal);
  const bad = await readEventsSimple(path, (e) => {
    if (e.event === goal) b.add(e.customer_id, e.ts);
  });
  if (bad.length) {
    printBadRows(io, bad);
    return EXIT.failed;
  }
  const table = b.build();
  io.stdout(values.format === "json" ? stableJson(table) + "\n" : cohortsTable(table));
  return EXIT.ok;
}
