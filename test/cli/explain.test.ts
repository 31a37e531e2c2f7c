import { afterAll, describe, expect, it } from "vitest";
import { rmSync } from "node:fs";
import { main } from "../../cli/main.ts";
import { memoryIO } from "../../cli/io.ts";
import { HAS_FRONT_END, ROOT, SHOP, shopData } from "./run-support.ts";

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe("playbook explain: flags", () => {
  it("exits 2 without --customer", async () => {
    const io = memoryIO(ROOT);
    expect(await main(["explain", SHOP, "--data", "x", "--at", "2026-11-20T00:00:00Z"], io)).toBe(2);
    expect(io.err).toContain("--customer ID is required");
  });
});

describe.skipIf(!HAS_FRONT_END)("playbook explain on the example workspace", () => {
  const at = "2026-11-20T00:00:00Z";
  it("walks every rule for a customer, with each check and its values", async () => {
    const d = shopData();
    dirs.push(d);
    const io = memoryIO(ROOT);
    expect(await main(["explain", SHOP, "--data", d, "--customer", "c1", "--at", at], io)).toBe(0);
    expect(io.out).toContain("customer c1 at 2026-11-20T00:00:00Z (zone Europe/Moscow");
    expect(io.out).toContain("rule cart_recovery (priority 90, cadence of 2 steps): on cart_abandoned where cart_value >= 1000");
    expect(io.out).toMatch(/unless\s+order_placed within 1h → false/);
    expect(io.out).toMatch(/exclusive\s+in cadence welcome:c1:2026-11-19T08:00:00Z/);
    expect(io.out).toMatch(/status\s+blocked \(in cadence welcome\)/);
    expect(io.out).toMatch(/channel email requires\s+consent_email and email != null → true/);
    expect(io.out).toMatch(/send hours\s+outside \(zone Europe\/Moscow\); next allowed 2026-11-20T06:00:00Z/);
    expect(io.out).toContain("→ would send step 1: template welcome_1 via email at 2026-11-19T08:00:00Z (send)");
    expect(io.out).toContain("rule birthday");
    const one = memoryIO(ROOT);
    expect(await main(["explain", SHOP, "--data", d, "--customer", "c1", "--at", at, "--rule", "welcome"], one)).toBe(0);
    expect(one.out).not.toContain("rule cart_recovery");
  });
  it("reads only that customer's history, the same from CSV and from Parquet", async () => {
    const d = shopData();
    dirs.push(d);
    const { DuckDBInstance } = await import("@duckdb/node-api");
    const { mkdtempSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const pq = mkdtempSync(join(tmpdir(), "pb-explain-pq-"));
    dirs.push(pq);
    const db = await DuckDBInstance.create(":memory:");
    const con = await db.connect();
    for (const f of ["customers", "events"]) await con.run(`COPY (SELECT * FROM read_csv('${join(d, f)}.csv', header = true, all_varchar = true)) TO '${join(pq, f)}.parquet' (FORMAT parquet)`);
    con.closeSync();
    db.closeSync();
    const outs: string[] = [];
    for (const data of [d, pq]) {
      const io = memoryIO(ROOT);
      expect(await main(["explain", SHOP, "--data", data, "--customer", "c5", "--at", at], io), io.err).toBe(0);
      expect(io.err).toContain("rows: customers 5 read, 5 used, 0 rejected; events 8 read, 8 used, 0 rejected");
      outs.push(io.out);
    }
    expect(outs[0]).toContain("events: 3 up to --at");
    expect(outs[1]).toBe(outs[0]);
  });

  it("says so for an unknown customer (exit 1) or rule (exit 2)", async () => {
    const d = shopData();
    dirs.push(d);
    const io = memoryIO(ROOT);
    expect(await main(["explain", SHOP, "--data", d, "--customer", "nobody", "--at", at], io)).toBe(1);
    expect(io.err).toContain('no customer "nobody"');
    const io2 = memoryIO(ROOT);
    expect(await main(["explain", SHOP, "--data", d, "--customer", "c1", "--at", at, "--rule", "nope"], io2)).toBe(2);
    expect(io2.err).toContain('no rule "nope"');
  });
  it("--format json prints one object with the same content (docs/cli.md), and refuses another format", async () => {
    const d = shopData();
    dirs.push(d);
    const io = memoryIO(ROOT);
    expect(await main(["explain", SHOP, "--data", d, "--customer", "c1", "--at", at, "--rule", "welcome", "--format", "json"], io), io.err).toBe(0);
    expect(io.out.endsWith("}\n")).toBe(true);
    const x = JSON.parse(io.out) as { customer: string; zone: string; rules: { rule: string; cadence_steps: number | null; on: string; candidates: { at: string; step: number; status: string | null; checks: { check: string; detail: string }[] }[]; sends: unknown[] }[] };
    expect([x.customer, x.zone, x.rules.map((r) => r.rule)]).toEqual(["c1", "Europe/Moscow", ["welcome"]]);
    const w = x.rules[0]!;
    expect([w.cadence_steps, w.on]).toEqual([2, "signed_up"]);
    expect(w.candidates[0]).toMatchObject({ at: "2026-11-19T08:00:00Z", step: 1, status: "send" });
    expect(w.candidates[0]!.checks.at(-1)).toEqual({ check: "status", detail: "send via email at 2026-11-19T08:00:00Z" });
    expect(w.sends).toEqual([{ step: 1, template: "welcome_1", channel: "email", send_at: "2026-11-19T08:00:00Z", status: "send" }]);
    const text = memoryIO(ROOT);
    expect(await main(["explain", SHOP, "--data", d, "--customer", "c1", "--at", at, "--rule", "welcome"], text)).toBe(0);
    for (const c of w.candidates[0]!.checks) expect(text.out).toContain(`${c.check.padEnd(24)} ${c.detail}`);
    const bad = memoryIO(ROOT);
    expect(await main(["explain", SHOP, "--data", d, "--customer", "c1", "--at", at, "--format", "yaml"], bad)).toBe(2);
    expect(bad.err).toContain('--format must be text or json, not "yaml"');
  });
});
