/**
 * A reader that goes away (`playbook run … | head -c 100`): the command stops
 * at once and quietly with exit 141 (128 + SIGPIPE, cli/io.ts), no EPIPE stack
 * trace — and `run --state` commits no state for a log nobody read.
 * Real child processes, whose stdout pipe the test closes before they write.
 */
import { afterAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { HAS_FRONT_END, ROOT, SHOP, shopData } from "./run-support.ts";
import { loadState } from "../../engine/state/store.ts";

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Runs bin/playbook.js with its stdout closed before it writes anything. */
function withClosedStdout(args: string[]): Promise<{ code: number | null; signal: string | null; err: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [join(ROOT, "bin", "playbook.js"), ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.destroy(); // the reader is gone: every write the child makes fails with EPIPE
    let err = "";
    child.stderr.on("data", (b: Buffer) => void (err += b.toString()));
    child.on("error", fail);
    child.on("close", (code, signal) => done({ code, signal, err }));
  });
}

describe.skipIf(!HAS_FRONT_END)("a closed stdout", () => {
  it("ends check quietly with exit 141", async () => {
    const r = await withClosedStdout(["check", SHOP]);
    expect(r.err).toBe("");
    expect(r.code).toBe(141);
  });

  it("ends run --state quietly with exit 141, the state not committed", async () => {
    const d = shopData();
    dirs.push(d);
    const state = join(d, "state.duckdb");
    const r = await withClosedStdout(["run", SHOP, "--data", d, "--at", "2026-11-20T00:00:00Z", "--state", state]);
    expect(r.err).not.toMatch(/EPIPE|Error|at .*:\d+:\d+/);
    expect(r.code).toBe(141);
    // Never written, or written without a run in it.
    if (existsSync(state)) expect((await loadState(state)).lastAt).toBeNull();
  });
});
