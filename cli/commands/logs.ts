/**
 * `playbook logs merge LOG… [--out FILE]`: the N logs of a sharded run (`run`/`simulate
 * --shard i/N`) merged into the log one unsharded run writes, byte for byte (docs/sharding.md).
 */
import { parseArgs } from "node:util";
import { createWriteStream } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { resolve } from "node:path";
import { EXIT, UsageError, type CliIO } from "../io.ts";
import { MergeError, mergeShardLogs } from "../../engine/runtime/shard-log.ts";

/** One line for `playbook --help`. */
export const summary = "merge the N decision logs of a --shard i/N run into the unsharded log";

/** `playbook logs --help`. */
export const usage = `Usage: playbook logs merge LOG... [--out FILE]

Merges the logs of the N shards of one run or simulation (\`--shard 1/N\` ...
\`--shard N/N\`, in any order) by the log's order and writes the decision log
an unsharded run writes, byte for byte: each line without the shard log's
"shard" and "decided_at" fields. Every shard must be given once; a line out of
order, of another split or of a customer of another shard is refused (exit 2).

Options:
  --out FILE   where to write the merged log (default stdout; written whole, then renamed)
`;

/** Runs the command. */
export async function run(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { out: { type: "string" } } });
  const [sub, ...files] = positionals;
  if (sub !== "merge") throw new UsageError(sub === undefined ? "give a subcommand: merge" : `unknown subcommand "${sub}"; the only one is merge`);
  if (files.length === 0) throw new UsageError("give the shard logs to merge");
  const paths = files.map((f) => resolve(io.cwd, f));
  try {
    if (!values.out) {
      await mergeShardLogs(paths, (t) => io.stdout(t));
      return EXIT.ok;
    }
    const out = resolve(io.cwd, values.out);
    const tmp = `${out}.tmp-${process.pid}`;
    const w = createWriteStream(tmp);
    try {
      await mergeShardLogs(paths, (t) => void w.write(t));
      await new Promise<void>((ok, fail) => w.end((e?: Error | null) => (e ? fail(e) : ok())));
      await rename(tmp, out);
    } catch (e) {
      w.destroy();
      await rm(tmp, { force: true });
      throw e;
    }
    return EXIT.ok;
  } catch (e) {
    if (e instanceof MergeError) return (io.stderr(`playbook logs merge: ${e.message}\n`), EXIT.usage);
    throw e;
  }
}
