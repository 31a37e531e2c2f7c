/**
 * `npm start`: the first thing a new user runs. Builds the demo shop, simulates
 * it through the engine, prints the report beside the true effects, and opens
 * the terminal UI when stdout is a terminal — each step announced on stderr
 * with how long it took, so nothing sits silent for more than a moment.
 *
 * Flags are passed on to `playbook demo` (e.g. `npm start -- --customers 3000`).
 */
import { join, resolve } from "node:path";
import { main } from "./main.ts";
import { processIO, type CliIO } from "./io.ts";

const SHOP = "playbooks/shop";

/** Runs one step, printing `▸ label …` before and `done in X s` after. */
async function step(io: CliIO, label: string, f: () => Promise<number>): Promise<number> {
  io.stderr(`▸ ${label} …\n`);
  const t0 = performance.now();
  const code = await f();
  io.stderr(`  ${code === 0 ? "done" : `failed (exit ${code})`} in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  return code;
}

/** The start sequence; returns the exit code. */
export async function start(argv: string[], io: CliIO = processIO()): Promise<number> {
  const outIdx = argv.indexOf("--out");
  const out = resolve(io.cwd, outIdx >= 0 && argv[outIdx + 1] ? argv[outIdx + 1]! : "playbook-demo");
  const demoArgs = outIdx >= 0 ? argv : [...argv, "--out", out];
  let code = await step(io, `checking the example workspace (${SHOP})`, () => main(["check", SHOP], { ...io, stdout: () => {} }));
  if (code !== 0) return code;
  code = await step(io, "building a synthetic shop, simulating it day by day through the engine, reporting", () => main(["demo", ...demoArgs], io));
  if (code !== 0) return code;
  const tuiArgs = [SHOP, "--decisions", join(out, "decisions.jsonl"), "--data", join(out, "data")];
  if (!io.isTTY) {
    io.stderr(`\nNot a terminal, so no interactive view. Open it with:\n  npx playbook tui ${tuiArgs.join(" ")}\n`);
    return 0;
  }
  io.stderr("▸ opening the terminal UI (q quits, ? for help)\n");
  return main(["tui", ...tuiArgs], io);
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = await start(process.argv.slice(2));
