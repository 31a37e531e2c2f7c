/**
 * `playbook cohorts DIR --data D`: retention by month of first goal event.
 */
import { parseArgs } from "node:util";
import { resolve } from "node:path";
import { EXIT, UsageError, type CliIO } from "../io.ts";
import { loadReportConfig } from "../../experiments/workspace-config.ts";
import { cohortTable, cohortsTable } from "../../experiments/cohorts.ts";
import { writeFile } from "node:fs/promises";
import { findDataFile } from "../../experiments/read.ts";
import { stableJson } from "../../experiments/format/numbers.ts";
import { formatBadRows, goalCohorts, rejectsText, rowsSummary } from "../../engine/runtime/read.ts";

/** One line for `playbook --help`. */
export const summary = "retention by month of first goal event × months since";

/** `playbook cohorts --help`. */
export const usage = `Usage: playbook cohorts DIR --data D [--format table|json]

Groups customers by the month (UTC) of their first goal event (defaults.goal of
the workspace) and shows, for each month after, the share of the cohort with a
goal event in that month.

Events are read and checked by DuckDB (customer id, event and time present,
the time parsing); bad rows stop the command and are listed as file:line,
unless --rejects is given. No customers file is needed.

Options:
  --data D         data folder with events.{parquet,csv,jsonl}
  --events FILE    the events file, instead of looking in --data
  --format F       table (default) or json
  --rejects FILE   go on past bad rows, writing each (with its reason) to FILE
`;

/** Runs the command. */
export async function run(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { data: { type: "string" }, events: { type: "string" }, format: { type: "string", default: "table" }, rejects: { type: "string" } },
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
  if (!path) {
    io.stderr(`playbook cohorts: no events.parquet, events.csv or events.jsonl in ${values.data}\n`);
    return EXIT.usage;
  }
  const goal = loaded.config.goal;
  let got: Awaited<ReturnType<typeof goalCohorts>>;
  try {
    got = await goalCohorts(path, goal);
  } catch (e) {
    if (e instanceof TypeError || e instanceof RangeError) throw e;
    io.stderr(`playbook cohorts: cannot read the data: ${(e as Error).message.split("\n")[0]}\n`);
    return EXIT.usage;
  }
  const counts = { events: { read: got.read, used: got.read - got.bad.length, rejected: got.bad.length } };
  if (got.bad.length && !values.rejects) {
    io.stderr(formatBadRows(got.bad) + rowsSummary(counts));
    return EXIT.failed;
  }
  if (values.rejects) await writeFile(resolve(io.cwd, values.rejects), await rejectsText(got.bad));
  const table = cohortTable(goal, got.cells, got.last);
  io.stdout(values.format === "json" ? stableJson(table) + "\n" : cohortsTable(table));
  io.stderr(rowsSummary(counts));
  return EXIT.ok;
}
