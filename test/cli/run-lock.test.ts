/**
 * One writer at a time on a `--state` file (engine/state/lock.ts): a run on a
 * held state exits 2 and writes nothing; a stale lock is taken; two
 * concurrent runs send every message once; the commit refuses a state that
 * changed since it was read.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../cli/main.ts";
import { memoryIO } from "../../cli/io.ts";
import { lockState } from "../../engine/state/lock.ts";
import { loadState, saveState } from "../../engine/state/store.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const SHOP = join(ROOT, "playbooks/shop");
const AT = "2026-09-10T00:00:00Z";
const tmp = mkdtempSync(join(tmpdir(), "pb-lock-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const data = join(tmp, "demo/data");
const sends = (text: string) => text.split("\n").filter((l) => l.includes('"status":"send"')).length;

beforeAll(async () => {
  expect(await main(["demo", "--out", join(tmp, "demo"), "--customers", "1500", "--days", "20"], memoryIO(tmp))).toBe(0);
}, 120_000);

describe("run --state: one writer at a time", () => {
  it("a held state: exit 2, a clear line, no log written, the state untouched", async () => {
    const state = join(tmp, "held.duckdb");
    const release = lockState(state);
    try {
      const io = memoryIO(tmp);
      const out = join(tmp, "held.jsonl");
      expect(await main(["run", SHOP, "--data", data, "--at", AT, "--state", state, "--out", out], io)).toBe(2);
      expect(io.err).toBe(`playbook run: --state ${state} is in use by another run (pid ${process.pid}, since ${JSON.parse(readFileSync(state + ".lock", "utf8")).since}): wait for it to finish; if no run is going, delete ${state}.lock\n`);
      expect(existsSync(out)).toBe(false);
      expect(existsSync(state)).toBe(false);
    } finally {
      release();
    }
    expect(existsSync(state + ".lock")).toBe(false);
  });

  it("a stale lock (its process is gone) is taken, and released at the end", async () => {
    const state = join(tmp, "stale.duckdb");
    writeFileSync(state + ".lock", JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname(), since: "2026-01-01T00:00:00.000Z" }));
    const io = memoryIO(tmp);
    expect(await main(["run", SHOP, "--data", data, "--at", AT, "--state", state, "--out", join(tmp, "stale.jsonl")], io)).toBe(0);
    expect(existsSync(state + ".lock")).toBe(false);
  });

  it("the commit refuses a state another run changed since it was read", async () => {
    const state = join(tmp, "moved.duckdb");
    expect(await main(["run", SHOP, "--data", data, "--at", AT, "--state", state, "--out", join(tmp, "moved.jsonl")], memoryIO(tmp))).toBe(0);
    const stored = await loadState(state);
    await expect(saveState(state, Date.parse(AT) + 1, stored.states, 0, { readLastAt: Date.parse(AT) - 1 })).rejects.toThrow(/was changed by another run \(last run 2026-09-10T00:00:00.000Z, read as 2026-09-09T23:59:59.999Z\); nothing committed/);
    await saveState(state, Date.parse(AT) + 1, stored.states, 0, { readLastAt: stored.lastAt });
    expect((await loadState(state)).lastAt).toBe(Date.parse(AT) + 1);
  });

  it("two concurrent runs on one state: one refused (exit 2) or run after the other; every message sent once", async () => {
    const single = join(tmp, "single.jsonl");
    expect(await main(["run", SHOP, "--data", data, "--at", AT, "--state", join(tmp, "single.duckdb"), "--out", single], memoryIO(tmp))).toBe(0);
    const expected = sends(readFileSync(single, "utf8"));
    expect(expected).toBeGreaterThan(0);
    const state = join(tmp, "shared.duckdb");
    const one = (i: number) =>
      promisify(execFile)(process.execPath, [join(ROOT, "bin/playbook.js"), "run", SHOP, "--data", data, "--at", AT, "--state", state, "--out", join(tmp, `c${i}.jsonl`)], { env: { ...process.env, PLAYBOOK_BUNDLE: "0" } }).then(
        () => ({ code: 0, err: "" }),
        (e) => ({ code: e.code as number, err: String(e.stderr) }),
      );
    const results = await Promise.all([one(1), one(2)]);
    const codes = results.map((r) => r.code).sort();
    expect([[0, 0], [0, 2]]).toContainEqual(codes);
    for (const r of results) if (r.code === 2) expect(r.err).toMatch(/is in use by another run \(pid \d+/);
    const total = [1, 2].map((i) => (existsSync(join(tmp, `c${i}.jsonl`)) ? sends(readFileSync(join(tmp, `c${i}.jsonl`), "utf8")) : 0));
    expect(total[0]! + total[1]!).toBe(expected);
  }, 120_000);
});
