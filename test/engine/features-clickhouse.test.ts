/**
 * The ClickHouse dialect of the feature scan, executed: the same customers and
 * events loaded into tables of a real ClickHouse engine (chDB, in-process),
 * the scan of `clickhouseFeatures` run there, and every feature of every
 * customer held equal to DuckDB's scan of the same data as files (the
 * commands' path) — under fast-check with random aggregates and `where`
 * clauses, nulls, same-instant ties, non-ASCII strings, events exactly on and
 * 1 ms either side of window edges, and random clocks; plus hand-made edges
 * (escaping, Unicode lower, a customer without events).
 */
import { DuckDBInstance } from "@duckdb/node-api";
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import type { Expr, Workspace } from "../../language/ast.ts";
import type { EventRecord, Value } from "../../language/values.ts";
import { main } from "../../cli/main.ts";
import { memoryIO } from "../../cli/io.ts";
import { loadProgram } from "../../engine/runtime/inputs.ts";
import { clickhouseFeatures, compileSql, featurePlan, type FeaturePlan } from "../../engine/features/index.ts";
import { B, BASE, DAY, HOUR, testWorkspace } from "../support/arbitraries.ts";
import { chdbRunner, chdbSession, chdbTable } from "../support/chdb.ts";
import { ATTRS, PROPS, featureCaseArb, viaDuckdb, type Cust } from "../support/feature-cases.ts";

const session = chdbSession();
const run = chdbRunner(session);

const CUSTOMER_TYPES: Record<string, string> = {
  age: "Nullable(Float64)", score: "Nullable(Float64)", city: "Nullable(String)", plan: "Nullable(String)",
  consent_email: "Nullable(Bool)", signup: "Nullable(DateTime64(3, 'UTC'))", birthday: "Nullable(Date32)",
};
const PROP_TYPES: Record<string, string> = { amount: "Nullable(Float64)", category: "Nullable(String)", path: "Nullable(String)", product_id: "Nullable(String)" };

/** A data file's cell as ClickHouse gets it: empty is null (contract.md), times as ISO text. */
function chCell(v: Value | undefined, type?: string): unknown {
  if (v === null || v === undefined || v === "") return null;
  if (type?.includes("DateTime64")) return new Date(v as number).toISOString();
  if (type?.includes("Date32")) return new Date(v as number).toISOString().slice(0, 10);
  return v;
}

/** Loads the customers and events into chDB tables `customers` and `events`, runs the ClickHouse scan, returns features by customer id. */
async function viaClickhouse(ws: Workspace, plan: FeaturePlan, custs: Cust[], now: number): Promise<Map<string, Record<string, Value>>> {
  await chdbTable(session, "customers", [["customer_id", "String"], ...ATTRS.map((a): [string, string] => [a, CUSTOMER_TYPES[a]!])],
    custs.map((c) => ({ customer_id: c.id, ...Object.fromEntries(ATTRS.map((a) => [a, chCell(c.attrs[a], CUSTOMER_TYPES[a])])) })));
  await chdbTable(session, "events", [["customer_id", "String"], ["event", "String"], ["ts", "DateTime64(3, 'UTC')"], ...PROPS.map((p): [string, string] => [p, PROP_TYPES[p]!])],
    custs.flatMap((c) => c.events.map((e) => ({ customer_id: c.id, event: e.name, ts: new Date(e.ts).toISOString(), ...Object.fromEntries(PROPS.map((p) => [p, chCell(e.props[p])])) }))));
  const { ids, table } = await clickhouseFeatures(run, ws, plan, now);
  const slot = new Map(ids.map((id, i) => [id, i]));
  const out = new Map<string, Record<string, Value>>();
  for (const c of custs) {
    const rec: Record<string, Value> = {};
    table.fill(slot.get(c.id) ?? -1, rec);
    out.set(c.id, rec);
  }
  return out;
}

/** Every scan feature of every customer: the same value from ClickHouse as from DuckDB (records whole: ts and props). */
function expectEqual(plan: FeaturePlan, custs: Cust[], ch: Map<string, Record<string, Value>>, duck: Map<string, Record<string, Value>>): void {
  for (const c of custs) for (const f of plan.scan) expect(ch.get(c.id)![f.key], `${c.id} ${f.key}`).toStrictEqual(duck.get(c.id)![f.key]);
}

describe("ClickHouse scan (chDB) == DuckDB scan", () => {
  const at = BASE;
  const ev = (name: string, dh: number, props: Record<string, Value> = {}, ms = 0): EventRecord => ({ name, ts: at + dh * HOUR + ms, props });

  it("hand-made edges: window edges at -1 ms / exact / +1 ms, ties, escaping, Unicode lower, no events", async () => {
    const ws = testWorkspace({
      n7: B.agg("count", "order_placed", { within: 7 * DAY }),
      s30: B.agg("sum", "order_placed", { prop: "amount", within: 30 * DAY }),
      avg: B.agg("avg", "order_placed", { prop: "amount" }),
      mn: B.agg("min", "order_placed", { prop: "amount" }),
      last: B.agg("last", "order_placed"),
      first: B.agg("first", "page_viewed"),
      quoted: B.agg("count", "page_viewed", { where: B.bin("==", B.prop("page_viewed", "path"), B.str(`it's a \\ "q"`)) }),
      low: B.agg("count", "order_placed", { where: B.bin("==", B.call("lower", B.prop("order_placed", "category")), B.str("zürich ω")) }),
      zone: B.agg("count", "order_placed", { where: B.bin(">", B.attr("signup"), B.dt(at - 10 * DAY)) }),
      seen: B.exists("page_viewed", { within: DAY }),
    });
    const plan = featurePlan(ws);
    const order = (dh: number, amount: number | null, category: string | null, ms = 0) => ev("order_placed", dh, { amount, category }, ms);
    const custs: Cust[] = [
      // now − 7d exactly (out), 1 ms after it (in), 1 ms before it (out); at now (in); 1 ms after now (never).
      { id: "a", attrs: { score: 1, plan: "free", signup: at - 20 * DAY }, events: [order(-7 * 24, 1, "x"), order(-7 * 24, 2, "y", 1), order(-7 * 24, 4, "z", -1), order(0, 0.1, "ZÜRICH Ω"), order(0, 0.2, "zürich ω"), order(0, null, null, 1)] },
      // Same-instant ties of last/first: picked by props (NULL after every value).
      { id: "é東", attrs: { score: 0, plan: "pro", signup: at - DAY }, events: [ev("page_viewed", -2, { path: `it's a \\ "q"`, product_id: null }), ev("page_viewed", -2, { path: null, product_id: "p1" }), order(-1, 5, "b"), order(-1, 5, null), order(-1, 3, "a")] },
      { id: "nobody", attrs: { score: 2, plan: "free" }, events: [] },
    ];
    const duck = await viaDuckdb(ws, plan, custs, [0, 330], at);
    const ch = await viaClickhouse(ws, plan, custs, at);
    expectEqual(plan, custs, ch, duck);
    const a = ch.get("a")!;
    expect(a["count(order_placed within 7d)"]).toBe(3);
    expect(a[`count(order_placed where lower(category) == "zürich ω")`]).toBe(2);
    expect(ch.get("é東")![`count(page_viewed where path == "it's a \\\\ \\"q\\"")`]).toBe(1);
    expect((ch.get("é東")!["last(order_placed)"] as EventRecord).props).toEqual({ amount: 5 });
    expect(ch.get("nobody")!["sum(order_placed.amount within 30d)"]).toBe(0);
    expect(ch.get("nobody")!["last(order_placed)"]).toBeNull();
  });

  it("every form a scan feature can take compiles for ClickHouse and agrees with DuckDB (and the RFM inputs)", async () => {
    const p = (name: string) => B.prop("order_placed", name);
    const where = (w: Expr) => B.agg("count", "order_placed", { where: w });
    const forms: Record<string, Expr> = {
      count: B.agg("count", "order_placed"), sum: B.agg("sum", "order_placed", { prop: "amount" }), avg: B.agg("avg", "order_placed", { prop: "amount", within: DAY }),
      min: B.agg("min", "order_placed", { prop: "amount" }), max: B.agg("max", "order_placed", { prop: "amount", within: HOUR }),
      first: B.agg("first", "order_placed"), lastTs: B.member(B.agg("last", "page_viewed"), "ts"), lastField: B.member(B.agg("last", "order_placed", { within: 7 * DAY }), "category"),
      exists: B.exists("page_viewed", { within: DAY }), bare: B.evt("back_in_stock"),
      andOrNot: where(B.bin("or", B.bin("and", B.bin(">", p("amount"), B.num(1)), B.not(B.bin("==", p("category"), B.str("a")))), B.bool(false))),
      compare: where(B.bin("<=", p("amount"), B.num(5))), neq: where(B.bin("!=", p("category"), B.str("b"))),
      isNull: where(B.bin("==", p("amount"), B.nul())), notNull: where(B.bin("!=", B.nul(), p("category"))),
      coalesce: where(B.bin(">=", B.bin("??", p("amount"), B.num(0)), B.num(0))),
      arith: where(B.bin(">", B.bin("/", B.bin("*", B.bin("+", p("amount"), B.num(1)), B.neg(B.num(2))), B.bin("-", p("amount"), B.num(5))), B.pct(0.25))),
      inList: where(B.in(p("category"), B.list(B.str("a"), B.nul(), B.str("Zürich")))), notIn: where(B.in(p("amount"), B.list(B.num(5), B.num(3)), true)),
      between: where(B.between(p("amount"), B.num(2), B.num(5))),
      calls: where(B.bin("and", B.bin("<=", B.call("days_since", B.attr("signup")), B.num(30)), B.bin(">", B.call("hours_since", B.attr("birthday")), B.num(1)))),
      lower: where(B.bin("==", B.call("lower", B.attr("city")), B.str("zürich"))),
      attrs: where(B.bin("and", B.bin("==", B.attr("consent_email"), B.bool(true)), B.bin(">", B.attr("age"), B.attr("score")))),
      times: where(B.bin("and", B.bin("<", B.attr("birthday"), B.date(at)), B.bin(">", B.bin("+", B.attr("signup"), B.dur(DAY)), B.dt(at - 40 * DAY)))),
    };
    const ws: Workspace = { ...testWorkspace(forms), rfm: { span: B.num(0).span, event: "order_placed", value: "amount", window: 30 * DAY, scores: 5 } };
    const plan = featurePlan(ws);
    expect(plan.features.filter((f) => f.perDecision)).toEqual([]);
    const order = (dh: number, amount: number | null, category: string | null) => ev("order_placed", dh, { amount, category });
    const custs: Cust[] = [
      { id: "a", attrs: { age: 30, score: 1, city: "ZÜRICH", plan: "free", consent_email: true, signup: at - 10 * DAY, birthday: at - 20 * DAY },
        events: [order(-31 * 24, 9, "a"), order(-5, 4, "Zürich"), order(-1, null, "b"), order(0, 2, null), ev("page_viewed", -3, { path: "/", product_id: "p" }), ev("back_in_stock", -2, { product_id: "p" })] },
      { id: "b", attrs: { score: 3, plan: "pro", consent_email: false }, events: [order(-2, 5, "a"), order(-2, 3, "b")] },
    ];
    const ch = await viaClickhouse(ws, plan, custs, at);
    expectEqual(plan, custs, ch, await viaDuckdb(ws, plan, custs, [0], at));
    const { ids, table } = await clickhouseFeatures(run, ws, plan, at);
    expect(table.rfm(ids.indexOf("a"))).toEqual({ n: 3, sum: 6, last: at });
    expect(table.rfm(ids.indexOf("b"))).toEqual({ n: 2, sum: 8, last: at - 2 * HOUR });
    expect(table.rfm(-1)).toEqual({ n: 0, sum: 0, last: -Infinity });
  });

  it("agree on random aggregates, histories (nulls, ties, non-ASCII), offsets and window edges", async () => {
    let scanned = 0;
    await fc.assert(
      fc.asyncProperty(featureCaseArb(["London", "london", "Zürich", "ZÜRICH", "東京", "l'Ö\\x", ""]), async ({ now, aggs, custs, offsets }) => {
        const ws = testWorkspace(Object.fromEntries(aggs.map((a: Expr, i: number) => [`f${i}`, a])));
        const plan = featurePlan(ws);
        if (plan.scan.length === 0) return;
        scanned += plan.scan.length;
        expectEqual(plan, custs, await viaClickhouse(ws, plan, custs, now), await viaDuckdb(ws, plan, custs, offsets, now, "csv"));
      }),
      { numRuns: 100, seed: 20261204 },
    );
    expect(scanned).toBeGreaterThan(120);
  }, 300_000);

  it("playbook compile --target sql --dialect clickhouse of the shop playbook runs as printed on chDB, rows equal to the duckdb dialect's on DuckDB", async () => {
    const shop = new URL("../../playbooks/shop", import.meta.url).pathname;
    const { program } = await loadProgram(shop);
    const ws = program.ws;
    const printed = async (dialect: string) => {
      const io = memoryIO();
      expect(await main(["compile", shop, "--target", "sql", "--dialect", dialect, "--at", new Date(at).toISOString()], io), io.err).toBe(0);
      return io.out.replace(/;\s*$/, "");
    };
    const chType: Record<string, string> = { number: "Nullable(Float64)", string: "Nullable(String)", bool: "Nullable(Bool)", datetime: "Nullable(DateTime64(3, 'UTC'))", date: "Nullable(Date32)" };
    const duckType: Record<string, string> = { number: "DOUBLE", string: "VARCHAR", bool: "BOOLEAN", datetime: "TIMESTAMPTZ", date: "DATE" };
    const attrs = [...ws.schema.customer].filter(([, a]) => a.type.base in chType).map(([n, a]) => [n, a.type.base] as const);
    const props = [...new Map([...ws.schema.events.values()].flatMap((e) => [...e.props].map(([n, a]) => [n, a.type.base] as const))).entries()].filter(([, t]) => t in chType);
    const evs = [
      { customer_id: "a", event: "order_placed", ts: at - 40 * DAY, amount: 100 }, { customer_id: "a", event: "order_placed", ts: at - 1800_000, amount: 50.25 },
      { customer_id: "a", event: "cart_abandoned", ts: at - HOUR }, { customer_id: "ü", event: "order_placed", ts: at - 10 * DAY, amount: 70 },
      { customer_id: "ü", event: "order_placed", ts: at - 10 * DAY, amount: 0.1 }, { customer_id: "ü", event: "order_placed", ts: at + 1, amount: 10 },
    ];
    await chdbTable(session, "customers", [["customer_id", "String"], ...attrs.map(([n, t]): [string, string] => [n, chType[t]!])], [{ customer_id: "a" }, { customer_id: "ü" }]);
    await chdbTable(session, "events", [["customer_id", "String"], ["event", "String"], ["ts", "DateTime64(3, 'UTC')"], ...props.map(([n, t]): [string, string] => [n, chType[t]!])],
      evs.map((e) => ({ ...e, ts: new Date(e.ts).toISOString() })));
    const ch = session.query(`${await printed("clickhouse")}\nFORMAT JSONEachRow`.replace("\nSETTINGS join_use_nulls = 1\nFORMAT", " ORDER BY 1\nSETTINGS join_use_nulls = 1, output_format_json_quote_64bit_integers = 0\nFORMAT"), "JSONEachRow");
    const db = await DuckDBInstance.create(":memory:");
    const con = await db.connect();
    try {
      await con.run("SET TimeZone = 'UTC'");
      await con.run(`CREATE TABLE customers (customer_id VARCHAR${attrs.map(([n, t]) => `, "${n}" ${duckType[t]}`).join("")})`);
      await con.run(`INSERT INTO customers (customer_id) VALUES ('a'), ('ü')`);
      await con.run(`CREATE TABLE events (customer_id VARCHAR, event VARCHAR, ts TIMESTAMPTZ${props.map(([n, t]) => `, "${n}" ${duckType[t]}`).join("")})`);
      for (const e of evs) await con.run(`INSERT INTO events (customer_id, event, ts, amount) VALUES ('${e.customer_id}', '${e.event}', make_timestamp(${e.ts * 1000}), ${e.amount ?? "NULL"})`);
      const duck = (await con.runAndReadAll(`${await printed("duckdb")} ORDER BY 1`)).getRowObjectsJS() as Record<string, unknown>[];
      const chRows = ch.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
      expect([chRows.length, duck.length]).toEqual([2, 2]);
      expect(Object.keys(duck[0]!).length).toBeGreaterThan(5);
      const norm = (v: unknown) => (typeof v === "bigint" ? Number(v) : v === 1 || v === 0 ? v === 1 : v);
      for (const [i, d] of duck.entries()) for (const [k, v] of Object.entries(d)) expect(norm(chRows[i]![k]), `${d.customer_id} ${k}`).toStrictEqual(norm(v));
    } finally {
      con.closeSync();
      db.closeSync();
    }
  });

  it("compile --target sql --dialect clickhouse runs as printed on chDB ({now:Float64} a query parameter)", async () => {
    const ws = testWorkspace({ n: B.agg("count", "order_placed", { within: DAY }) });
    await chdbTable(session, "customers", [["customer_id", "String"], ["score", "Float64"], ["plan", "String"]], [{ customer_id: "a", score: 1, plan: "free" }]);
    await chdbTable(session, "events", [["customer_id", "String"], ["event", "String"], ["ts", "DateTime64(3, 'UTC')"], ...PROPS.map((p): [string, string] => [p, PROP_TYPES[p]!])],
      [{ customer_id: "a", event: "order_placed", ts: new Date(at - HOUR).toISOString(), amount: 3 }, { customer_id: "a", event: "order_placed", ts: new Date(at - DAY).toISOString(), amount: 4 }]);
    const sql = compileSql(ws, { dialect: "clickhouse" });
    expect(sql).toContain("{now:Float64}");
    expect(sql).toContain("SETTINGS join_use_nulls = 1");
    const out = session.queryBind(sql.replace(/;\s*$/, ""), { now: at }, "JSONEachRow");
    const row = JSON.parse(out.trim().split("\n")[0]!);
    expect(Number(row["count(order_placed within 1d)"])).toBe(1);
    expect(Number(row["sum(order_placed.amount within 30d)"])).toBe(7);
  });
});
