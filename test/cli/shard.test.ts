/**
 * `--shard i/N` (docs/sharding.md): four `node bin/playbook.js` processes in parallel, one per
 * shard, merged with `playbook logs merge`, give the unsharded log byte for byte — for
 * `run --state` over several days (each shard its own state file; the union of the four states
 * equals the unsharded state) and for `simulate`. Plus the refusals: a state of another split,
 * a merge with a shard missing or twice, a line edited into the wrong shard.
 */
import { describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { generate, AT } from "../../bench/gen/shop.ts";
import { loadState } from "../../engine/state/store.ts";
import { HAS_FRONT_END, ROOT, SHOP, tempFolders } from "./run-support.ts";

const run = promisify(execFile);
const BIN = join(ROOT, "bin", "playbook.js");
const { keep } = tempFolders();
const DAY = 86_400_000;
const iso = (t: number) => new Date(t).toISOString();

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  try {
    const r = await run(process.execPath, [BIN, ...args], { maxBuffer: 1 << 28 });
    return { code: 0, out: r.stdout, err: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, out: x.stdout, err: x.stderr };
  }
}

describe.skipIf(!HAS_FRONT_END)("playbook run/simulate --shard i/4: four processes merge to the unsharded log", () => {
  it("run --state over three days: merged logs byte for byte, union of the four states = the unsharded state", async () => {
    const dir = keep(mkdtempSync(join(tmpdir(), "pb-shard-")));
    const data = join(dir, "data");
    await generate(data, 3000, 60_000, 120);
    for (let day = 0; day < 3; day++) {
      const at = iso(AT - (2 - day) * DAY);
      const whole = await cli(["run", SHOP, "--data", data, "--at", at, "--state", join(dir, "whole.duckdb"), "--out", join(dir, `whole-${day}.jsonl`)]);
      expect(whole.code, whole.err).toBe(0);
      const shards = await Promise.all([1, 2, 3, 4].map((i) => cli(["run", SHOP, "--data", data, "--at", at, "--shard", `${i}/4`, "--state", join(dir, `s${i}.duckdb`), "--out", join(dir, `s${i}-${day}.jsonl`)])));
      for (const s of shards) expect(s.code, s.err).toBe(0);
      // Every shard checks every row: the same rows line in each, and the unsharded one.
      const rows = (e: string) => e.split("\n").find((l) => l.startsWith("rows:"));
      for (const s of shards) expect(rows(s.err)).toBe(rows(whole.err));
      const decided = shards.map((s) => Number(/shard \d\/4: (\d+) of 3000 customers/.exec(s.err)![1]));
      expect(decided.reduce((a, b) => a + b)).toBe(3000);
      // Shards in another order than 1..4: the merge does not depend on it.
      const merged = await cli(["logs", "merge", ...[3, 1, 4, 2].map((i) => join(dir, `s${i}-${day}.jsonl`))]);
      expect(merged.code, merged.err).toBe(0);
      const expected = readFileSync(join(dir, `whole-${day}.jsonl`), "utf8");
      expect(expected.split("\n").length).toBeGreaterThan(50);
      expect(merged.out).toBe(expected);
    }
    const whole = await loadState(join(dir, "whole.duckdb"));
    const union = new Map<string, unknown>();
    for (let i = 1; i <= 4; i++) {
      const s = await loadState(join(dir, `s${i}.duckdb`));
      expect(s.shard).toBe(`${i}/4`);
      expect(s.lastAt).toBe(whole.lastAt);
      for (const [id, st] of s.states) {
        expect(union.has(id)).toBe(false);
        union.set(id, st);
      }
    }
    expect(union.size).toBe(whole.states.size);
    expect(new Map([...union].sort(([a], [b]) => (a < b ? -1 : 1)))).toEqual(new Map([...whole.states].sort(([a], [b]) => (a < b ? -1 : 1))));
    // A state of one split is refused to another split and to an unsharded run (exit 2, nothing written).
    const next = iso(AT + DAY);
    const other = await cli(["run", SHOP, "--data", data, "--at", next, "--shard", "2/4", "--state", join(dir, "s1.duckdb")]);
    expect(other.code).toBe(2);
    expect(other.err).toContain(`--state ${join(dir, "s1.duckdb")} holds shard 1/4, not 2/4; give each shard its own state file`);
    const none = await cli(["run", SHOP, "--data", data, "--at", next, "--state", join(dir, "s1.duckdb")]);
    expect(none.code).toBe(2);
    expect(none.err).toContain("holds shard 1/4 only; run it with --shard 1/4");
    const into = await cli(["run", SHOP, "--data", data, "--at", next, "--shard", "1/4", "--state", join(dir, "whole.duckdb")]);
    expect(into.code).toBe(2);
    expect(into.err).toContain("holds every customer (written without --shard); --shard 1/4 needs a state of its own per shard");
    expect((await loadState(join(dir, "s1.duckdb"))).lastAt).toBe(whole.lastAt);
  }, 240_000);

  it("simulate over a month: merged logs byte for byte; merge refuses a missing, doubled or foreign shard", async () => {
    const dir = keep(mkdtempSync(join(tmpdir(), "pb-shard-sim-")));
    const data = join(dir, "data");
    await generate(data, 2000, 40_000, 90);
    const span = ["--from", iso(AT - 30 * DAY), "--to", iso(AT)];
    const [whole, ...shards] = await Promise.all([
      cli(["simulate", SHOP, "--data", data, ...span]),
      ...[1, 2, 3, 4].map((i) => cli(["simulate", SHOP, "--data", data, ...span, "--shard", `${i}/4`, "--out", join(dir, `s${i}.jsonl`)])),
    ]);
    expect(whole!.code, whole!.err).toBe(0);
    for (const s of shards) expect(s.code, s.err).toBe(0);
    const files = [1, 2, 3, 4].map((i) => join(dir, `s${i}.jsonl`));
    const out = join(dir, "merged.jsonl");
    expect((await cli(["logs", "merge", ...files, "--out", out])).code).toBe(0);
    expect(readFileSync(out, "utf8")).toBe(whole!.out);
    expect(whole!.out.split("\n").length).toBeGreaterThan(200);

    const missing = await cli(["logs", "merge", ...files.slice(0, 3)]);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain("3 logs for 4 shards (missing: 4/4)");
    const twice = await cli(["logs", "merge", files[0]!, files[1]!, files[2]!, files[0]!]);
    expect(twice.code).toBe(2);
    expect(twice.err).toContain(`shard 1/4 is also in ${files[0]}`);
    const plain = join(dir, "plain.jsonl");
    writeFileSync(plain, whole!.out);
    const notShard = await cli(["logs", "merge", plain]);
    expect(notShard.code).toBe(2);
    expect(notShard.err).toContain(`${plain}:1: not a line of a shard log`);
    // A line of shard 2 pasted into shard 1's log.
    const moved = join(dir, "moved.jsonl");
    const line2 = readFileSync(files[1]!, "utf8").split("\n")[0]!.replace('"shard":"2/4"', '"shard":"1/4"');
    writeFileSync(moved, readFileSync(files[0]!, "utf8") + line2 + "\n");
    const foreign = await cli(["logs", "merge", moved, files[1]!, files[2]!, files[3]!]);
    expect(foreign.code).toBe(2);
    expect(foreign.err).toMatch(/moved\.jsonl:\d+: (customer "[^"]+" is not in shard 1\/4|not in the log's order)/);
    const bad = await cli(["simulate", SHOP, "--data", data, ...span, "--shard", "5/4"]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("--shard 5/4: i must be between 1 and 4 (shards are numbered from 1)");
  }, 240_000);
});
