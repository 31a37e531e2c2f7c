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

describe("playbook demo", () => {
  it("simulates the example workspace, writes data, log and truth, and prints the report next to the truth", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "demo-")), "shop");
    const io = memoryIO();
    const code = await main(["demo", "--out", out, "--customers", "200", "--days", "14", "--seed", "t1"], io);
    expect(io.err).toBe("");
    expect(code).toBe(0);
    for (const f of ["data/customers.csv", "data/events.csv", "decisions.jsonl", "truth.json"]) expect(existsSync(join(out, f))).toBe(true);
    const truth = JSON.parse(readFileSync(join(out, "truth.json"), "utf8")) as { truth: { rule: string; delta: number }[] };
    expect(truth.truth.find((t) => t.rule === "cart_recovery")?.delta).toBe(0.05);
    expect(io.out).toContain("Incrementality per rule");
    expect(io.out).toContain("Truth vs estimate (conversion lift)");
    // Same seed, same decision log.
    const out2 = join(mkdtempSync(join(tmpdir(), "demo-")), "shop");
    expect(await main(["demo", "--out", out2, "--customers", "200", "--days", "14", "--seed", "t1"], memoryIO())).toBe(0);
    expect(readFileSync(join(out2, "decisions.jsonl"), "utf8")).toBe(readFileSync(join(out, "decisions.jsonl"), "utf8"));
  }, 240_000);
});
