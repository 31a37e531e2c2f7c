/**
 * Drives the real `playbook tui` binary in a tmux pane of 80×24: keys go in
 * with `send-keys`, the screen comes out with `capture-pane -p`. Uses the demo's
 * output when `playbook demo` exists and wrote a decision log, else the fixture
 * report through the hidden `--report-json` flag.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = new URL("../..", import.meta.url).pathname;
const hasTmux = spawnSync("tmux", ["-V"]).status === 0;
const session = `pbtui${process.pid}`;
const tmp = mkdtempSync(join(tmpdir(), "pb-tui-"));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const tmux = (...args: string[]) => execFileSync("tmux", args, { encoding: "utf8" });
const screen = () => tmux("capture-pane", "-p", "-t", session);

/** The tui arguments: the demo's files when the demo can make them, else the fixture. */
function tuiArgs(): { args: string[]; source: string } {
  if (existsSync(join(ROOT, "cli/commands/demo.ts"))) {
    const out = join(tmp, "demo");
    // Small enough to take seconds: the test is about the terminal, not the statistics.
    const r = spawnSync("node", ["bin/playbook.js", "demo", "--out", out, "--customers", "400", "--days", "20"], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
    const decisions = existsSync(out) ? readdirSync(out, { recursive: true }).map(String).find((f) => /decisions.*\.jsonl$/.test(f)) : undefined;
    // The demo runs the example workspace; it writes data and the log only.
    const ws = existsSync(join(out, "playbooks")) ? join(out, "playbooks") : join(ROOT, "playbooks", "shop");
    const data = existsSync(join(out, "data")) ? join(out, "data") : out;
    if (r.status === 0 && decisions) return { args: [ws, "--decisions", join(out, decisions), "--data", data], source: "demo" };
  }
  return { args: ["--report-json", join(ROOT, "test/fixtures/tui/report.json")], source: "fixture" };
}

async function waitFor(text: string | RegExp, ms = 20_000): Promise<string> {
  const until = Date.now() + ms;
  let s = "";
  while (Date.now() < until) {
    s = screen();
    if (typeof text === "string" ? s.includes(text) : text.test(s)) return s;
    await sleep(200);
  }
  throw new Error(`screen never showed ${text}; last screen:\n${s}`);
}

afterAll(() => {
  if (hasTmux) spawnSync("tmux", ["kill-session", "-t", session]);
  rmSync(tmp, { recursive: true, force: true });
});

describe.skipIf(!hasTmux)("playbook tui in a real 80×24 terminal (tmux)", () => {
  it("opens the overview, filters, opens a rule, shows help and quits on q", { timeout: 300_000 }, async () => {
    const { args, source } = tuiArgs();
    const cmd = ["node", "bin/playbook.js", "tui", ...args].map((a) => `'${a}'`).join(" ");
    tmux("new-session", "-d", "-s", session, "-x", "80", "-y", "24", "-c", ROOT, `env NO_COLOR=1 ${cmd}; echo EXITED $?; sleep 60`);
    // The machine may be busy: the report and RFM take seconds before the first frame.
    const first = await waitFor("? help", 120_000);
    const lines = first.split("\n");
    expect(lines[0]).toMatch(/^Playbook · .*\d+ rules · attribution/);
    expect(lines[1]).toMatch(/^ {2}rule\s+entries\s+conv% T\/H\s+lift/);
    expect(lines[2]).toMatch(/^▶ /);
    if (source === "fixture") expect(first).toContain("winback_at_ri…");
    else expect(first).toContain("cart_recovery");
    console.info(`tui-tmux: drove the TUI on the ${source} report`);

    // A burst of keys in one read (tmux writes them together) must act as separate presses.
    tmux("send-keys", "-t", session, "j", "Enter", "Tab");
    const funnel = await waitFor("[2 funnel]");
    expect(funnel).toMatch(/step\/channel\s+sent/);
    tmux("send-keys", "-t", session, "Escape");
    await waitFor("s sort:");
    tmux("send-keys", "-t", session, "?");
    await waitFor("Keys");
    tmux("send-keys", "-t", session, "x");
    await waitFor("s sort:");
    tmux("send-keys", "-t", session, "q");
    const after = await waitFor("EXITED 0");
    expect(after).not.toContain("s sort:");
  });
});

if (!hasTmux) console.warn("tui-tmux.test.ts: skipped, tmux is not installed (apt-get install tmux to run it)");
