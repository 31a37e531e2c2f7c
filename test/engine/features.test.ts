/**
 * The two feature paths — one DuckDB scan over files (engine/features/duckdb.ts)
 * and the in-memory path (memory.ts, the compiled closures) — give the same
 * values: on a hand-made scenario table with expected values, and under
 * fast-check on random aggregates (random where clauses, windows, functions),
 * random histories with events exactly on window edges, times written with
 * random UTC offsets, and random clocks.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import type { Expr, Workspace } from "../../language/ast.ts";
import type { EventRecord, Value } from "../../language/values.ts";
import { compileSql, featurePlan, memoryFeatures, type Feature, type FeaturePlan } from "../../engine/features/index.ts";
import { propsUsed } from "../../engine/runtime/read.ts";
import { B, BASE, DAY, HOUR, testWorkspace } from "../support/arbitraries.ts";
import { asRead, featureCaseArb, viaDuckdb, type Cust, type Format } from "../support/feature-cases.ts";


function expectSame(ws: Workspace, plan: FeaturePlan, custs: Cust[], sql: Map<string, Record<string, Value>>, mem: (c: Cust) => Record<string, Value>): void {
  // Records from the scan carry the props some expression reads (no expression can see the others).
  // First/last records carry only the fields read from them when every use reads a field (Feature.fields).
  const read = propsUsed(ws);
  const visible = (f: Feature, p: Record<string, Value>) => Object.fromEntries(Object.entries(p).filter(([k]) => read.has(k) && (!f.fields || f.fields.includes(k))));
  for (const c of custs) {
    const m = mem(c);
    const s = sql.get(c.id)!;
    for (const f of plan.scan) {
      const [a, b] = [s[f.key], m[f.key]];
      const where = `${c.id} ${f.key}`;
      if ((f.fn === "sum" || f.fn === "avg") && typeof a === "number" && typeof b === "number") {
        expect(Math.abs(a - b), where).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(b)));
      } else if (f.fn === "first" || f.fn === "last") {
        const [x, y] = [a as EventRecord | null, b as EventRecord | null];
        expect(x === null ? null : x.ts, where).toBe(y === null ? null : y.ts);
        // Same-instant ties of the same event pick by props in SQL, by file order in memory (documented).
        const tied = y !== null && c.events.filter((e) => e.name === y.name && e.ts === y.ts).length > 1;
        if (x && y && !tied) expect(x.props, where).toEqual(visible(f, y.props));
      } else expect(a, where).toStrictEqual(b);
    }
  }
}

describe("feature scenarios (hand-computed, both paths)", () => {
  const at = BASE;
  const ev = (name: string, dh: number, props: Record<string, Value> = {}): EventRecord => ({ name, ts: at + dh * HOUR, props });
  const order = (dh: number, amount: number | null, category = "shoes") => ev("order_placed", dh, amount === null ? { category } : { amount, category });
  const aggs: Record<string, Expr> = {
    n_all: B.agg("count", "order_placed"),
    n_7d: B.agg("count", "order_placed", { within: 7 * DAY }),
    sum_30d: B.agg("sum", "order_placed", { prop: "amount", within: 30 * DAY }),
    avg_all: B.agg("avg", "order_placed", { prop: "amount" }),
    min_all: B.agg("min", "order_placed", { prop: "amount" }),
    max_shoes: B.agg("max", "order_placed", { prop: "amount", where: B.bin("==", B.prop("order_placed", "category"), B.str("shoes")) }),
    last_order: B.agg("last", "order_placed"),
    first_view: B.agg("first", "page_viewed"),
    viewed_1d: B.exists("page_viewed", { within: DAY }),
    big_not: B.agg("count", "order_placed", { where: B.not(B.bin(">", B.prop("order_placed", "amount"), B.num(10))) }),
  };
  const ws = testWorkspace(aggs);
  const plan = featurePlan(ws);
  // Events exactly at now − 7d (outside) and at now (inside); one after now (never counted).
  const custs: Cust[] = [
    { id: "a", attrs: { score: 1, plan: "free" }, events: [order(-7 * 24, 100), order(-24, 20), order(0, 5, "hats"), order(1, 1000), ev("page_viewed", -24, { path: "/x" }), ev("page_viewed", -2, { path: "/y" })] },
    { id: "b", attrs: { score: 1, plan: "free" }, events: [order(-40 * 24, 50), order(-30 * 24, null), order(-3, null)] },
    { id: "c", attrs: { score: 1, plan: "pro" }, events: [] },
  ];
  const expected: Record<string, Record<string, Value>> = {
    a: { "count(order_placed)": 3, "count(order_placed within 7d)": 2, "sum(order_placed.amount within 30d)": 125, "avg(order_placed.amount)": 125 / 3, "min(order_placed.amount)": 5, "max(order_placed.amount where category == \"shoes\")": 100, "page_viewed within 1d": true, "count(order_placed where not amount > 10)": 1 },
    b: { "count(order_placed)": 3, "count(order_placed within 7d)": 1, "sum(order_placed.amount within 30d)": 0, "avg(order_placed.amount)": 50, "min(order_placed.amount)": 50, "max(order_placed.amount where category == \"shoes\")": 50, "page_viewed within 1d": false, "count(order_placed where not amount > 10)": 2 },
    c: { "count(order_placed)": 0, "count(order_placed within 7d)": 0, "sum(order_placed.amount within 30d)": 0, "avg(order_placed.amount)": null, "min(order_placed.amount)": null, "max(order_placed.amount where category == \"shoes\")": null, "page_viewed within 1d": false, "count(order_placed where not amount > 10)": 0 },
  };
  const lastTs: Record<string, number | null> = { a: at, b: at - 3 * HOUR, c: null };
  const firstView: Record<string, number | null> = { a: at - 24 * HOUR, b: null, c: null };

  it("the plan has every aggregate once, all precomputable", () => {
    expect(plan.scan.map((f) => f.key).sort()).toEqual([...Object.keys(expected.a!), "last(order_placed)", "first(page_viewed)", "page_viewed within 7d"].sort());
  });

  const check = (got: Record<string, Value>, id: string) => {
    for (const [k, v] of Object.entries(expected[id]!)) expect(got[k], `${id} ${k}`).toStrictEqual(v);
    expect((got["last(order_placed)"] as EventRecord | null)?.ts ?? null).toBe(lastTs[id]);
    expect((got["first(page_viewed)"] as EventRecord | null)?.ts ?? null).toBe(firstView[id]);
  };

  it("in memory", () => {
    const fn = memoryFeatures(plan, ws);
    for (const c of custs) check(fn(asRead(c).attrs, asRead(c).events, at), c.id);
    expect((fn({}, custs[0]!.events, at)["last(order_placed)"] as EventRecord).props).toEqual({ amount: 5, category: "hats" });
  });

  it.each<Format>(["csv", "varchar", "typed"])("in one DuckDB scan of files (%s)", async (format) => {
    const got = await viaDuckdb(ws, plan, custs, [0, 180, -330], at, format);
    for (const c of custs) check(got.get(c.id)!, c.id);
    expect((got.get("a")!["last(order_placed)"] as EventRecord).props).toEqual({ amount: 5, category: "hats" });
  });

  it("a first/last record carries the fields read from it, all its props when it is used whole", async () => {
    const fields = testWorkspace({
      recent: B.bin("<=", B.call("days_since", B.member(B.agg("last", "order_placed"), "ts")), B.num(30)),
      big: B.bin(">", B.member(B.agg("first", "order_placed"), "amount"), B.num(10)),
      seen: B.bin("!=", B.agg("last", "page_viewed"), B.nul()),
      // Reads `path`, so that records of page_viewed carry it (records carry the props some expression reads).
      y: B.exists("page_viewed", { where: B.bin("==", B.prop("page_viewed", "path"), B.str("/y")) }),
    });
    const p = featurePlan(fields);
    const byKey = Object.fromEntries(p.scan.map((f) => [f.key, f.fields]));
    expect(byKey["last(order_placed)"]).toEqual(["ts"]);
    expect(byKey["first(order_placed)"]).toEqual(["amount"]);
    expect(byKey["last(page_viewed)"]).toBeNull();
    for (const format of ["csv", "typed"] as const) {
      const got = (await viaDuckdb(fields, p, custs, [0], at, format)).get("a")!;
      expect((got["last(order_placed)"] as EventRecord).props, format).toEqual({});
      expect((got["first(order_placed)"] as EventRecord).props, format).toEqual({ amount: 100 });
      expect((got["last(page_viewed)"] as EventRecord).props, format).toEqual({ path: "/y" });
    }
    // The portable SQL carries the same columns: no prop of last(order_placed), first(order_placed).amount by ARRAY_AGG in PostgreSQL.
    const pg = compileSql(fields, { dialect: "postgres" });
    expect(pg).not.toContain('"last(order_placed).amount"');
    expect(pg).toContain('ARRAY_AGG(');
    expect(pg).toContain('AS "first(order_placed).amount"');
    expect(pg).not.toContain('"first(order_placed).category"');
  });

  it("sums are the same bits whatever order the file holds the rows in (and so whatever order DuckDB's threads add them)", async () => {
    const w = testWorkspace({
      s: B.bin(">", B.agg("sum", "order_placed", { prop: "amount" }), B.num(0)),
      a: B.bin(">", B.agg("avg", "order_placed", { prop: "amount", within: 30 * DAY }), B.num(0)),
    });
    const p = featurePlan(w);
    // Values whose double sum depends on the order: (0.1 + 0.2) + 0.3 ≠ 0.1 + (0.2 + 0.3).
    const amounts = [0.1, 0.2, 0.3, 1e-3, 7.77, 1 / 3, 1e6 + 0.1, -0.7, 2.5e-7];
    const events = amounts.map((x, i) => order(-i - 1, x));
    const orders = [events, [...events].reverse(), events.map((_, i) => events[(i * 4) % events.length]!)];
    const got: Value[][] = [];
    for (const format of ["csv", "typed"] as const) {
      for (const evs of orders) {
        const r = (await viaDuckdb(w, p, [{ id: "a", attrs: { score: 1, plan: "free" }, events: evs }], [0], at, format)).get("a")!;
        got.push([r["sum(order_placed.amount)"]!, r["avg(order_placed.amount within 30d)"]!]);
      }
    }
    for (const g of got) {
      expect(g[0]).toBe(got[0]![0]);
      expect(g[1]).toBe(got[0]![1]);
    }
    // Within the last bits of the in-memory sum, which adds in time order.
    const mem = memoryFeatures(p, w)({}, [...events].sort((x, y) => x.ts - y.ts), at);
    expect(Math.abs((got[0]![0] as number) - (mem["sum(order_placed.amount)"] as number))).toBeLessThan(1e-9);
  });

  it("keeps per-decision aggregates out of the scan, with the reason", () => {
    const w = testWorkspace({
      trig: B.agg("count", "page_viewed", { where: B.bin("==", B.prop("page_viewed", "product_id"), B.member(B.trig("back_in_stock"), "product_id")) }),
      nested: B.agg("count", "order_placed", { where: B.exists("page_viewed", { where: B.bin("==", B.prop("page_viewed", "path"), B.prop("order_placed", "category")) }) }),
    });
    const p = featurePlan(w);
    const why = Object.fromEntries(p.features.map((f) => [f.key, f.perDecision]));
    expect(why["count(page_viewed where product_id == back_in_stock.product_id)"]).toBe("reads the trigger event");
    expect(why["count(order_placed where page_viewed where path == category)"]).toBe("nests an aggregate");
  });
});

describe("DuckDB scan == in-memory features (fast-check)", () => {
  // With the strings where UTF-16 and code point order, or full and simple lowering, part (language/text.ts).
  const caseArb = featureCaseArb(["London", "Paris", "london", "", "😀", "Ａ", "ΣΑΣ", "σας", "İ", "ß", "E\u0301", "\uffff"]);

  it("agree on random aggregates, histories, offsets and window edges", async () => {
    let scanned = 0;
    await fc.assert(
      fc.asyncProperty(caseArb, async ({ now, aggs, custs, offsets, parquet }) => {
        const ws = testWorkspace(Object.fromEntries(aggs.map((a, i) => [`f${i}`, a])));
        const plan = featurePlan(ws);
        if (plan.scan.length === 0) return;
        scanned += plan.scan.length;
        const fn = memoryFeatures(plan, ws);
        const read = custs.map(asRead);
        const m = (c: Cust) => fn(c.attrs, c.events, now);
        expectSame(ws, plan, read, await viaDuckdb(ws, plan, custs, offsets, now, "csv"), m);
        expectSame(ws, plan, read, await viaDuckdb(ws, plan, custs, offsets, now, parquet), m);
      }),
      { numRuns: 120, seed: 20261124 },
    );
    expect(scanned).toBeGreaterThan(150);
  }, 120_000);
});
