/**
 * `playbook run DIR --data D --at TIME [--state FILE] [--out FILE]`: the
 * decisions due at TIME (engine/README.md, "What run decides").
 *
 * Without `--state`, "due at TIME" is the day ending at TIME, `(TIME − 1d,
 * TIME]`, from an empty contact history. With `--state`, it is everything
 * since the previous run, `(last --at, TIME]` (the day ending at TIME for a
 * new file); a second run at the same TIME decides nothing. The log is
 * written first, then the state is committed in one transaction.
 */
import { resolve } from "node:path";
import { parseDataArgs } from "../data-args.ts";
import { EXIT, UsageError, type CliIO } from "../io.ts";
import { progressBar, stagedProgress } from "../progress.ts";
import { warningsLine } from "../warnings.ts";
import { isoSeconds } from "../../engine/decision.ts";
import { decideFromFiles, InputError, loadProgram } from "../../engine/runtime/inputs.ts";
import { decisionSummary } from "../../engine/runtime/log-file.ts";
import { stripTime } from "../../engine/runtime/order.ts";
import { formatBadRows, parseTime, rowsSummary, rejectsText } from "../../engine/runtime/read.ts";
import { loadState, saveState, StateFormatError } from "../../engine/state/store.ts";
import { lockState, StateLockedError } from "../../engine/state/lock.ts";
import type { CustomerState } from "../../engine/runtime/state.ts";
import type { Program } from "../../engine/runtime/program.ts";
import { shardFlag, writeDecisions } from "../shard-args.ts";
import { shardLabel, shardSummary, stateShardMismatch } from "../../engine/runtime/shard.ts";

/** One line for `playbook --help`. */
export const summary = "the decisions due at TIME (contact history and cadences kept in --state)";

/** `playbook run --help`. */
export const usage = `Usage: playbook run DIR --data D --at TIME [--state FILE] [--out FILE] [--shard i/N]

Decides every candidate message due at TIME and writes the decision log
(JSON Lines, contract.md) to --out or stdout.

  without --state   due = the day ending at TIME: (TIME - 1d, TIME]
  with --state      due = since the last run: (last TIME, TIME]; the state file
                    (embedded DuckDB) keeps contact history and cadence progress,
                    so running twice at the same TIME adds nothing

Options:
  --data D            data folder with customers.* and events.* (.csv, .jsonl, .parquet)
  --customers FILE    the customers file, instead of looking in --data
  --events FILE       the events file, instead of looking in --data
  --at TIME           ISO 8601 (no offset means UTC)
  --state FILE        state file to read and update
  --out FILE          where to write the log (default stdout)
  --rejects FILE      go on past bad rows, writing each (whole, with its reason) to FILE
  --shard i/N         decide only the customers of shard i of N (docs/sharding.md);
                      merge the N logs with \`playbook logs merge\`
`;

const DAY = 86_400_000;

/** Parses a TIME flag; a usage error when it is not ISO 8601. */
export function timeFlag(name: string, v: string | undefined): number {
  if (!v) throw new UsageError(`--${name} TIME is required`);
  const t = parseTime(v);
  if (t === null) throw new UsageError(`--${name} must be an ISO 8601 time, not "${v}"`);
  return t;
}

/** Longest cap window: contact history older than this is dropped from the state. */
export function longestWindow(p: Program): number {
  let w = DAY;
  for (const c of p.ws.caps) w = Math.max(w, c.kind === "max" ? c.per.ms : c.duration.ms);
  return w;
}

/** Runs the command. */
export async function run(args: string[], io: CliIO): Promise<number> {
  const { dir, values } = parseDataArgs(args, { at: { type: "string" }, state: { type: "string" }, out: { type: "string" }, rejects: { type: "string" }, shard: { type: "string" } });
  const at = timeFlag("at", values.at);
  const shard = shardFlag(values.shard);
  let release = () => {};
  try {
    const { program, warnings } = await loadProgram(resolve(io.cwd, dir), dir);
    const statePath = values.state ? resolve(io.cwd, values.state) : null;
    let states = new Map<string, CustomerState>();
    let from = at - DAY;
    let readLastAt: number | null = null;
    if (statePath) {
      // Held from reading the state to committing it (engine/state/lock.ts).
      release = lockState(statePath);
      const stored = await loadState(statePath);
      readLastAt = stored.lastAt;
      if (stored.lastAt !== null && at < stored.lastAt) {
        io.stderr(`playbook run: the state file was last run at ${isoSeconds(stored.lastAt)}; --at ${isoSeconds(at)} is earlier\n`);
        return EXIT.usage;
      }
      const mismatch = stateShardMismatch(values.state!, stored.shard, stored.lastAt, shard);
      if (mismatch) return (io.stderr(`playbook run: ${mismatch}\n`), EXIT.usage);
      states = stored.states;
      if (stored.lastAt !== null) from = stored.lastAt;
    }
    const bar = progressBar(io, "playbook run");
    const r = await decideFromFiles(program, dataSource(io, values), states, from, at, true, undefined, { keepStates: statePath !== null, onProgress: stagedProgress(bar, "customers"), ...(shard ? { shard } : {}) }).finally(() => bar.end());
    if (r.bad.length && !values.rejects) {
      io.stderr(formatBadRows(r.bad));
      io.stderr(rowsSummary(r.counts));
      return EXIT.failed;
    }
    if (values.rejects) await writeLog_(resolve(io.cwd, values.rejects), await rejectsText(r.bad));
    const ds = r.decisions.map(stripTime);
    await writeDecisions(io, values.out, r.decisions, ds, shard);
    // Committed only after the log is out: a run killed before this line leaves the state as it was,
    // and a reader that went away before reading it all ends the process in flush (cli/io.ts).
    if (!values.out) await io.flush?.();
    if (statePath) await saveState(statePath, at, states, at - longestWindow(program), { readLastAt, ...(shard ? { shard: shardLabel(shard) } : {}) });
    // The warnings as one line, with the summaries of a run that worked (cli/warnings.ts).
    io.stderr(warningsLine(warnings, dir));
    io.stderr(rowsSummary(r.counts));
    io.stderr(decisionSummary(ds, r.timezones));
    if (shard && r.sharded) io.stderr(shardSummary(shard, r.sharded.decided, r.sharded.total));
    return EXIT.ok;
  } catch (e) {
    if (e instanceof InputError) return (io.stderr(e.message), e.exitCode);
    if (e instanceof StateFormatError || e instanceof StateLockedError) return (io.stderr(`playbook run: ${e.message}\n`), EXIT.usage);
    throw e;
  } finally {
    release();
  }
}

/** `--data`/`--customers`/`--events` resolved against the working directory. */
export function dataSource(io: CliIO, v: { data?: string; customers?: string; events?: string }) {
  return {
    ...(v.data ? { dir: resolve(io.cwd, v.data) } : {}),
    ...(v.customers ? { customers: resolve(io.cwd, v.customers) } : {}),
    ...(v.events ? { events: resolve(io.cwd, v.events) } : {}),
  };
}

async function writeLog_(path: string, text: string | Buffer): Promise<void> {
  const { writeFile } = await import("node:fs/promises");
  await writeFile(path, text);
}
