/**
 * `playbook demo` end to end on a small shop: the example workspace through
 * the front end, the engine and the report; files written, truth beside the estimate.
 */
import { describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { memoryIO } from "../../cli/io.ts";
import { main } from "../../cli/main.ts";
import { DEMO_SIZE } from "../../experiments/demo/index.ts";

describe("playbook demo", () => {
  it("simulates the example workspace, writes data, log and truth, and prints the report next to the truth", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "demo-")), "shop");
    const io = memoryIO();
    const code = await main(["demo", "--out", out, "--customers", "200", "--days", "14", "--seed", "t1"], io);
    expect(io.err).toBe("");
    expect(code).toBe(0);
    for (const f of ["data/customers.csv", "data/events.csv", "decisions.jsonl", "truth.json"]) expect(existsSync(join(out, f))).toBe(true);
    const truth = JSON.parse(readFileSync(join(out, "truth.json"), "utf8")) as { truth: { rule: string; delta: number }[] };
    expect(truth.truth.find((t) => t.rule === "cart_recovery")?.delta).toBe(0.12);
    expect(io.out).toContain("Incrementality per rule");
    expect(io.out).toContain("Truth vs estimate (conversion lift)");
    expect(io.out).toMatch(/covered +power \(true\) +starred \(true\) +power \(3 pp\)/);
    // Same seed, same decision log.
    const out2 = join(mkdtempSync(join(tmpdir(), "demo-")), "shop");
    expect(await main(["demo", "--out", out2, "--customers", "200", "--days", "14", "--seed", "t1"], memoryIO())).toBe(0);
    expect(readFileSync(join(out2, "decisions.jsonl"), "utf8")).toBe(readFileSync(join(out, "decisions.jsonl"), "utf8"));
  }, 240_000);

  it("at its default size, detects every true effect of 3 pp or more with power of at least 80%, and says so", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "demo-")), "shop");
    const io = memoryIO();
    expect(await main(["demo", "--out", out], io)).toBe(0);
    const truth = JSON.parse(readFileSync(join(out, "truth.json"), "utf8")) as { world: { customers: number; days: number }; truth: { rule: string; conversion_lift: number }[] };
    expect(truth.world).toMatchObject({ customers: DEMO_SIZE.customers, days: DEMO_SIZE.days });
    const table = io.out.slice(io.out.indexOf("Truth vs estimate"));
    const big = truth.truth.filter((t) => t.conversion_lift >= 0.03);
    // The world has effects the report should find (cart recovery and restock alerts at least).
    expect(big.map((t) => t.rule)).toEqual(expect.arrayContaining(["cart_recovery", "restock_alert"]));
    for (const t of big) {
      const line = table.split("\n").find((l) => l.startsWith(t.rule + " "))!;
      // rule, true lift, estimate, CI, covered, power (true), starred (true), power (3 pp).
      const powers = [...line.matchAll(/(\d+\.\d)%/g)].map((m) => Number(m[1]));
      expect(powers.length).toBe(3);
      // At the report's level, and even for the star (q < 0.05 over every test, Bonferroni's lower bound).
      expect(powers[0]!).toBeGreaterThanOrEqual(80);
      expect(powers[1]!).toBeGreaterThanOrEqual(80);
    }
  }, 300_000);
});
