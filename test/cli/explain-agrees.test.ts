/**
 * `explain` tells the story the log tells (issue 16 item 7): for sampled customers of a small simulated
 * world, explain's status at each of the log's instants is the log's status. Without --state the replay
 * starts at the customer's first event (a 30-day replay missed the send that capped a later one); with
 * --state the sends before the window are the run's own (a replay of earlier data found sends a run
 * that started later never made).
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
const tmp = (p: string) => {
  const d = mkdtempSync(join(tmpdir(), p));
  dirs.push(d);
  return d;
};

const WS = `schema:
  customer:
    email: string?
    consent_email: bool
  events:
    ping: {}
    order_placed: { amount: number }
defaults:
  timezone: UTC
channels:
  email: { requires: consent_email and email != null }
caps:
  - email: max 1 per 45d
  - pause 2d after order_placed
templates:
  t: { fields: [] }
rules:
  ping_mail:
    on: ping
    who: count(order_placed within 10d) == 0
    send: { channel: email, template: t }
`;

type Line = { customer_id: string; rule: string; step: number; entered_at: string; status: string };
const DAY = 86_400_000;
const iso = (t: number) => new Date(t).toISOString().replace(".000Z", "Z");
const START = Date.parse("2026-09-01T00:00:00Z");

/** Eight customers, pings and orders every few days from 1 September (a fixed LCG, so the same world every run). */
function world(): string {
  const dir = tmp("pb-explain-world-");
  let seed = 16;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  const ids = ["a", "b", "c", "d", "e", "f", "g", "h"];
  writeFileSync(join(dir, "customers.csv"), "customer_id,email,consent_email\n" + ids.map((c) => `${c},${c}@x.io,true`).join("\n") + "\n");
  const ev = ["customer_id,event,ts,amount"];
  for (const id of ids) {
    for (let t = START + DAY + rnd(5) * DAY + 3_600_000 * (1 + rnd(20)); t < START + 100 * DAY; t += (6 + rnd(30)) * DAY + rnd(20) * 3_600_000) {
      ev.push(rnd(5) === 0 ? `${id},order_placed,${iso(t)},50` : `${id},ping,${iso(t)},`);
    }
  }
  // Sent on 2 September, capped 35 days later: a 30-day replay does not see the send that capped it.
  ev.push("k,ping,2026-09-02T10:00:00Z,", "k,ping,2026-10-07T10:00:00Z,");
  writeFileSync(join(dir, "customers.csv"), "k,k@x.io,true\n", { flag: "a" });
  writeFileSync(join(dir, "events.csv"), ev.join("\n") + "\n");
  return dir;
}

function workspace(): string {
  const dir = tmp("pb-explain-ws-");
  writeFileSync(join(dir, "ws.yaml"), WS);
  return dir;
}

const lines = (out: string) => out.split("\n").filter(Boolean).map((l) => JSON.parse(l) as Line);

/** explain's final status for the candidate of a log line, at the line's instant (an event trigger decides at its event). */
async function explained(ws: string, data: string, l: Line, state?: string): Promise<string | null> {
  const io = memoryIO(ROOT);
  const args = ["explain", ws, "--data", data, "--customer", l.customer_id, "--at", l.entered_at, "--rule", l.rule, "--format", "json", ...(state ? ["--state", state] : [])];
  expect(await main(args, io), io.err).toBe(0);
  const x = JSON.parse(io.out) as { rules: { candidates: { entered_at: string; step: number; status: string | null }[] }[] };
  const visits = x.rules[0]!.candidates.filter((c) => c.entered_at === l.entered_at && c.step === l.step && c.status !== null);
  return visits.at(-1)?.status ?? null;
}

describe.skipIf(!HAS_FRONT_END)("explain agrees with the log", () => {
  it("simulate → log; explain each sampled customer at the log's instants gives the log's status", async () => {
    const ws = workspace();
    const data = world();
    const io = memoryIO(ROOT);
    expect(await main(["simulate", ws, "--data", data, "--from", iso(START), "--to", iso(START + 110 * DAY)], io), io.err).toBe(0);
    const log = lines(io.out).filter((l) => l.status !== "deferred");
    expect(log.some((l) => l.status === "capped")).toBe(true);
    // Every line of three sampled customers and k (the one a 30-day replay gets wrong).
    const sample = log.filter((l) => ["a", "d", "g", "k"].includes(l.customer_id));
    expect(sample.length).toBeGreaterThan(6);
    const got: string[] = [];
    for (const l of sample) got.push(`${l.customer_id} ${l.entered_at} ${await explained(ws, data, l)}`);
    expect(got).toEqual(sample.map((l) => `${l.customer_id} ${l.entered_at} ${l.status}`));
  }, 120_000);

  it("--state: explain counts the sends of the run, not those of a replay of earlier data", async () => {
    const ws = workspace();
    const data = tmp("pb-explain-state-");
    writeFileSync(join(data, "customers.csv"), "customer_id,email,consent_email\nk,k@x.io,true\n");
    // The ping of 25 August is before the first run: no run sent anything for it.
    writeFileSync(join(data, "events.csv"), "customer_id,event,ts,amount\nk,ping,2026-08-25T10:00:00Z,\nk,ping,2026-09-03T10:00:00Z,\n");
    const state = join(tmp("pb-explain-st-"), "state.json");
    const sent: Line[] = [];
    for (let d = 1; d <= 5; d++) {
      const io = memoryIO(ROOT);
      expect(await main(["run", ws, "--data", data, "--at", iso(START + d * DAY), "--state", state], io), io.err).toBe(0);
      sent.push(...lines(io.out));
    }
    expect(sent.map((l) => `${l.entered_at} ${l.status}`)).toEqual(["2026-09-03T10:00:00Z send"]);
    expect(await explained(ws, data, sent[0]!, state)).toBe("send");
    // Without the state, the replay of the whole history sends on 25 August and caps the 3 September one.
    expect(await explained(ws, data, sent[0]!)).toBe("capped");
    const io = memoryIO(ROOT);
    expect(await main(["explain", ws, "--data", data, "--customer", "k", "--at", "2026-09-03T10:00:00Z", "--state", state], io)).toBe(0);
    expect(io.out).toContain("contact history from the state file");
    const missing = memoryIO(ROOT);
    expect(await main(["explain", ws, "--data", data, "--customer", "k", "--at", "2026-09-03T10:00:00Z", "--state", join(data, "nope.json")], missing)).toBe(2);
    expect(missing.err).toContain("--state");
  }, 120_000);
});
