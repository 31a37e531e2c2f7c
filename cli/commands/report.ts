/**
 * `playbook report DIR --decisions FILE --data D`: incrementality per rule
 * from a decision log and the outcome events (contract.md, "report --format json").
 */
import { parseArgs } from "node:util";
import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { EXIT, UsageError, type CliIO } from "../io.ts";
import { loadReportConfig } from "../../experiments/workspace-config.ts";
import { reportFromFiles } from "../../experiments/pipeline.ts";
import { DataError, formatBadRows, rejectsText, rowsSummary } from "../../engine/runtime/read.ts";
import { findDataFile, type BadRow } from "../../experiments/read.ts";
import { reportTable } from "../../experiments/format/table.ts";
import { reportMarkdown } from "../../experiments/format/markdown.ts";
import { stableJson } from "../../experiments/format/numbers.ts";
import { DEFAULT_TUNING } from "../../experiments/stats/index.ts";

/** One line for `playbook --help`. */
export const summary = "incrementality per rule: lift, CI, p, q, SRM, ROMI, funnel";

/** `playbook report --help`. */
export const usage = `Usage: playbook report DIR --decisions FILE --data D [options]

Compares, for every rule, the customers it treated with its holdout: a customer
counts once per rule, from their first entry in the log; outcomes are the goal
events in (entered_at, entered_at + attribution]; groups are compared as
assigned, whatever each message's status.

Options:
  --decisions FILE     the decision log (JSON Lines) from run or simulate
  --data D             data folder with events.{jsonl,csv,parquet}
  --events FILE        the events file, instead of looking in --data
  --format F           table (default), json or markdown
  --alpha A            significance level, default 0.05 (intervals are 1 − A)
  --sequential         confidence sequences valid at every look (for daily peeking)
  --tuning N           sample size the sequences are tightest at, default ${DEFAULT_TUNING}
  --target-lift X      relative conversion lift to plan for (0.05 = 5%): days more it needs
  --cap P|none         cap each customer's revenue at the P-th percentile of both groups
                       pooled before judging it (GrowthBook's capping), default 99; none
                       judges the raw revenue. Raw and capped are both shown
  --min-delivered N    delivered messages a channel needs before alerts judge it, default 100
  --rejects FILE       go on past bad rows, writing each (whole, with its reason) to FILE;
                       without it, bad rows stop the report and are listed (first 20)
`;

function num(v: string | undefined, name: string, ok: (x: number) => boolean): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v.endsWith("%") ? Number(v.slice(0, -1)) / 100 : v);
  if (!Number.isFinite(x) || !ok(x)) throw new UsageError(`--${name} ${v} is out of range`);
  return x;
}

/**
 * `--cap`: "none" (null), a percentile as a percent ("99", "P99", "99.5%")
 * in (0, 100], as a share (0–1); undefined when not given.
 */
export function capOption(v: string | undefined): number | null | undefined {
  if (v === undefined) return undefined;
  if (v === "none") return null;
  const t = v.replace(/^[pP]/, "").replace(/%$/, "");
  const x = Number(t);
  if (t === "" || !Number.isFinite(x) || !(x > 0 && x <= 100)) throw new UsageError(`--cap ${v}: give a percentile 0–100 (99 = P99) or none`);
  return x / 100;
}

/** Prints bad rows per contract, as every data command does (the first 20, then how many more). */
export function printBadRows(io: CliIO, bad: BadRow[]): void {
  io.stderr(formatBadRows(bad));
  io.stderr(`playbook report: ${bad.length} bad row${bad.length === 1 ? "" : "s"}; nothing written.\n`);
}

/** Runs the command. */
export async function run(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      decisions: { type: "string" },
      data: { type: "string" },
      events: { type: "string" },
      format: { type: "string", default: "table" },
      alpha: { type: "string" },
      sequential: { type: "boolean", default: false },
      tuning: { type: "string" },
      "target-lift": { type: "string" },
      "min-delivered": { type: "string" },
      cap: { type: "string" },
      rejects: { type: "string" },
    },
  });
  if (positionals.length !== 1) throw new UsageError("give exactly one workspace folder");
  if (!values.decisions) throw new UsageError("--decisions FILE is required");
  if (!values.data && !values.events) throw new UsageError("--data D (or --events FILE) is required");
  const format = values.format!;
  if (!["table", "json", "markdown"].includes(format)) throw new UsageError(`--format must be table, json or markdown, not "${format}"`);
  const alpha = num(values.alpha, "alpha", (x) => x > 0 && x < 1) ?? 0.05;
  const tuning = num(values.tuning, "tuning", (x) => x > 0) ?? DEFAULT_TUNING;
  const targetLift = num(values["target-lift"], "target-lift", (x) => x !== 0) ?? null;
  const minDelivered = num(values["min-delivered"], "min-delivered", (x) => x >= 0) ?? 100;
  const cap = capOption(values.cap);

  const dir = resolve(io.cwd, positionals[0]!);
  const loaded = await loadReportConfig(dir);
  if (!loaded.config) {
    io.stderr(loaded.errors);
    return EXIT.failed;
  }
  if (cap !== undefined) loaded.config.revenueCap = cap;
  const eventsPath = values.events ? resolve(io.cwd, values.events) : findDataFile(resolve(io.cwd, values.data!), "events");
  if (!eventsPath) {
    io.stderr(`playbook report: no events.jsonl, events.csv or events.parquet in ${values.data}\n`);
    return EXIT.usage;
  }
  let got: Awaited<ReturnType<typeof reportFromFiles>>;
  try {
    got = await reportFromFiles(
      loaded.config,
      resolve(io.cwd, values.decisions),
      eventsPath,
      { alpha, sequential: values.sequential, tuning, targetLift, minDelivered },
      Boolean(values.rejects),
    );
  } catch (e) {
    // A file that cannot be read at all (no such column, not a file of its format): exit 2, as run does.
    if (!(e instanceof DataError) && (e instanceof TypeError || e instanceof RangeError || !(e instanceof Error))) throw e;
    io.stderr(`playbook report: ${e instanceof DataError ? "" : "cannot read the data: "}${e.message.split("\n")[0]}\n`);
    return EXIT.usage;
  }
  const { report, bad, rows } = got;
  if (!report) {
    printBadRows(io, bad);
    io.stderr(rowsSummary(rows));
    return EXIT.failed;
  }
  if (values.rejects) {
    await writeFile(resolve(io.cwd, values.rejects), await rejectsText(bad));
    if (bad.length) io.stderr(`playbook report: ${bad.length} bad row${bad.length === 1 ? "" : "s"} written to ${values.rejects}\n`);
  }
  if (format === "json") io.stdout(stableJson(report) + "\n");
  else if (format === "markdown") io.stdout(reportMarkdown(report));
  else io.stdout(reportTable(report));
  io.stderr(rowsSummary(rows));
  return EXIT.ok;
}
