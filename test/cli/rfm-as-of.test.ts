/**
 * No look-ahead for RFM (issue 16 item 5, docs/language.md "RFM as of a decision"): a decision reads
 * the RFM snapshot of 00:00 UTC of its day, so a simulation's decisions before an instant T do not
 * change when --to moves past T, and `run --state` day by day decides what `simulate` decides.
 */
import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../cli/main.ts";
import { memoryIO } from "../../cli/io.ts";
import { HAS_FRONT_END, ROOT } from "./run-support.ts";

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A one-file workspace: a daily e-mail to customers with RFM frequency score 3, quantiles or explicit bounds. */
function workspace(bounds: string): string {
  const dir = mkdtempSync(join(tmpdir(), "pb-rfm-ws-"));
  dirs.push(dir);
  writeFileSync(join(dir, "ws.yaml"), `schema:
  customer:
    email: string?
    consent_email: bool
  events:
    order_placed: { amount: number }
defaults:
  timezone: UTC
channels:
  email: { requires: consent_email and email != null }
rfm:
  event: order_placed
  value: amount
  window: 365d
  scores: 3
${bounds}
templates:
  vip: { fields: [] }
rules:
  vip_daily:
    on: every day at 11:00
    who: rfm.f >= 3
    send: { channel: email, template: vip }
`);
  return dir;
}

/** Four one-order customers in August; d orders four more times on 6 September. */
function world(): string {
  const dir = mkdtempSync(join(tmpdir(), "pb-rfm-data-"));
  dirs.push(dir);
  writeFileSync(join(dir, "customers.csv"), "customer_id,email,consent_email\n" + ["a", "b", "c", "d"].map((c) => `${c},${c}@x.io,true`).join("\n") + "\n");
  const ev = ["customer_id,event,ts,amount", "a,order_placed,2026-08-01T10:00:00Z,100", "b,order_placed,2026-08-02T10:00:00Z,100", "c,order_placed,2026-08-03T10:00:00Z,100", "d,order_placed,2026-08-04T10:00:00Z,100"];
  for (let h = 10; h < 14; h++) ev.push(`d,order_placed,2026-09-06T${h}:00:00Z,100`);
  writeFileSync(join(dir, "events.csv"), ev.join("\n") + "\n");
  return dir;
}

type Line = { customer_id: string; rule: string; entered_at: string; status: string; send_at: string | null };

async function simulate(ws: string, data: string, to: string): Promise<Line[]> {
  const io = memoryIO(ROOT);
  expect(await main(["simulate", ws, "--data", data, "--from", "2026-09-01T00:00:00Z", "--to", to], io), io.err).toBe(0);
  return io.out.split("\n").filter(Boolean).map((l) => JSON.parse(l) as Line);
}

const before = (lines: Line[], t: string) => lines.filter((l) => l.entered_at <= t && l.status !== "deferred").map((l) => `${l.customer_id} ${l.entered_at} ${l.status} ${l.send_at}`);

describe.skipIf(!HAS_FRONT_END)("RFM as of the decision's day", () => {
  for (const [name, bounds] of [["quantile bounds", ""], ["explicit bounds", "  frequency: [2, 3]"]] as const) {
    it(`${name}: decisions before T do not change when --to moves past T`, async () => {
      const ws = workspace(bounds);
      const data = world();
      const short = await simulate(ws, data, "2026-09-04T00:00:00Z");
      const long = await simulate(ws, data, "2026-09-11T00:00:00Z");
      const T = "2026-09-04T00:00:00Z";
      expect(before(long, T)).toEqual(before(short, T));
      // Nobody is scored f = 3 before d's orders of the 6th; d is from the 7th (the snapshot of 00:00 that day) on.
      expect(before(long, T)).toEqual([]);
      expect(long.filter((l) => l.status === "send").map((l) => `${l.customer_id} ${l.entered_at}`)).toEqual(
        ["07", "08", "09", "10"].map((d) => `d 2026-09-${d}T11:00:00Z`),
      );
    });
  }
  it("run --state once a day at 15:30 decides what simulate decides", async () => {
    const ws = workspace("");
    const data = world();
    const state = join(mkdtempSync(join(tmpdir(), "pb-rfm-state-")), "state.json");
    dirs.push(join(state, ".."));
    const sent: string[] = [];
    for (let d = 1; d <= 10; d++) {
      const io = memoryIO(ROOT);
      const at = `2026-09-${String(d).padStart(2, "0")}T15:30:00Z`;
      expect(await main(["run", ws, "--data", data, "--at", at, "--state", state], io), io.err).toBe(0);
      for (const l of io.out.split("\n").filter(Boolean).map((x) => JSON.parse(x) as Line)) if (l.status === "send") sent.push(`${l.customer_id} ${l.entered_at}`);
    }
    const sim = await simulate(ws, data, "2026-09-10T15:30:00Z");
    expect(sent).toEqual(sim.filter((l) => l.status === "send").map((l) => `${l.customer_id} ${l.entered_at}`));
  });
});
