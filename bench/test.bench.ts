/**
 * `npm run bench -- test [-- N]`: `playbook test playbooks/` (the example
 * workspace's cases) after start-up, against `playbook check playbooks/`
 * measured in the same run. Target (issue 13): ≤ 1 s after start-up.
 *
 * In-process, through `main` as the binary calls it: one warm-up run pays the
 * start-up (modules, the Chevrotain parser, DuckDB's first instance), then N
 * runs (default 9) in turn with N of check; figures are medians. The whole
 * process (spawn to exit, through the bundle when it is fresh) is timed too,
 * fewer rounds, with a bare `node -e ''` as its baseline. Never fails on time.
 */
import { spawnSync } from "node:child_process";
import { loadavg, cpus } from "node:os";
import { join } from "node:path";
import { main } from "../cli/main.ts";
import { memoryIO } from "../cli/io.ts";

const ROOT = join(import.meta.dirname, "..");
const BIN = join(ROOT, "bin", "playbook.js");
const rounds = Number(process.argv[2] ?? 9);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Milliseconds of one in-process command; throws on an unexpected exit code. */
async function inProcess(args: string[]): Promise<{ ms: number; out: string }> {
  const io = memoryIO(ROOT);
  const t0 = performance.now();
  const code = await main(args, io);
  const ms = performance.now() - t0;
  if (code !== 0) throw new Error(`playbook ${args.join(" ")} exited ${code}: ${io.err.slice(0, 500)}`);
  return { ms, out: io.out };
}

function spawned(args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"] });
  if (r.status !== 0) throw new Error(`${args.join(" ")} exited ${r.status}: ${r.stderr.toString().slice(0, 500)}`);
  return performance.now() - t0;
}

const warm = await inProcess(["test", "playbooks/"]);
const cases = /^(\d+) cases:/m.exec(warm.out)?.[1] ?? "?";
await inProcess(["check", "playbooks/"]);
const test: number[] = [];
const check: number[] = [];
for (let i = 0; i < rounds; i++) {
  test.push((await inProcess(["test", "playbooks/"])).ms);
  check.push((await inProcess(["check", "playbooks/"])).ms);
}
const procRounds = Math.max(3, Math.ceil(rounds / 3));
const proc: number[] = [];
const bare: number[] = [];
for (let i = 0; i < procRounds; i++) {
  proc.push(spawned([BIN, "test", "playbooks/"]));
  bare.push(spawned(["-e", ""]));
}
const t = median(test);
const c = median(check);
console.log(`playbook test playbooks/ (${cases} cases), median of N; ${cpus().length} cores, load average ${loadavg()[0]!.toFixed(1)}`);
console.log(`  first run in the process (start-up)  ${warm.ms.toFixed(0).padStart(6)} ms`);
console.log(`  test after start-up                  ${t.toFixed(0).padStart(6)} ms  ${(t / c).toFixed(2).padStart(5)}× check  N=${rounds}  (target ≤ 1000 ms: ${t <= 1000 ? "met" : "NOT met"})`);
console.log(`  check playbooks/ after start-up      ${c.toFixed(0).padStart(6)} ms  (baseline)  N=${rounds}`);
console.log(`  whole process: playbook test         ${median(proc).toFixed(0).padStart(6)} ms  ${(median(proc) / median(bare)).toFixed(1).padStart(5)}× node -e ''  N=${procRounds}`);
console.log(`  whole process: node -e ''            ${median(bare).toFixed(0).padStart(6)} ms  N=${procRounds}`);
console.log(`  per case after start-up              ${(t / Number(cases)).toFixed(1).padStart(6)} ms`);
