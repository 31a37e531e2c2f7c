import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync, cpSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { main } from "../../cli/main.ts";
import { memoryIO } from "../../cli/io.ts";
import { segmentsOf } from "../../engine/segments.ts";
import { loadWorkspace } from "../../language/index.ts";
import { checkWorkspace } from "../../language/check.ts";

const FIX = fileURLToPath(new URL("../fixtures/segments", import.meta.url));
const AT = "2026-06-01T00:00:00Z";

/*
 * Hand-computed at 2026-06-01T00:00Z, window 90d (from 2026-03-03T00:00Z):
 * a: 3 orders (550), last 2 days ago   → r=3 (≤10d), f=3 (≥3), m=3 (≥500) → best
 * b: 1 order (50), last 22 days ago    → r=2, f=1, m=1; 2 app opens in 7d → active_app
 * c: 2 orders (120), last 37 days ago  → r=1 (>30d), f=2, m=2 → lapsed
 * d: its only order is 151 days old    → outside the window: no scores → no_orders
 * e: no orders                         → no_orders
 * londoners: a, d.
 */
describe("playbook segments", () => {
  it("prints sizes and the R×F grid computed by hand", async () => {
    const io = memoryIO(FIX);
    expect(await main(["segments", "ws", "--data", "data", "--at", AT], io)).toBe(0);
    expect(io.out).toContain("segments at 2026-06-01T00:00:00Z · 5 customers");
    const size = (name: string) => Number(new RegExp(`^${name}\\s+(\\d+)`, "m").exec(io.out)?.[1]);
    expect([size("best"), size("lapsed"), size("londoners"), size("active_app"), size("no_orders")]).toEqual([1, 1, 2, 1, 2]);
    expect(io.out).toMatch(/^r=3 .*1 · 550/m);
    expect(io.out).toContain("2 customers without a goal event in the window have no RFM scores.");
    expect(io.err).toContain("rows: customers 5 read, 5 used, 0 rejected; events 10 read, 10 used, 0 rejected");
  });

  it("gives JSON with every grid cell and membership as CSV", async () => {
    let io = memoryIO(FIX);
    expect(await main(["segments", "ws", "--data", "data", "--at", AT, "--format", "json"], io)).toBe(0);
    const j = JSON.parse(io.out);
    expect(j.segments).toEqual([
      { segment: "best", customers: 1, share: 0.2 },
      { segment: "lapsed", customers: 1, share: 0.2 },
      { segment: "londoners", customers: 2, share: 0.4 },
      { segment: "active_app", customers: 1, share: 0.2 },
      { segment: "no_orders", customers: 2, share: 0.4 },
    ]);
    const cell = (r: number, f: number) => j.rfm_grid.cells.find((c: { r: number; f: number }) => c.r === r && c.f === f);
    expect([cell(3, 3), cell(2, 1), cell(1, 2)]).toEqual([
      { r: 3, f: 3, customers: 1, revenue: 550 },
      { r: 2, f: 1, customers: 1, revenue: 50 },
      { r: 1, f: 2, customers: 1, revenue: 120 },
    ]);
    const out = join(mkdtempSync(join(tmpdir(), "pb-seg-")), "members.csv");
    io = memoryIO(FIX);
    expect(await main(["segments", "ws", "--data", "data", "--at", AT, "--format", "csv", "--out", out], io)).toBe(0);
    const want = "customer_id,segment\na,best\na,londoners\nb,active_app\nc,lapsed\nd,londoners\nd,no_orders\ne,no_orders\n";
    expect(io.out).toBe(want);
    expect(readFileSync(out, "utf8")).toBe(want);
  });

  it("stops on bad rows listing file:line, or goes on with --rejects", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pb-seg-bad-"));
    cpSync(FIX, dir, { recursive: true });
    writeFileSync(join(dir, "data/events.csv"), readFileSync(join(FIX, "data/events.csv"), "utf8") + "zz,order_placed,2026-05-01T00:00:00Z,5\na,order_placed,not-a-time,5\n");
    let io = memoryIO(dir);
    expect(await main(["segments", "ws", "--data", "data", "--at", AT], io)).toBe(1);
    expect(io.out).toBe("");
    expect(io.err).toContain("events.csv:12: unknown customer \"zz\"");
    expect(io.err).toContain("events.csv:13: ts: cannot read \"not-a-time\" as a time");
    io = memoryIO(dir);
    expect(await main(["segments", "ws", "--data", "data", "--at", AT, "--rejects", "rejects.txt"], io)).toBe(0);
    const rejects = readFileSync(join(dir, "rejects.txt"), "utf8").trim().split("\n");
    expect(rejects).toHaveLength(2);
    expect(rejects[0]).toMatch(/events\.csv:12: unknown customer "zz"\tzz,order_placed,2026-05-01T00:00:00Z,5$/);
    expect(rejects[1]).toMatch(/events\.csv:13: ts: cannot read "not-a-time" as a time\ta,order_placed,not-a-time,5$/);
    expect(io.err).toContain("events 12 read, 10 used, 2 rejected");
  });

  it("segmentsOf gives one customer's segments in memory", async () => {
    const { workspace } = await loadWorkspace(join(FIX, "ws"));
    expect(checkWorkspace(workspace).filter((d) => d.severity === "error")).toEqual([]);
    const now = Date.parse(AT);
    const opens = [1, 2].map((d) => ({ name: "app_open", ts: now - d * 86_400_000, props: {} }));
    expect(segmentsOf({ customer_id: "x", city: "London", vip: false }, opens, now, workspace, null)).toEqual(["londoners", "active_app", "no_orders"]);
  });
});
