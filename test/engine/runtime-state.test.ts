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
    expect(await loadState(path)).toEqual({ lastAt: null, shard: null, states: new Map() });
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

  it("reads a file written with the earlier PRIMARY KEY table and saves it without the index", async () => {
    const { DuckDBInstance } = await import("@duckdb/node-api");
    const path = join(dir, "old.duckdb");
    const db = await DuckDBInstance.create(path);
    const con = await db.connect();
    await con.run("CREATE TABLE meta (k VARCHAR PRIMARY KEY, v VARCHAR)");
    await con.run("CREATE TABLE customer_state (customer_id VARCHAR PRIMARY KEY, state VARCHAR NOT NULL)");
    await con.run(`INSERT INTO meta VALUES ('format', 'playbook-state-1'), ('last_at', '1970-01-01T00:00:01.000Z')`);
    await con.run(`INSERT INTO customer_state VALUES ('c1', '${JSON.stringify(withHistory([900]))}')`);
    con.closeSync();
    db.closeSync();
    const s = await loadState(path);
    expect([...s.states]).toEqual([["c1", withHistory([900])]]);
    s.states.set("c0", withHistory([1500]));
    await saveState(path, 2000, s.states, 0);
    const again = await loadState(path);
    expect(again.lastAt).toBe(2000);
    expect([...again.states]).toEqual([["c0", withHistory([1500])], ["c1", withHistory([900])]]);
    const check = await DuckDBInstance.create(path);
    const c2 = await check.connect();
    const indexes = (await c2.runAndReadAll("SELECT count(*) FROM duckdb_constraints() WHERE table_name = 'customer_state' AND constraint_type = 'PRIMARY KEY'")).getRows();
    c2.closeSync();
    check.closeSync();
    expect(Number(indexes[0]![0])).toBe(0);
  });
});

describe("a state written before entry ids kept milliseconds", () => {
  it("still ends the cadence in progress whose id it holds at second precision", async () => {
    const { createEngine } = await import("../../engine/api.ts");
    const { buildWorkspace } = await import("./scenarios/mini-workspace.ts");
    const { miniCompile } = await import("./scenarios/mini-expr.ts");
    const { ws, segments } = buildWorkspace({ channels: { email: null }, rules: { series: { on: "pong", steps: [{ channel: "email" }, { after: "1h", channel: "email" }] } } });
    const engine = createEngine(ws, { compile: miniCompile(segments, new Set(["pong"])) });
    const t = Date.parse("2026-11-20T10:00:00.250Z");
    expect(engine.decide("b", { name: "pong", ts: t, props: {} }, t).map((d) => d.entry_id)).toEqual(["series:b:2026-11-20T10:00:00.250Z"]);
    // What the older engine stored for this entry.
    engine.state("b")!.activeCadence = "series:b:2026-11-20T10:00:00Z";
    expect(engine.decide("b", null, t + 2 * 3_600_000).map((d) => `${d.step} ${d.status}`)).toEqual(["2 send"]);
    expect(engine.state("b")!.activeCadence).toBe(null);
  });
});
