/**
 * The no-look-ahead law over random small histories (issue 16 item 5): a simulation's decisions before
 * an instant T do not change when --to moves past T, with RFM quantile bounds and with explicit bounds.
 * A fixed seed and a few cases here (each case simulates twice through the CLI);
 * PLAYBOOK_FUZZ_RUNS=200 runs more.
 */
import { afterAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../cli/main.ts";
import { memoryIO } from "../../cli/io.ts";
import { HAS_FRONT_END, ROOT } from "./run-support.ts";

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const DAY = 86_400_000;
const FROM = Date.parse("2026-09-01T00:00:00Z");
const iso = (t: number) => new Date(t).toISOString().replace(".000Z", "Z");

function workspace(bounds: string): string {
  const dir = mkdtempSync(join(tmpdir(), "pb-rfmp-ws-"));
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
caps:
  - email: max 2 per 3d
rfm:
  event: order_placed
  value: amount
  window: 30d
  scores: 3
${bounds}
segments:
  good: rfm.r >= 2 and rfm.f >= 2 and rfm.m >= 2
templates:
  t: { fields: [] }
rules:
  daily_good:
    on: every day at 11:00
    who: good
    send: { channel: email, template: t }
  enter_good:
    on: enter good
    send: { channel: email, template: t }
`);
  return dir;
}

const order = fc.record({ c: fc.integer({ min: 0, max: 4 }), at: fc.integer({ min: -15 * 60, max: 12 * 60 }), amount: fc.integer({ min: 1, max: 500 }) });

async function simulate(ws: string, data: string, to: number): Promise<string[]> {
  const io = memoryIO(ROOT);
  expect(await main(["simulate", ws, "--data", data, "--from", iso(FROM), "--to", iso(to)], io), io.err).toBe(0);
  return io.out.split("\n").filter(Boolean);
}

describe.skipIf(!HAS_FRONT_END)("no look-ahead (property)", () => {
  const runs = Number(process.env.PLAYBOOK_FUZZ_RUNS ?? 6);
  for (const [name, bounds] of [["quantile bounds", ""], ["explicit bounds", "  frequency: [2, 3]\n  monetary: [200, 600]\n  recency: [5d, 12d]"]] as const) {
    it(`${name}: decisions entered up to T are the same with --to T and --to 12 September`, async () => {
      const ws = workspace(bounds);
      await fc.assert(
        fc.asyncProperty(fc.array(order, { minLength: 1, maxLength: 25 }), fc.integer({ min: 1, max: 10 }), async (orders, tDays) => {
          const data = mkdtempSync(join(tmpdir(), "pb-rfmp-data-"));
          dirs.push(data);
          writeFileSync(join(data, "customers.csv"), "customer_id,email,consent_email\n" + [0, 1, 2, 3, 4].map((c) => `c${c},c${c}@x.io,true`).join("\n") + "\n");
          // Orders on a grid of hours from 15 days before to 12 days after 1 September.
          writeFileSync(join(data, "events.csv"), "customer_id,event,ts,amount\n" + orders.map((o) => `c${o.c},order_placed,${iso(FROM + o.at * 3_600_000 + 1_800_000)},${o.amount}`).join("\n") + "\n");
          const T = FROM + tDays * DAY + 12 * 3_600_000;
          const final = (lines: string[]) =>
            lines.map((l) => JSON.parse(l) as { entered_at: string; status: string }).filter((l) => Date.parse(l.entered_at) <= T && l.status !== "deferred").map((l) => JSON.stringify(l));
          const short = final(await simulate(ws, data, T));
          const long = final(await simulate(ws, data, FROM + 12 * DAY));
          expect(long).toEqual(short);
        }),
        { numRuns: runs, seed: 20261204 },
      );
    }, 300_000);
  }
});
