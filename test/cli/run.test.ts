import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { main } from "../../cli/main.ts";
import { memoryIO } from "../../cli/io.ts";
import { DECISION_STATUSES } from "../../engine/decision.ts";
import { HAS_FRONT_END, ROOT, SHOP, tempFolders } from "./run-support.ts";

const { data } = tempFolders();

describe("playbook run: flags", () => {
  it("exits 2 with usage when --at is missing or not a time", async () => {
    const io = memoryIO(ROOT);
    expect(await main(["run", SHOP, "--data", "x"], io)).toBe(2);
    expect(io.err).toContain("--at TIME is required");
    const io2 = memoryIO(ROOT);
    expect(await main(["run", SHOP, "--data", "x", "--at", "tomorrow"], io2)).toBe(2);
    expect(io2.err).toContain('--at must be an ISO 8601 time, not "tomorrow"');
  });
});

describe.skipIf(!HAS_FRONT_END)("playbook run on the example workspace", () => {
  const at = "2026-11-20T00:00:00Z";
  it("writes one contract line per candidate and summaries on stderr", async () => {
    const d = data();
    const io = memoryIO(ROOT);
    expect(await main(["run", SHOP, "--data", d, "--at", at], io)).toBe(0);
    const lines = io.out.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) {
      expect(Object.keys(l)).toEqual(["customer_id", "rule", "step", "entry_id", "entered_at", "variant", "arm", "status", "channel", "template", "topic", "send_at", "reason", "playbook"]);
      expect(DECISION_STATUSES).toContain(l.status);
    }
    expect(lines.find((l) => l.customer_id === "c4")?.status).toBe("suppressed"); // is_employee
    expect(io.err).toContain("rows: customers 5 read, 5 used, 0 rejected; events 8 read, 8 used, 0 rejected");
    expect(io.err).toMatch(/decisions: \d+ \(/);
    expect(io.err).toContain("1 with an unknown one");
  });

  it("is byte-identical across runs (determinism)", async () => {
    const d = data();
    const a = join(d, "a.jsonl");
    const b = join(d, "b.jsonl");
    expect(await main(["run", SHOP, "--data", d, "--at", at, "--out", a], memoryIO(ROOT))).toBe(0);
    expect(await main(["run", SHOP, "--data", d, "--at", at, "--out", b], memoryIO(ROOT))).toBe(0);
    expect(readFileSync(a, "utf8")).toBe(readFileSync(b, "utf8"));
  });

  it("with --state a second run at the same time adds nothing, and an earlier time is refused", async () => {
    const d = data();
    const state = join(d, "state.duckdb");
    const first = memoryIO(ROOT);
    expect(await main(["run", SHOP, "--data", d, "--at", at, "--state", state], first)).toBe(0);
    expect(first.out.length).toBeGreaterThan(0);
    const again = memoryIO(ROOT);
    expect(await main(["run", SHOP, "--data", d, "--at", at, "--state", state], again)).toBe(0);
    expect(again.out).toBe("");
    const later = memoryIO(ROOT);
    expect(await main(["run", SHOP, "--data", d, "--at", "2026-11-22T00:00:00Z", "--state", state], later)).toBe(0);
    expect(later.out).toContain('"rule":"welcome","step":2'); // the cadence's second step, remembered in the state
    const back = memoryIO(ROOT);
    expect(await main(["run", SHOP, "--data", d, "--at", at, "--state", state], back)).toBe(2);
    expect(back.err).toContain("is earlier");
  });

  it("stops before writing anything when a row is bad, listing file:line: reason", async () => {
    const d = data(["c9,order_placed,2026-11-19T10:00:00Z,o1,10,,,,,,,", "c1,order_placed,not-a-time,o2,10,,,,,,,"]);
    const out = join(d, "out.jsonl");
    const io = memoryIO(ROOT);
    expect(await main(["run", SHOP, "--data", d, "--at", at, "--out", out], io)).toBe(1);
    expect(io.err).toContain(`${join(d, "events.csv")}:10: unknown customer "c9"`);
    expect(io.err).toContain(`${join(d, "events.csv")}:11: ts: cannot read "not-a-time" as a time`);
    expect(() => readFileSync(out)).toThrow();
  });
});
