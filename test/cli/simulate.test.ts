import { afterAll, describe, expect, it } from "vitest";
import { rmSync } from "node:fs";
import { main } from "../../cli/main.ts";
import { memoryIO } from "../../cli/io.ts";
import { HAS_FRONT_END, ROOT, SHOP, shopData } from "./run-support.ts";

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe("playbook simulate: flags", () => {
  it("exits 2 when --to is not after --from", async () => {
    const io = memoryIO(ROOT);
    expect(await main(["simulate", SHOP, "--data", "x", "--from", "2026-11-20T00:00:00Z", "--to", "2026-11-19T00:00:00Z"], io)).toBe(2);
    expect(io.err).toContain("--to must be later than --from");
  });
});

describe.skipIf(!HAS_FRONT_END)("playbook simulate on the example workspace", () => {
  it("replays a week from an empty state: cadences run to the end, the unsubscribed channel is skipped", async () => {
    const d = shopData();
    dirs.push(d);
    const io = memoryIO(ROOT);
    expect(await main(["simulate", SHOP, "--data", d, "--from", "2026-11-18T00:00:00Z", "--to", "2026-11-25T00:00:00Z"], io)).toBe(0);
    const lines = io.out.trim().split("\n").map((l) => JSON.parse(l) as { customer_id: string; rule: string; step: number; status: string; channel: string | null });
    expect(lines.some((l) => l.rule === "welcome" && l.step === 2)).toBe(true);
    const restock = lines.find((l) => l.customer_id === "c5" && l.rule === "restock_alert");
    expect(restock?.channel === "push").toBe(false);
    const again = memoryIO(ROOT);
    await main(["simulate", SHOP, "--data", d, "--from", "2026-11-18T00:00:00Z", "--to", "2026-11-25T00:00:00Z"], again);
    expect(again.out).toBe(io.out);
  });
});
