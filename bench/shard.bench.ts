/**
 * `--shard` (docs/sharding.md, issue 12 "Speed"): a day's `run` of the example workspace as
 * `--shard 1/2` and `--shard 2/2` in two processes at once, wall time from the first start to the
 * last exit, against the unsharded run of the same data in the same bench run (medians of 3;
 * target ≤ 0.6×). Each run is `node bin/playbook.js`, the bundle (`npm run build` first).
 * Data: bench/gen/shop.ts, 300k customers × 6M events scaled by BENCH_SCALE.
 */
import { execFile } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { promisify } from "node:util";
import { generate, AT } from "./gen/shop.ts";

const run = promisify(execFile);
const SCALE = Number(process.env.BENCH_SCALE ?? "1");
const CACHE = process.env.BENCH_CACHE ?? "/tmp/pb-bench-shard";
const ROOT = join(import.meta.dirname, "..");
const customers = Math.round(300_000 * SCALE);
const events = customers * 20;
const dir = join(CACHE, `shop-${customers}-${events}`);
await generate(dir, customers, events, 365);
const at = new Date(AT).toISOString();
const cmd = (out: string, shard?: string) => [join(ROOT, "bin", "playbook.js"), "run", join(ROOT, "playbooks", "shop"), "--data", dir, "--at", at, "--out", join(dir, out), ...(shard ? ["--shard", shard] : [])];
const time = async (f: () => Promise<unknown>) => {
  const t0 = performance.now();
  await f();
  return performance.now() - t0;
};
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const whole: number[] = [];
const sharded: number[] = [];
for (let r = 0; r < 3; r++) {
  whole.push(await time(() => run(process.execPath, cmd("whole.jsonl"), { maxBuffer: 1 << 26 })));
  sharded.push(await time(() => Promise.all(["1/2", "2/2"].map((s, i) => run(process.execPath, cmd(`s${i + 1}.jsonl`, s), { maxBuffer: 1 << 26 })))));
}
// The two shard logs hold the unsharded run's decisions between them.
const lines = (f: string) => readFileSync(join(dir, f), "utf8").split("\n").length - 1;
if (lines("s1.jsonl") + lines("s2.jsonl") !== lines("whole.jsonl")) throw new Error("the shards' logs do not add up to the unsharded log");
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
console.log(`run of a day, ${customers} customers × ${events} events (Parquet), example workspace:`);
console.log(`  unsharded: median ${s(med(whole))} (${whole.map(s).join(", ")})`);
console.log(`  --shard 1/2 + 2/2 in parallel: median ${s(med(sharded))} (${sharded.map(s).join(", ")}) → ${(med(sharded) / med(whole)).toFixed(2)}× unsharded  (target ≤ 0.6×)`);
for (const f of ["whole.jsonl", "s1.jsonl", "s2.jsonl"]) rmSync(join(dir, f), { force: true });
