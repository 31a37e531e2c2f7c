import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { EventRecord, Value } from "../../language/values.ts";
import { formatBadRows, loadCustomers, openReader, readCustomers, rowsSummary, streamEvents, type BadRow, type RowCounts } from "../../engine/runtime/read.ts";
import { buildWorkspace } from "./scenarios/mini-workspace.ts";

const { ws } = buildWorkspace({ channels: { email: null }, rules: { r: { on: "order", send: { channel: "email" } } } });
const span = ws.rules.get("r")!.span;
const ty = (base: string) => ({ base: base as "string", nullable: true });
for (const [k, t] of [["vip", "bool"], ["born", "date"], ["joined", "datetime"], ["score", "number"], ["city", "string"]] as const) ws.schema.customer.set(k, { name: k, span, type: ty(t) });
ws.schema.events.set("order", { name: "order", span, builtin: false, props: new Map([["amount", { name: "amount", span, type: ty("number") }]]) });
// Only props some expression reads are loaded: make `amount` read.
ws.rules.get("r")!.who = { kind: "binary", op: ">", left: { kind: "name", name: "amount", span }, right: { kind: "number", value: 0, raw: "0", span }, span };

let dir = "";
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "pb-read-"));
  writeFileSync(join(dir, "customers.csv"), [
    "customer_id,vip,born,joined,score,city,ignored",
    "a,true,1990-05-01,2026-01-02T03:04:05Z,1.5,Oslo,x",
    "b,0,,2026-01-02T06:04:05+03:00,,,y",
    "c,maybe,1990-05-01,2026-01-02,2,Rome,z",
    "a,false,1990-05-01,2026-01-02,2,Rome,dup",
    ",true,,,,,",
  ].join("\n") + "\n");
  writeFileSync(join(dir, "events.csv"), [
    "customer_id,event,ts,amount",
    "b,order,2026-11-20T10:00:00Z,10",
    "a,order,2026-11-20T09:00:00,5",
    "zz,order,2026-11-20T10:00:00Z,1",
    "a,teleport,2026-11-20T10:00:00Z,1",
    "a,order,yesterday,1",
    "a,order,2026-11-20T08:00:00Z,lots",
    "a,order,2026-11-19T08:00:00Z,",
  ].join("\n") + "\n");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("reading customers and events", () => {
  it("types values, lists every bad row as file:line: reason, and streams events per customer in time order", async () => {
    const bad: BadRow[] = [];
    const counts: RowCounts = { customers: { read: 0, used: 0, rejected: 0 }, events: { read: 0, used: 0, rejected: 0 } };
    const { con, close } = await openReader();
    const got: [string, EventRecord[]][] = [];
    let customers: Map<string, Record<string, Value>>;
    try {
      customers = await readCustomers(con, ws, join(dir, "customers.csv"), bad, counts);
      await streamEvents(con, ws, join(dir, "events.csv"), customers, Infinity, bad, counts, (id, evs) => got.push([id, evs]));
    } finally {
      close();
    }
    expect(customers.get("a")).toEqual({ customer_id: "a", vip: true, born: Date.UTC(1990, 4, 1), joined: Date.UTC(2026, 0, 2, 3, 4, 5), score: 1.5, city: "Oslo" });
    expect(customers.get("b")).toEqual({ customer_id: "b", vip: false, born: null, joined: Date.UTC(2026, 0, 2, 3, 4, 5), score: null, city: null });
    expect([...customers.keys()]).toEqual(["a", "b"]);
    expect(formatBadRows(bad).split("\n").filter(Boolean).map((l) => l.replace(dir + "/", ""))).toEqual([
      'customers.csv:4: vip: cannot read "maybe" as bool',
      'customers.csv:5: duplicate customer_id "a"',
      "customers.csv:6: missing customer_id",
      'events.csv:4: unknown customer "zz"',
      'events.csv:5: event "teleport" is not in the schema',
      'events.csv:6: ts: cannot read "yesterday" as a time',
      "events.csv:7: amount: cannot read the value",
    ]);
    expect(got.map(([id, evs]) => [id, evs.map((e) => [e.ts, e.props.amount ?? null])])).toEqual([
      ["a", [[Date.UTC(2026, 10, 19, 8), null], [Date.UTC(2026, 10, 20, 9), 5]]],
      ["b", [[Date.UTC(2026, 10, 20, 10), 10]]],
    ]);
    expect(rowsSummary(counts)).toBe("rows: customers 5 read, 2 used, 3 rejected; events 7 read, 3 used, 4 rejected\n");
  });
});

describe("customerColumns", () => {
  it("sends few-valued text as dictionary codes and presence-only attributes as flags, values unchanged", async () => {
    const { customerColumns, PRESENT } = await import("../../engine/runtime/read.ts");
    const { con, close } = await openReader();
    try {
      await con.run(`CREATE TABLE __cust AS SELECT * FROM (VALUES ('a', 'x,y', 'e1'), ('b', '[q]', NULL), ('c', NULL, 'e3'), ('d', 'it''s "quoted"', ''), ('e', 'x,y', 'e5')) t(customer_id, city, email)`);
      const got = await customerColumns(con, ["city", "email"], new Set(["email"]));
      expect(got.ids).toEqual(["a", "b", "c", "d", "e"]);
      expect(got.columns[0]).toEqual(["x,y", "[q]", null, `it's "quoted"`, "x,y"]);
      expect(got.columns[1]).toEqual([PRESENT, null, PRESENT, PRESENT, PRESENT]);
    } finally {
      close();
    }
  });
});

describe("the customers table keeps file order (ci = position in the file)", () => {
  // Many row groups and both threads: order must come from the file, not from which thread finished first.
  const N = 300_000;
  it.each([
    ["parquet", false], ["parquet", true], ["csv", false], ["csv", true],
  ] as const)("%s, duplicates %s", async (ext, dups) => {
    const { con, close } = await openReader();
    try {
      const file = join(dir, `order-${ext}-${dups}.${ext}`);
      // Ids in a scrambled order (i·7919 mod N), so that sorted and file order differ; with dups, every 1000th row repeats an earlier id.
      const id = `'c' || lpad(CAST(CASE WHEN ${dups} AND i % 1000 = 999 THEN ((i - 500) * 7919) % ${N} ELSE (i * 7919) % ${N} END AS VARCHAR), 6, '0')`;
      await con.run(`COPY (SELECT ${id} AS customer_id, (i % 2 = 0) AS vip FROM range(${N}) t(i) ORDER BY i)
        TO '${file}' (FORMAT ${ext}${ext === "parquet" ? ", ROW_GROUP_SIZE 10000" : ", HEADER true"})`);
      const bad: BadRow[] = [];
      const counts: RowCounts = { customers: { read: 0, used: 0, rejected: 0 }, events: { read: 0, used: 0, rejected: 0 } };
      await loadCustomers(con, ws, file, bad, counts);
      const [[wrong, n]] = (await con.runAndReadAll(`WITH f AS (SELECT ${id} AS customer_id, i FROM range(${N}) t(i)),
          firsts AS (SELECT customer_id, min(i) AS i FROM f GROUP BY 1),
          want AS (SELECT customer_id, row_number() OVER (ORDER BY i) - 1 AS ci FROM firsts)
        SELECT count(*) FILTER (WHERE w.ci IS DISTINCT FROM c.rowid), count(*) FROM __cust c LEFT JOIN want w USING (customer_id)`)).getRows() as [[bigint, bigint]];
      expect(Number(wrong)).toBe(0);
      expect(Number(n)).toBe(dups ? N - N / 1000 : N);
      expect(bad.length).toBe(dups ? N / 1000 : 0);
    } finally {
      close();
    }
  }, 60_000);
});
