import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadState, saveState } from "../../engine/state/store.ts";
import { emptyState, type CustomerState } from "../../engine/runtime/state.ts";

const dir = mkdtempSync(join(tmpdir(), "pb-state-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const withHistory = (ts: number[]): CustomerState => ({ ...emptyState(), history: ts.map((t) => ({ ts: t, channel: "email", topic: "t", rule: "r", step: 1 })) });

describe("the --state file", () => {
  it("starts empty and round-trips contact history, dropping what no cap window reaches", async () => {
    const path = join(dir, "a.duckdb");
    expect(await loadState(path)).toEqual({ lastAt: null, states: new Map() });
    await saveState(path, 5000, new Map([["c1", withHistory([100, 4000])], ["c2", emptyState()]]), 1000);
    const s = await loadState(path);
    expect(s.lastAt).toBe(5000);
    expect([...s.states]).toEqual([["c1", withHistory([4000])]]);
  });

  it("a save that fails halfway leaves the file exactly as before (one transaction)", async () => {
    const path = join(dir, "b.duckdb");
    await saveState(path, 1000, new Map([["c1", withHistory([900])]]), 0);
    const poisoned = withHistory([1500]) as CustomerState & { boom?: unknown };
    poisoned.boom = 1n; // JSON.stringify throws on BigInt, after rows were already appended
    await expect(saveState(path, 2000, new Map([["a0", withHistory([1200])], ["c1", poisoned]]), 0)).rejects.toThrow();
    const s = await loadState(path);
    expect(s.lastAt).toBe(1000);
    expect([...s.states]).toEqual([["c1", withHistory([900])]]);
  });
});
