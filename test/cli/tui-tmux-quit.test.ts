/**
 * Quitting ends the process at once (issue 19, item 1): the real `playbook tui`
 * in tmux panes (real pseudo-terminals), 20 tries, half with `q` and half with
 * Ctrl-C, half of them with a timer still pending inside the process (the hidden
 * `--test-pending-ms`, standing in for a report, RFM or DuckDB call not yet
 * done), all beside a CPU-bound process. Each must be gone within 1 s of the key.
 * The title must show the workspace path as typed (an absolute path from
 * another folder, which used to read `../../…`).
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");
const hasTmux = spawnSync("tmux", ["-V"]).status === 0;
const tmp = mkdtempSync(join(tmpdir(), "pb-tui-quit-"));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const tmux = (...args: string[]) => execFileSync("tmux", args, { encoding: "utf8" });
const sessions: string[] = [];
const TRIES = 20, BATCH = 10;
// A CPU-bound neighbour, as on the loaded machine of the issue.
const hog = hasTmux ? spawn("node", ["-e", "for(;;){}"], { stdio: "ignore" }) : undefined;

afterAll(() => {
  hog?.kill("SIGKILL");
  for (const s of sessions) spawnSync("tmux", ["kill-session", "-t", s]);
  rmSync(tmp, { recursive: true, force: true });
});

interface Try { session: string; done: string; key: "q" | "C-c"; pending: boolean }

/** Starts one TUI in its own pane, from a folder that is not the repository. */
function startTry(i: number): Try {
  const session = `pbquit${process.pid}_${i}`;
  const done = join(tmp, `done-${i}`);
  const pending = Math.floor(i / 2) % 2 === 1;
  const args = ["node", join(ROOT, "bin/playbook.js"), "tui", join(ROOT, "playbooks/shop"), "--report-json", join(ROOT, "test/fixtures/tui/report.json")];
  if (pending) args.push("--test-pending-ms", "60000");
  const cmd = args.map((a) => `'${a}'`).join(" ");
  // The time of exit comes from the pane's shell, the moment the process is gone.
  tmux("new-session", "-d", "-s", session, "-x", "80", "-y", "24", "-c", tmp, `env NO_COLOR=1 ${cmd}; echo "$(date +%s%3N) $?" > '${done}'; sleep 30`);
  sessions.push(session);
  return { session, done, key: i % 2 === 0 ? "q" : "C-c", pending };
}

async function waitFirstFrame(t: Try): Promise<string> {
  const until = Date.now() + 60_000;
  let s = "";
  while (Date.now() < until) {
    s = tmux("capture-pane", "-p", "-t", t.session);
    if (s.includes("? help")) return s;
    await sleep(100);
  }
  throw new Error(`${t.session}: no first frame; last screen:\n${s}`);
}

/** Presses the key and returns the ms until the process was gone, and its exit code. */
async function quit(t: Try): Promise<{ ms: number; code: number; screen: string }> {
  tmux("send-keys", "-t", t.session, t.key);
  // From the moment the key is in the pane: send-keys returns once tmux has delivered it
  // (starting the tmux client, not the TUI, is what takes time before that on a busy machine).
  const t0 = Date.now();
  while (Date.now() - t0 < 5_000 && !existsSync(t.done)) await sleep(20);
  const screen = tmux("capture-pane", "-p", "-t", t.session);
  // Still running 5 s after the key: report it as a failed try, not a missing file.
  if (!existsSync(t.done)) return { ms: Infinity, code: -1, screen };
  await sleep(30);
  const [at, code] = readFileSync(t.done, "utf8").trim().split(" ").map(Number);
  return { ms: at! - t0, code: code!, screen };
}

describe.skipIf(!hasTmux)("playbook tui quits at once (tmux, beside a CPU-bound process)", () => {
  it(`q and Ctrl-C end the process within 1 s, ${TRIES} tries`, { timeout: 120_000 }, async () => {
    const results: { key: string; pending: boolean; ms: number; code: number }[] = [];
    for (let b = 0; b < TRIES; b += BATCH) {
      const tries = Array.from({ length: BATCH }, (_, k) => startTry(b + k));
      // Startup is not what is measured: every pane shows its first frame before any key.
      const firsts = [];
      for (const t of tries) firsts.push(await waitFirstFrame(t));
      for (const f of firsts) expect(f.split("\n")[0]).toMatch(new RegExp(`^Playbook · ${ROOT}/playbooks/shop · 8 rules`));
      for (const t of tries) {
        const r = await quit(t);
        results.push({ key: t.key, pending: t.pending, ms: r.ms, code: r.code });
        // The alternate screen is gone: the shell's screen is back, without the TUI's footer.
        expect(r.screen).not.toContain("s sort:");
      }
    }
    console.info(`tui quit times (ms): ${results.map((r) => `${r.key}${r.pending ? "+pending" : ""} ${r.ms}`).join(", ")}`);
    expect(results.filter((r) => r.ms >= 1000)).toEqual([]);
    expect(results.map((r) => r.code)).toEqual(Array(TRIES).fill(0));
  });
});

if (!hasTmux) console.warn("tui-tmux-quit.test.ts: skipped, tmux is not installed (apt-get install tmux to run it)");
