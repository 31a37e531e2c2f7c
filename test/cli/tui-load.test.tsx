import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../../cli/main.ts";
import { memoryIO } from "../../cli/io.ts";
import { loadRfm } from "../../cli/tui/load.ts";

const FIXTURE = new URL("../fixtures/tui/report.json", import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), "pb-tui-load-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("playbook tui outside a terminal", () => {
  it("prints the report table instead of opening the TUI", async () => {
    const io = memoryIO();
    expect(await main(["tui", "--report-json", FIXTURE], io)).toBe(0);
    expect(io.out).toMatch(/^Incrementality per rule · attribution 7d/);
    expect(io.out).toContain("winback_at_risk");
    expect(io.out).not.toContain("\x1b[");
  });

  it("a report file that is not a report is an error naming the file", async () => {
    const bad = join(tmp, "bad.json");
    writeFileSync(bad, '{"hello": 1}');
    const io = memoryIO();
    expect(await main(["tui", "--report-json", bad], io)).toBe(1);
    expect(io.err).toBe(`playbook tui: ${bad}: not a report: no \`rules\` list or \`alpha\`\n`);
  });

  it("without --decisions it is a usage error", async () => {
    const io = memoryIO();
    expect(await main(["tui", "playbooks/shop", "--data", "x"], io)).toBe(2);
    expect(io.err).toContain("--decisions FILE is required");
  });
});

describe("RFM grid for the TUI", () => {
  it("needs --data", async () => {
    expect(await loadRfm(memoryIO(), "playbooks/shop", undefined, undefined)).toEqual({ grid: null, note: "start the TUI with --data D to see it." });
  });

  it("scores customers with explicit bounds into the R×F grid, as playbook segments does", async () => {
    const ws = join(tmp, "ws"), data = join(tmp, "data");
    mkdirSync(ws);
    mkdirSync(data);
    writeFileSync(join(ws, "main.yaml"), [
      "schema:", "  customer: { vip: bool }", "  events:", "    order_placed: { amount: number }",
      "defaults: { goal: order_placed }",
      "rfm: { event: order_placed, value: amount, window: 365d, scores: 3, recency: [30d, 90d], frequency: [2, 4], monetary: [100, 1000] }",
      "",
    ].join("\n"));
    writeFileSync(join(data, "customers.csv"), "customer_id,vip\na,false\nb,false\nc,true\nd,false\n");
    writeFileSync(join(data, "events.csv"), [
      "customer_id,event,ts,amount",
      // a: 1 order 10 days ago → r 3, f 1
      "a,order_placed,2026-11-10T00:00:00Z,50",
      // b: 2 orders, last 60 days ago → r 2, f 2
      "b,order_placed,2026-09-01T00:00:00Z,50", "b,order_placed,2026-09-21T00:00:00Z,50",
      // c: 4 orders, last 100 days ago → r 1, f 3
      "c,order_placed,2026-08-01T00:00:00Z,50", "c,order_placed,2026-08-02T00:00:00Z,50", "c,order_placed,2026-08-03T00:00:00Z,50", "c,order_placed,2026-08-12T00:00:00Z,50",
      "",
    ].join("\n"));
    const r = await loadRfm(memoryIO(), ws, data, "2026-11-20T00:00:00Z");
    expect(r.note).toBe("");
    expect(r.grid).toEqual({ scores: 3, counts: [[0, 0, 1], [0, 1, 0], [1, 0, 0]], unscored: 1 });
    // Without --at, at the last event (2026-11-10): c's last order is exactly 90 days old and keeps r 2.
    expect((await loadRfm(memoryIO(), ws, data, undefined)).grid).toEqual({ scores: 3, counts: [[0, 0, 0], [0, 1, 1], [1, 0, 0]], unscored: 1 });
    // A bad row is left out and counted; a workspace without rfm:, missing data and a bad --at each say so.
    const bad = join(tmp, "bad");
    mkdirSync(bad);
    writeFileSync(join(bad, "customers.csv"), readFileSync(join(data, "customers.csv")));
    writeFileSync(join(bad, "events.csv"), readFileSync(join(data, "events.csv"), "utf8") + "zz,order_placed,2026-11-10T00:00:00Z,5\n");
    expect(await loadRfm(memoryIO(), ws, bad, "2026-11-20T00:00:00Z")).toEqual({ grid: r.grid, note: "1 bad data rows left out (playbook segments lists them)." });
    expect((await loadRfm(memoryIO(), "playbooks/shop", join(tmp, "nowhere"), undefined)).note).toMatch(/^no customers\.csv/);
    expect((await loadRfm(memoryIO(), ws, data, "next tuesday")).note).toBe("--at next tuesday is not an ISO 8601 time.");
    const plain = join(tmp, "plain");
    mkdirSync(plain);
    writeFileSync(join(plain, "main.yaml"), "schema:\n  customer: { vip: bool }\n  events:\n    order_placed: { amount: number }\n");
    expect(await loadRfm(memoryIO(), plain, data, undefined)).toEqual({ grid: null, note: "the workspace has no `rfm:` section." });
  });
});
