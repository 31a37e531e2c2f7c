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
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import type { Expr, Workspace } from "../../language/ast.ts";
import type { EventRecord, Value } from "../../language/values.ts";
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
