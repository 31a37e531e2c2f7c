/**
 * `exit: EVENT where …` on every path a playbook is decided by (issue 14,
 * item 11): `run` day by day with `--state`, `run` without it, `simulate`,
 * `explain` and the in-process API, from real YAML through the real checker
 * and the compiled closures. The edges (thresholds, the exit event around a
 * step's due instant, lists, defaults) are in the scenario table
 * (test/engine/scenarios/11-exit-where.yaml), which runs them through every
 * evaluator and the state file too.
 */
import { afterAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../cli/main.ts";
import { memoryIO } from "../../cli/io.ts";
import { createEngine } from "../../engine/api.ts";
import { loadCheckedWorkspace } from "../../language/check.ts";
import { HAS_FRONT_END, ROOT } from "./run-support.ts";

const root = mkdtempSync(join(tmpdir(), "pb-exit-where-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const WS = join(root, "ws");
const DATA = join(root, "data");
mkdirSync(WS);
mkdirSync(DATA);
writeFileSync(join(WS, "a.yaml"), `schema:
  customer:
    email: string?
  events:
    signed_up: {}
    order_placed: { amount: number }
defaults:
  timezone: UTC
channels:
  email: { requires: email != null }
rules:
  onboard:
    on: signed_up
    exit: order_placed where amount >= 100
    steps:
      - channel: email
      - after: 1d
        channel: email
      - after: 1d
        channel: email
`);
// c1 orders 150 eight hours after entry (exits), c2 orders 99.99 (does not), c3 orders 100 exactly (exits).
writeFileSync(join(DATA, "customers.csv"), "customer_id,email\nc1,a@x\nc2,b@x\nc3,c@x\n");
writeFileSync(join(DATA, "events.csv"), [
  "customer_id,event,ts,amount",
  "c1,signed_up,2026-11-20T08:00:00Z,",
  "c1,order_placed,2026-11-20T16:00:00Z,150",
  "c2,signed_up,2026-11-20T08:00:00Z,",
  "c2,order_placed,2026-11-20T16:00:00Z,99.99",
  "c3,signed_up,2026-11-20T08:00:00Z,",
  "c3,order_placed,2026-11-20T16:00:00Z,100",
].join("\n") + "\n");

const EXPECT = [
  "c1#1 send", "c2#1 send", "c3#1 send",
  "c1#2 exited order_placed", "c2#2 send", "c3#2 exited order_placed",
  "c2#3 send",
];
const short = (out: string) =>
  out.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as { customer_id: string; step: number; status: string; reason: string | null })
    .map((d) => `${d.customer_id}#${d.step} ${d.status}${d.reason ? ` ${d.reason}` : ""}`);

describe.skipIf(!HAS_FRONT_END)("exit: EVENT where … ends the cadence only for events that match", () => {
  it("simulate: the buyer above the threshold gets step 1 only, the one below all three", async () => {
    const io = memoryIO(ROOT);
    expect(await main(["simulate", WS, "--data", DATA, "--from", "2026-11-20T00:00:00Z", "--to", "2026-11-24T00:00:00Z"], io), io.err).toBe(0);
    expect(short(io.out)).toEqual(EXPECT);
  });

  it("run --state, one run a day, logs the same decisions", async () => {
    const state = join(root, "state.duckdb");
    const got: string[] = [];
    for (const at of ["2026-11-21T00:00:00Z", "2026-11-22T00:00:00Z", "2026-11-23T00:00:00Z"]) {
      const io = memoryIO(ROOT);
      expect(await main(["run", WS, "--data", DATA, "--at", at, "--state", state], io), io.err).toBe(0);
      got.push(...short(io.out));
    }
    expect(got).toEqual(EXPECT);
  });

  it("run without a state decides step 1 of the day's entries (nothing else is due that day)", async () => {
    const io = memoryIO(ROOT);
    expect(await main(["run", WS, "--data", DATA, "--at", "2026-11-21T00:00:00Z"], io), io.err).toBe(0);
    expect(short(io.out)).toEqual(["c1#1 send", "c2#1 send", "c3#1 send"]);
  });

  it("explain shows the matching exit event, and the where clause when none matched", async () => {
    const io = memoryIO(ROOT);
    expect(await main(["explain", WS, "--data", DATA, "--customer", "c1", "--at", "2026-11-21T12:00:00Z"], io), io.err).toBe(0);
    expect(io.out).toMatch(/exit\s+order_placed at 2026-11-20T16:00:00Z, after entry/);
    expect(io.out).toMatch(/status\s+exited \(order_placed\)/);
    const io2 = memoryIO(ROOT);
    expect(await main(["explain", WS, "--data", DATA, "--customer", "c2", "--at", "2026-11-21T12:00:00Z"], io2), io2.err).toBe(0);
    expect(io2.out).toMatch(/exit\s+no order_placed where amount >= 100 after entry/);
    expect(io2.out).toContain("→ would send step 2: template - via email at 2026-11-21T08:00:00Z (send)");
  });

  it("the in-process API (compiled closures by default) exits on the order of 150, not on 99.99", async () => {
    const { workspace, errors } = await loadCheckedWorkspace(WS);
    expect(errors).toBe("");
    const engine = createEngine(workspace, { customers: { c1: { email: "a@x" }, c2: { email: "b@x" } } });
    const t = (s: string) => Date.parse(s);
    const got: string[] = [];
    const feed = (id: string, amount: number) => {
      got.push(...engine.decide(id, { name: "signed_up", ts: t("2026-11-20T08:00:00Z"), props: {} }, t("2026-11-20T08:00:00Z")).map((d) => `${id}#${d.step} ${d.status}`));
      got.push(...engine.decide(id, { name: "order_placed", ts: t("2026-11-20T16:00:00Z"), props: { amount } }, t("2026-11-20T16:00:00Z")).map((d) => `${id}#${d.step} ${d.status}`));
      got.push(...engine.decide(id, null, t("2026-11-23T00:00:00Z")).map((d) => `${id}#${d.step} ${d.status}${d.reason ? ` ${d.reason}` : ""}`));
    };
    feed("c1", 150);
    feed("c2", 99.99);
    expect(got).toEqual(["c1#1 send", "c1#2 exited order_placed", "c2#1 send", "c2#2 send", "c2#3 send"]);
  });
  it("check types the where clause like any other (the names are the exit event's props)", async () => {
    const bad = join(root, "bad");
    mkdirSync(bad);
    const { readFileSync } = await import("node:fs");
    const text = readFileSync(join(WS, "a.yaml"), "utf8");
    writeFileSync(join(bad, "a.yaml"), text.replace("amount >= 100", 'amount >= "100"'));
    const io = memoryIO(ROOT);
    expect(await main(["check", bad], io)).toBe(1);
    expect(io.out + io.err).toContain('error PB201: cannot compare a number with a string: "amount" is a number');
    writeFileSync(join(bad, "a.yaml"), text.replace("amount >= 100", "amout >= 100"));
    const io2 = memoryIO(ROOT);
    expect(await main(["check", bad], io2)).toBe(1);
    expect(io2.out + io2.err).toMatch(/error PB101: unknown name "amout"[\s\S]*did you mean "amount"\?/);
  });
});
