/**
 * Names that `Object.prototype` also has (`__proto__`, `constructor`,
 * `toString`, `hasOwnProperty`, `valueOf`, `isPrototypeOf`) work like any
 * other name as segments, rule ids, attributes, events, props and templates
 * (issue 14, item 5): a segment named `__proto__` was never stored in the
 * state, so its members entered again on every run, and a segment named
 * `hasOwnProperty` read the prototype's function as its remembered
 * membership, so members from the start "entered" it.
 */
import { afterAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../cli/main.ts";
import { memoryIO } from "../../cli/io.ts";
import { createEngine } from "../../engine/api.ts";
import { compileExpr } from "../../engine/compile/closure.ts";
import { loadCheckedWorkspace } from "../../language/check.ts";
import type { EventRecord, Value } from "../../language/values.ts";
import { HAS_FRONT_END, ROOT } from "./run-support.ts";

const root = mkdtempSync(join(tmpdir(), "pb-object-names-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const WS = join(root, "ws");
const DATA = join(root, "data");
mkdirSync(WS);
mkdirSync(DATA);
writeFileSync(join(WS, "a.yaml"), `schema:
  customer:
    email: string?
    constructor: string?
    isPrototypeOf: string?
  events:
    toString: { valueOf: number, __proto__: string }
defaults:
  timezone: UTC
  holdout: 0%
segments:
  __proto__: count(toString) >= 1
  hasOwnProperty: constructor == "x"
  unknown_ctor: constructor == null
  either: __proto__ or hasOwnProperty
templates:
  constructor: { fields: [email, isPrototypeOf] }
channels:
  email: { requires: email != null }
rules:
  __proto__:
    on: enter __proto__
    send: { channel: email, template: constructor }
  toString:
    on: toString where valueOf > 5 and __proto__ == "p"
    send: { channel: email }
  hasOwnProperty:
    on: enter hasOwnProperty
    send: { channel: email }
`);
writeFileSync(join(DATA, "customers.csv"), "customer_id,email,constructor,isPrototypeOf\nc1,a@x,x,y\nc2,b@x,,\nc3,c@x,y,z\n");
writeFileSync(join(DATA, "events.csv"), [
  "customer_id,event,ts,valueOf,__proto__",
  "c1,toString,2026-11-20T08:00:00Z,7,p",
  "c2,toString,2026-11-20T09:00:00Z,3,p",
  "c3,toString,2026-11-20T10:00:00Z,9,q",
].join("\n") + "\n");

const short = (out: string) =>
  out.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as { customer_id: string; rule: string; status: string; reason: string | null })
    .map((d) => `${d.customer_id} ${d.rule} ${d.status}${d.reason ? ` ${d.reason}` : ""}`);

describe.skipIf(!HAS_FRONT_END)("names of Object.prototype work like any other name", () => {
  it("check accepts them", async () => {
    const io = memoryIO(ROOT);
    expect(await main(["check", WS], io), io.out + io.err).toBe(0);
  });

  it("run --state over two days: each entry once, the template's fields and the props read, nobody enters a segment they were always in", async () => {
    const state = join(root, "state.duckdb");
    const day1 = memoryIO(ROOT);
    expect(await main(["run", WS, "--data", DATA, "--at", "2026-11-21T00:00:00Z", "--state", state], day1), day1.err).toBe(0);
    expect(short(day1.out)).toEqual([
      "c1 __proto__ send",
      "c1 toString send",
      "c2 __proto__ missing_field isPrototypeOf",
      "c3 __proto__ send",
    ]);
    const day2 = memoryIO(ROOT);
    expect(await main(["run", WS, "--data", DATA, "--at", "2026-11-22T00:00:00Z", "--state", state], day2), day2.err).toBe(0);
    expect(day2.out).toBe("");
  });

  it("segments lists their sizes and members", async () => {
    const io = memoryIO(ROOT);
    expect(await main(["segments", WS, "--data", DATA, "--at", "2026-11-21T00:00:00Z", "--format", "csv"], io), io.err).toBe(0);
    expect(io.out.trim().split("\n")).toEqual(["customer_id,segment", "c1,__proto__", "c1,hasOwnProperty", "c1,either", "c2,__proto__", "c2,unknown_ctor", "c2,either", "c3,__proto__", "c3,either"]);
    const json = memoryIO(ROOT);
    expect(await main(["segments", WS, "--data", DATA, "--at", "2026-11-21T00:00:00Z", "--format", "json"], json), json.err).toBe(0);
    const sizes = (JSON.parse(json.out) as { segments: { segment: string; customers: number }[] }).segments.map((s) => [s.segment, s.customers]);
    expect(sizes).toEqual([["__proto__", 3], ["hasOwnProperty", 1], ["unknown_ctor", 1], ["either", 3]]);
  });

  it("the API, with attributes and props as a backend parses them from JSON, enters once", async () => {
    const { workspace, errors } = await loadCheckedWorkspace(WS);
    expect(errors).toBe("");
    const engine = createEngine(workspace, { customers: { c1: JSON.parse('{"email":"a@x","constructor":"x","isPrototypeOf":"y"}') as Record<string, Value> } });
    const t = Date.parse("2026-11-20T08:00:00Z");
    const ev: EventRecord = { name: "toString", ts: t, props: JSON.parse('{"valueOf":7,"__proto__":"p"}') as Record<string, Value> };
    const first = engine.decide("c1", ev, t).map((d) => `${d.rule} ${d.status}`);
    expect(first).toEqual(["__proto__ send", "toString send"]);
    expect(engine.decide("c1", null, t + 86_400_000)).toEqual([]);
    // A customer without the attribute reads null, not Object.prototype.constructor.
    const other = engine.decide("c9", { name: "toString", ts: t, props: JSON.parse('{"valueOf":1}') as Record<string, Value> }, t);
    expect(other.map((d) => `${d.rule} ${d.status}${d.reason ? ` ${d.reason}` : ""}`)).toEqual(["__proto__ no_channel"]);
  });
});

describe.skipIf(!HAS_FRONT_END)("compiled closures over plain objects (a backend's own records)", () => {
  it("read a missing attribute named constructor as null and a segment named __proto__ as its value", async () => {
    const { workspace } = await loadCheckedWorkspace(WS);
    const seg = (name: string) => compileExpr(workspace.segments.get(name)!.expr, workspace);
    const env = (customer: Record<string, Value>) => ({ now: Date.parse("2026-11-21T00:00:00Z"), customer, events: [{ name: "toString", ts: 0, props: {} }], rfm: null, segments: {} });
    expect(seg("unknown_ctor")(env({ customer_id: "z" }))).toBe(true);
    expect(seg("unknown_ctor")(env({ customer_id: "z", constructor: "x" }))).toBe(false);
    expect(seg("either")(env({ customer_id: "z" }))).toBe(true);
  });
});
