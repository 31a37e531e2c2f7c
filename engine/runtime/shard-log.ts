/**
 * The log of one shard and the merge of N of them (docs/sharding.md).
 *
 * The log's order (order.ts) starts with the instant a decision was taken, which no field of
 * the contract's line carries (`send_at` may be later, or null). A shard's log therefore adds
 * two fields at the end of each line, `"shard":"i/N"` and `"decided_at"` (that instant, as the
 * log writes instants, milliseconds when there are some); `playbook logs merge` k-way merges
 * N shard logs by the log's order and writes each line without them, through the same
 * serializer as an unsharded run: the merged log equals the unsharded log byte for byte.
 */
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { decisionToJson, isoInstant, type Decision } from "../decision.ts";
import type { TimedDecision } from "./customer.ts";
import { cmpDecisions } from "./order.ts";
import { parseShard, shardLabel, shardOf, type Shard } from "./shard.ts";

/** A shard's log: each line the contract's, plus `shard` and `decided_at`. */
export function shardLogText(ds: readonly TimedDecision[], shard: Shard): string {
  const tail = `,"shard":"${shardLabel(shard)}","decided_at":"`;
  let s = "";
  for (const d of ds) {
    const { at, ...rest } = d;
    s += decisionToJson(rest).slice(0, -1) + tail + isoInstant(at) + '"}\n';
  }
  return s;
}

/** Why shard logs cannot be merged: `file:line: reason`, exit 2. */
export class MergeError extends Error {}

interface Head {
  file: string;
  line: number;
  d: TimedDecision;
}

/** One shard log, read a line at a time, each line checked. */
async function* readShardLog(file: string, shards: Map<string, string>): AsyncGenerator<Head> {
  const rl = createInterface({ input: createReadStream(file, { encoding: "utf8" }), crlfDelay: Infinity });
  let line = 0;
  let shard: Shard | null = null;
  let prev: TimedDecision | null = null;
  for await (const text of rl) {
    line++;
    if (text.trim() === "") continue;
    const where = `${file}:${line}`;
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new MergeError(`${where}: not valid JSON`);
    }
    if (!o || typeof o !== "object" || Array.isArray(o)) throw new MergeError(`${where}: not a JSON object`);
    if (typeof o.shard !== "string" || typeof o.decided_at !== "string") {
      throw new MergeError(`${where}: not a line of a shard log (no "shard" and "decided_at"); write each shard with \`playbook run … --shard i/N\``);
    }
    const s = parseShard(o.shard);
    if (typeof s === "string") throw new MergeError(`${where}: shard "${o.shard}" is not i/N`);
    if (shard === null) {
      shard = s;
      const other = shards.get(shardLabel(s));
      if (other !== undefined) throw new MergeError(`${where}: shard ${shardLabel(s)} is also in ${other}; give each shard's log once`);
      shards.set(shardLabel(s), file);
      const first = [...shards].find(([k]) => k.split("/")[1] !== String(s.count));
      if (first) throw new MergeError(`${where}: shard ${shardLabel(s)} does not split the customers like ${first[1]} (shard ${first[0]}); merge the logs of one --shard i/N split`);
    } else if (shardLabel(s) !== shardLabel(shard)) {
      throw new MergeError(`${where}: shard ${shardLabel(s)} in a log of shard ${shardLabel(shard)}`);
    }
    const at = Date.parse(o.decided_at);
    if (!Number.isFinite(at) || typeof o.customer_id !== "string" || typeof o.rule !== "string" || typeof o.step !== "number" || typeof o.entry_id !== "string" || typeof o.status !== "string") {
      throw new MergeError(`${where}: a decision line needs customer_id, rule, step, entry_id, status and an ISO decided_at`);
    }
    if (shardOf(o.customer_id, s.count) !== s.index) throw new MergeError(`${where}: customer "${o.customer_id}" is not in shard ${shardLabel(s)}`);
    const { shard: _s, decided_at: _a, ...rest } = o;
    const d = { ...(rest as unknown as Decision), at };
    if (prev && cmpDecisions(prev, d) > 0) throw new MergeError(`${where}: not in the log's order (the line before it comes later); merge the logs as \`run\` wrote them`);
    prev = d;
    yield { file, line, d };
  }
}

/**
 * Merges shard logs into the unsharded log, calling `write` with its text in pieces. Every file
 * must be a shard log of the same N, each shard once and all N of them (an empty log, a shard
 * where nothing was decided, counts as any one shard).
 */
export async function mergeShardLogs(files: readonly string[], write: (text: string) => void): Promise<void> {
  const shards = new Map<string, string>();
  const its = files.map((f) => readShardLog(f, shards));
  const heads: (Head | null)[] = [];
  for (const it of its) heads.push((await it.next()).value ?? null);
  const n = [...shards.keys()].map((k) => Number(k.split("/")[1]))[0];
  if (n !== undefined && files.length !== n) {
    const missing = Array.from({ length: n }, (_, i) => `${i + 1}/${n}`).filter((k) => !shards.has(k));
    throw new MergeError(`${files.length} logs for ${n} shards${files.length < n ? ` (missing: ${missing.slice(0, 5).join(", ")}${missing.length > 5 ? ", …" : ""}${files.length - shards.size > 0 ? " or empty logs among them" : ""})` : ""}; give the N logs of one --shard i/N run`);
  }
  let buf = "";
  for (;;) {
    let best = -1;
    for (let i = 0; i < heads.length; i++) if (heads[i] && (best < 0 || cmpDecisions(heads[i]!.d, heads[best]!.d) < 0)) best = i;
    if (best < 0) break;
    const { at: _at, ...d } = heads[best]!.d;
    buf += decisionToJson(d) + "\n";
    if (buf.length > 1 << 16) (write(buf), (buf = ""));
    heads[best] = (await its[best]!.next()).value ?? null;
  }
  if (buf) write(buf);
}
