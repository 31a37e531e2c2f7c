/**
 * `--shard i/N` of `run` and `simulate` (docs/sharding.md): the flag, and writing the decisions
 * either as the contract's log or, for a shard, as a shard log (`playbook logs merge` input).
 */
import { resolve } from "node:path";
import { UsageError, type CliIO } from "./io.ts";
import type { Decision } from "../engine/decision.ts";
import type { TimedDecision } from "../engine/runtime/customer.ts";
import { logText, writeLogText } from "../engine/runtime/log-file.ts";
import { parseShard, type Shard } from "../engine/runtime/shard.ts";
import { shardLogText } from "../engine/runtime/shard-log.ts";

/** The parsed `--shard`, null without it; a usage error when it is not `i/N`. */
export function shardFlag(v: string | undefined): Shard | null {
  if (v === undefined) return null;
  const s = parseShard(v);
  if (typeof s === "string") throw new UsageError(s);
  return s;
}

/** The log to `--out` (temp file + rename) or stdout; a shard's with its two extra fields. */
export async function writeDecisions(io: CliIO, out: string | undefined, timed: readonly TimedDecision[], ds: readonly Decision[], shard: Shard | null): Promise<void> {
  const text = shard ? shardLogText(timed, shard) : logText(ds);
  if (out) await writeLogText(resolve(io.cwd, out), text);
  else io.stdout(text);
}
