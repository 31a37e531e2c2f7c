/**
 * `npm run bench -- startup [-- N]`: how long a command takes to start and
 * finish, against a bare `node -e ''` measured in the same run. Targets
 * (issue 14 item 10): `playbook --help` ≤ 2× and `playbook check
 * playbooks/shop` ≤ 4× the bare start, through the bundle `npm ci` builds.
 *
 * Each round runs every case once, in turn, so load on the machine falls on
 * all of them alike; the figures are medians over the rounds (N, default 21).
 * The bundle is rebuilt first (`node bin/build.js`, what `prepare` runs), so
 * what is timed is the current sources. The sources through tsx
 * (PLAYBOOK_BUNDLE=0) are timed too, fewer rounds, as the "before" figure.
 * Wall time of the whole child process, spawn to exit. Never fails on time.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";

const ROOT = join(import.meta.dirname, "..");
const BIN = join(ROOT, "bin", "playbook.js");
const rounds = Number(process.argv[2] ?? 21);

interface Case {
  name: string;
  args: string[];
  env?: Record<string, string>;
  /** Only every k-th round (the slow tsx cases). */
  every?: number;
}

const CASES: Case[] = [
  { name: "node -e ''", args: ["-e", ""] },
  { name: "playbook --help", args: [BIN, "--help"] },
  { name: "playbook check playbooks/shop", args: [BIN, "check", "playbooks/shop"] },
  { name: "playbook --help (sources, tsx)", args: [BIN, "--help"], env: { PLAYBOOK_BUNDLE: "0" }, every: 4 },
  { name: "playbook check (sources, tsx)", args: [BIN, "check", "playbooks/shop"], env: { PLAYBOOK_BUNDLE: "0" }, every: 4 },
];

/** Wall milliseconds of one run; throws when the command fails (a broken bundle must not look fast). */
function time(c: Case): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, c.args, { cwd: ROOT, env: { ...process.env, ...c.env }, stdio: ["ignore", "ignore", "pipe"] });
  const ms = performance.now() - t0;
  // check exits 0 on the example (warnings only); anything else is a broken build.
  if (r.status !== 0) throw new Error(`${c.name} exited ${r.status}: ${r.stderr.toString().slice(0, 500)}`);
  return ms;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

const build = spawnSync(process.execPath, [join(ROOT, "bin", "build.js")], { cwd: ROOT, stdio: "inherit" });
if (build.status !== 0) throw new Error("bin/build.js failed");

const samples = new Map<string, number[]>(CASES.map((c) => [c.name, []]));
for (let i = 0; i < rounds; i++) {
  for (const c of CASES) if (i % (c.every ?? 1) === 0) samples.get(c.name)!.push(time(c));
}

const bare = median(samples.get("node -e ''")!);
const target: Record<string, number> = { "playbook --help": 2, "playbook check playbooks/shop": 4 };
console.log(`start-up, median wall time of N runs (${rounds} rounds; load average ${(await import("node:os")).loadavg()[0]!.toFixed(1)})`);
for (const c of CASES) {
  const xs = samples.get(c.name)!;
  const m = median(xs);
  const ratio = m / bare;
  const goal = target[c.name];
  const verdict = goal === undefined ? "" : ratio <= goal ? `  (target ≤ ${goal}×: met)` : `  (target ≤ ${goal}×: NOT met)`;
  console.log(`  ${c.name.padEnd(34)} ${m.toFixed(0).padStart(6)} ms  ${ratio.toFixed(2).padStart(5)}×  N=${xs.length}${verdict}`);
}
