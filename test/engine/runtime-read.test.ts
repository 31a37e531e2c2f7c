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

/** The events file: good rows and one of each kind of bad row. */
const EVENT_LINES = [
  "customer_id,event,ts,amount",
  "b,order,2026-11-20T10:00:00Z,10",
  "a,order,2026-11-20T09:00:00,5",
  "zz,order,2026-11-20T10:00:00Z,1",
  "a,teleport,2026-11-20T10:00:00Z,1",
  "a,order,yesterday,1",
  "a,order,2026-11-20T08:00:00Z,lots",
  "a,order,2026-11-19T08:00:00Z,",
];

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
  writeFileSync(join(dir, "events.csv"), EVENT_LINES.join("\n") + "\n");
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

describe("the feature scan checks every row the same way in CSV and in Parquet", () => {
  // A Parquet file is read twice (the feature rows alone, then every row checked, engine/features/duckdb.ts);
  // a CSV file once. Both must reject the same rows for the same reasons and give the same features.
  it("same bad rows, counts and features, with the check on the scan's connection or its own", async () => {
    const { B } = await import("../support/arbitraries.ts");
    const { featurePlan, scanFeatures } = await import("../../engine/features/index.ts");
    const w = { ...ws, segments: new Map(ws.segments) };
    const seg = (name: string, expr: import("../../language/ast.ts").Expr) => w.segments.set(name, { name, span, expr });
    seg("buyers", B.bin(">=", B.agg("count", "order"), B.num(1)));
    seg("spent", B.bin(">", B.agg("sum", "order", { prop: "amount" }), B.num(6)));
    seg("recent", B.bin(">", B.member(B.agg("last", "order"), "ts"), B.num(0)));
    const plan = featurePlan(w);
    expect(plan.scan.map((f) => f.key)).toEqual(["count(order)", "sum(order.amount)", "last(order)"]);
    const lines = [
      ...EVENT_LINES,
      // A missing customer id, a missing event name, a missing time, and a good row with an offset.
      ",order,2026-11-19T08:00:00Z,3",
      "b,,2026-11-19T08:00:00Z,3",
      "b,order,,3",
      "b,order,2026-11-18T08:00:00+03:00,2.5",
    ];
    writeFileSync(join(dir, "scan.csv"), lines.join("\n") + "\n");
    const at = Date.UTC(2026, 10, 21);
    const scan = async (file: string, connect: boolean) => {
      const bad: BadRow[] = [];
      const counts: RowCounts = { customers: { read: 0, used: 0, rejected: 0 }, events: { read: 0, used: 0, rejected: 0 } };
      const r = await openReader();
      try {
        if (file.endsWith(".parquet") && file.includes("varchar")) await r.con.run(`COPY (SELECT * FROM read_csv('${join(dir, "scan.csv")}', header = true, all_varchar = true)) TO '${file}' (FORMAT parquet)`);
        const customers = await readCustomers(r.con, w, join(dir, "customers.csv"), bad, counts);
        bad.length = 0;
        const t = await scanFeatures(r.con, w, plan, file, at, null, customers.size, bad, counts, connect ? { connect: r.connect } : {});
        await t.checked;
        const features = [...customers.keys()].map((id, i) => {
          const rec: Record<string, Value> = {};
          t.fill(t.slotOf[i]!, rec);
          return [id, rec["count(order)"], rec["sum(order.amount)"], (rec["last(order)"] as EventRecord | null)?.ts ?? null];
        });
        return { bad: bad.map((b) => `${b.line}: ${b.reason}`), counts: counts.events, features };
      } finally {
        r.close();
      }
    };
    const csv = await scan(join(dir, "scan.csv"), false);
    expect(csv.bad).toEqual([
      '4: unknown customer "zz"',
      '5: event "teleport" is not in the schema',
      '6: ts: cannot read "yesterday" as a time',
      "7: amount: cannot read the value",
      "9: unknown customer null",
      "10: event null is not in the schema",
      '11: ts: cannot read null as a time',
    ]);
    expect(csv.counts).toEqual({ read: 11, used: 4, rejected: 7 });
    expect(csv.features).toEqual([
      ["a", 2, 5, Date.UTC(2026, 10, 20, 9)],
      ["b", 2, 12.5, Date.UTC(2026, 10, 20, 10)],
    ]);
    // Nothing to compute (no aggregate, no RFM): the rows are still checked and counted.
    {
      const r = await openReader();
      try {
        const b: BadRow[] = [];
        const c: RowCounts = { customers: { read: 0, used: 0, rejected: 0 }, events: { read: 0, used: 0, rejected: 0 } };
        const file = join(dir, "scan-empty.parquet");
        await r.con.run(`COPY (SELECT * FROM read_csv('${join(dir, "scan.csv")}', header = true, all_varchar = true)) TO '${file}' (FORMAT parquet)`);
        const customers = await readCustomers(r.con, w, join(dir, "customers.csv"), b, c);
        const t = await scanFeatures(r.con, w, { features: [], scan: [], attributes: [] }, file, at, null, customers.size, b, c);
        await t.checked;
        expect(c.events).toEqual({ read: 11, used: 4, rejected: 7 });
        expect(t.customer.length).toBe(0);
      } finally {
        r.close();
      }
    }
    for (const connect of [false, true]) {
      const pq = await scan(join(dir, `scan-varchar-${connect}.parquet`), connect);
      // Parquet rows are numbered from 1 without a header line: one less than the CSV line.
      expect(pq.bad, `connect ${connect}`).toEqual(csv.bad.map((b) => b.replace(/^\d+/, (n) => String(Number(n) - 1))));
      expect(pq.counts).toEqual(csv.counts);
      expect(pq.features).toEqual(csv.features);
    }
  });
});
