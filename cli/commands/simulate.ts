/**
 * `playbook simulate DIR --data D --from TIME --to TIME [--out FILE]`:
 * replays the customers' events in time order and decides as the engine
 * would have, minute by minute, from an empty state. The loop does not tick
 * every minute: each customer advances from one event or scheduled instant
 * to the next (engine/runtime/customer.ts), which decides the same things.
 */
import { resolve } from "node:path";
import { parseDataArgs } from "../data-args.ts";
import { EXIT, UsageError, type CliIO } from "../io.ts";
import { progressBar, stagedProgress } from "../progress.ts";
import { warningsLine } from "../warnings.ts";
import { decideFromFiles, InputError, loadProgram } from "../../engine/runtime/inputs.ts";
import { decisionSummary } from "../../engine/runtime/log-file.ts";
import { stripTime } from "../../engine/runtime/order.ts";
import { formatBadRows, rowsSummary, rejectsText } from "../../engine/runtime/read.ts";
import { dataSource, timeFlag } from "./run.ts";
import { shardFlag, writeDecisions } from "../shard-args.ts";
import { shardSummary } from "../../engine/runtime/shard.ts";

/** One line for `playbook --help`. */
export const summary = "replay history and decide as the engine would have, from an empty state";

/** `playbook simulate --help`. */
export const usage = `Usage: playbook simulate DIR --data D --from TIME --to TIME [--out FILE] [--shard i/N]

Replays the events in time order and writes the decisions the engine would
have taken in (FROM, TO], starting from an empty contact history. Candidates
still waiting at TO (queue, send hours, another cadence) are logged "deferred".

Consent, attributes and time zones come from the customers file as it is now,
for every day replayed (a file has no history of them): a customer who gave
consent yesterday is treated as consenting last month too. stderr says so.

Options:
  --data D            data folder with customers.* and events.*
  --customers FILE    the customers file, instead of looking in --data
  --events FILE       the events file, instead of looking in --data
  --from TIME         start, exclusive (ISO 8601; no offset means UTC)
  --to TIME           end, inclusive
  --out FILE          where to write the log (default stdout)
  --rejects FILE      go on past bad rows, writing each (whole, with its reason) to FILE
  --shard i/N         replay only the customers of shard i of N (docs/sharding.md);
                      merge the N logs with \`playbook logs merge\`
`;

/**
 * The last stderr line of every simulation (issue 16 item 15): a replay of past days reads
 * today's customers snapshot, which a reader of the log should not mistake for history.
 */
export const SNAPSHOT_NOTE = "note: consent and attributes are read from today's customers file for every day replayed, not as they were on that day\n";

/** Runs the command. */
export async function run(args: string[], io: CliIO): Promise<number> {
  const { dir, values } = parseDataArgs(args, { from: { type: "string" }, to: { type: "string" }, out: { type: "string" }, rejects: { type: "string" }, shard: { type: "string" } });
  const shard = shardFlag(values.shard);
  const from = timeFlag("from", values.from);
  const to = timeFlag("to", values.to);
  if (to <= from) throw new UsageError("--to must be later than --from");
  try {
    const { program, warnings } = await loadProgram(resolve(io.cwd, dir), dir);
    const bar = progressBar(io, "playbook simulate");
    const r = await decideFromFiles(program, dataSource(io, values), new Map(), from, to, true, undefined, { onProgress: stagedProgress(bar, "customers"), ...(shard ? { shard } : {}) }).finally(() => bar.end());
    if (r.bad.length && !values.rejects) {
      io.stderr(formatBadRows(r.bad));
      io.stderr(rowsSummary(r.counts));
      return EXIT.failed;
    }
    if (values.rejects) {
      const { writeFile } = await import("node:fs/promises");
      await writeFile(resolve(io.cwd, values.rejects), await rejectsText(r.bad));
    }
    const ds = r.decisions.map(stripTime);
    await writeDecisions(io, values.out, r.decisions, ds, shard);
    // The warnings as one line, with the summaries of a run that worked (cli/warnings.ts).
    io.stderr(warningsLine(warnings, dir));
    io.stderr(rowsSummary(r.counts));
    io.stderr(decisionSummary(ds, r.timezones));
    if (shard && r.sharded) io.stderr(shardSummary(shard, r.sharded.decided, r.sharded.total));
    io.stderr(SNAPSHOT_NOTE);
    return EXIT.ok;
  } catch (e) {
    if (e instanceof InputError) return (io.stderr(e.message), e.exitCode);
    throw e;
  }
}
