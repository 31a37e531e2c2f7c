/**
 * Strings in PostgreSQL (`compile --target sql --dialect postgres`) and in
 * DuckDB: code point order and the simple lowercase mapping of each code
 * point (language/text.ts), whatever the column's collation — here ICU's
 * `und-x-icu`, which orders by language and lowers with final sigma. The
 * DuckDB part needs no server and always runs.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { DuckDBInstance } from "@duckdb/node-api";
import { compareText, lowerText } from "../../language/text.ts";
import { LOWER_FROM, LOWER_TO } from "../../language/text-table.ts";
import { duckdb, postgres } from "../../engine/features/dialect.ts";
import { compileSql, featurePlan, memoryFeatures } from "../../engine/features/index.ts";
import type { Expr } from "../../language/ast.ts";
import type { EventRecord, Value } from "../../language/values.ts";
import { B, BASE, HARD_STRINGS, HOUR, testWorkspace } from "../support/arbitraries.ts";
import { testDatabase } from "../support/pg.ts";

const db = await testDatabase("text");

/** Strings to lower: every code point the table maps and what it maps to, the hard ones, random text. */
const samples = (): string[] => [
  ...HARD_STRINGS, LOWER_FROM, LOWER_TO, "Hello ΣΑΣ İstanbul ẞ 😀 Ａ E\u0301",
  ...fc.sample(fc.string({ unit: "grapheme-composite", maxLength: 12 }), { numRuns: 200, seed: 16 }),
];

/** Aggregates whose `where` compares and lowers strings: the issue's `count(product_viewed where category < "Ａ")`. */
const AGGS: Record<string, Expr> = {
  lt: B.agg("count", "order_placed", { where: B.bin("<", B.prop("order_placed", "category"), B.str("Ａ")) }),
  ge: B.agg("count", "order_placed", { where: B.bin(">=", B.prop("order_placed", "category"), B.str("😀")) }),
  btw: B.agg("count", "order_placed", { where: B.between(B.prop("order_placed", "category"), B.str("Z"), B.str("\uffff")) }),
  vs: B.agg("count", "order_placed", { where: B.bin("<", B.prop("order_placed", "category"), B.attr("city")) }),
  low: B.agg("count", "order_placed", { where: B.bin("==", B.call("lower", B.prop("order_placed", "category")), B.str("σασ")) }),
  lowI: B.agg("count", "order_placed", { where: B.bin("==", B.call("lower", B.prop("order_placed", "category")), B.str("i")) }),
  lowLt: B.agg("count", "order_placed", { where: B.bin("<", B.call("lower", B.prop("order_placed", "category")), B.call("lower", B.attr("city"))) }),
};

/** One customer per pair of hard strings: its city is one, its single order's category the other. */
function customers(): { id: string; city: string; category: string }[] {
  const out: { id: string; city: string; category: string }[] = [];
  HARD_STRINGS.forEach((city, i) => HARD_STRINGS.forEach((category, j) => out.push({ id: `c${i}_${j}`, city, category })));
  return out;
}

describe("DuckDB (the scan's dialect)", () => {
  it("lower() is lowerText on every code point (chunks of all 1,112,062)", async () => {
    const con = await (await DuckDBInstance.create(":memory:")).connect();
    const all: number[] = [];
    for (let cp = 1; cp <= 0x10ffff; cp++) if (cp < 0xd800 || cp > 0xdfff) all.push(cp);
    const bad: string[] = [];
    for (let i = 0; i < all.length; i += 100_000) {
      const s = String.fromCodePoint(...all.slice(i, i + 100_000));
      const got = String((await con.runAndReadAll(`SELECT ${duckdb.lower("$1")}`, [s])).getRows()[0]![0]);
      if (got !== lowerText(s)) {
        const [g, w] = [[...got], [...lowerText(s)]];
        for (let k = 0; k < w.length && bad.length < 10; k++) if (g[k] !== w[k]) bad.push(`U+${w[k]!.codePointAt(0)!.toString(16)}: ${g[k]}`);
      }
    }
    expect(bad).toEqual([]);
    for (const s of samples()) expect(String((await con.runAndReadAll(`SELECT ${duckdb.lower("$1")}`, [s])).getRows()[0]![0])).toBe(lowerText(s));
  }, 60_000);

  it("orders the hard strings by code point", async () => {
    const con = await (await DuckDBInstance.create(":memory:")).connect();
    for (const a of HARD_STRINGS) for (const b of HARD_STRINGS) {
      const [lt, le] = (await con.runAndReadAll(`SELECT ${duckdb.text("$1")} < ${duckdb.text("$2")}, ${duckdb.text("$1")} <= ${duckdb.text("$2")}`, [a, b])).getRows()[0]!;
      expect([lt, le], `${JSON.stringify(a)} vs ${JSON.stringify(b)}`).toEqual([compareText(a, b) < 0, compareText(a, b) <= 0]);
    }
  });
});

describe.skipIf(!db)("PostgreSQL (--dialect postgres), columns under ICU's collation", () => {
  const icu = async () => (await db!.query(`SELECT 1 FROM pg_collation WHERE collname = 'und-x-icu'`)).rowCount === 1;

  it("lower() and the order of strings are code points whatever the collation", async () => {
    const coll = (await icu()) ? ` COLLATE "und-x-icu"` : "";
    await db!.query(`CREATE TABLE t (i int, s text${coll})`);
    const xs = samples();
    await db!.query(`INSERT INTO t SELECT * FROM unnest($1::int[], $2::text[])`, [xs.map((_, i) => i), xs]);
    const low = (await db!.query(`SELECT i, ${postgres.lower("s")} AS l, LOWER(s) AS plain FROM t ORDER BY i`)).rows;
    for (const r of low) expect(r.l, JSON.stringify(xs[r.i])).toBe(lowerText(xs[r.i]!));
    const hard = HARD_STRINGS.map((s) => xs.indexOf(s));
    const cmp = (await db!.query(`SELECT a.i AS a, b.i AS b, ${postgres.text("a.s")} < ${postgres.text("b.s")} AS lt, a.s < b.s AS plain FROM t a, t b WHERE a.i = ANY($1) AND b.i = ANY($1)`, [hard])).rows;
    for (const r of cmp) expect(r.lt, `${JSON.stringify(xs[r.a])} < ${JSON.stringify(xs[r.b])}`).toBe(compareText(xs[r.a]!, xs[r.b]!) < 0);
    if (coll) {
      // Without the dialect's care, ICU would answer otherwise: the test would catch a plain LOWER or a plain <.
      expect(low.find((r) => xs[r.i] === "ΣΑΣ")!.plain).toBe("σας");
      expect(cmp.some((r) => r.plain !== r.lt)).toBe(true);
    }
  });

  it("the compiled scan gives the in-memory features, customer by customer", async () => {
    const coll = (await icu()) ? ` COLLATE "und-x-icu"` : "";
    const ws = testWorkspace(AGGS);
    const plan = featurePlan(ws);
    const now = BASE;
    const cs = customers();
    await db!.query(`CREATE TABLE customers (customer_id text, age double precision, score double precision, city text${coll}, plan text${coll}, consent_email boolean, signup timestamptz, birthday date)`);
    await db!.query(`CREATE TABLE events (customer_id text, event text, ts timestamptz, amount double precision, category text${coll}, path text${coll}, product_id text)`);
    await db!.query(`INSERT INTO customers (customer_id, city, plan, score) SELECT id, city, 'free', 1 FROM unnest($1::text[], $2::text[]) AS x(id, city)`, [cs.map((c) => c.id), cs.map((c) => c.city)]);
    const ts = new Date(now - HOUR).toISOString();
    await db!.query(`INSERT INTO events (customer_id, event, ts, category) SELECT id, 'order_placed', $3::timestamptz, cat FROM unnest($1::text[], $2::text[]) AS x(id, cat)`, [cs.map((c) => c.id), cs.map((c) => c.category), ts]);
    const sql = compileSql(ws, { dialect: "postgres", now });
    const rows = new Map((await db!.query(sql)).rows.map((r) => [r.customer_id as string, r as Record<string, unknown>]));
    const mem = memoryFeatures(plan, ws);
    const keys = plan.scan.map((f) => f.key).filter((k) => k.includes("category"));
    expect(keys.length).toBe(Object.keys(AGGS).length);
    let nonzero = 0;
    for (const c of cs) {
      // A database's '' is a string like any other (only data files read an empty cell as null).
      const events: EventRecord[] = [{ name: "order_placed", ts: now - HOUR, props: { category: c.category } }];
      const m = mem({ customer_id: c.id, score: 1, plan: "free", city: c.city }, events, now);
      const got = rows.get(c.id)!;
      for (const k of keys) {
        const want = m[k] as Value;
        nonzero += want === 0 ? 0 : 1;
        expect(Number(got[k]), `${c.id} (city ${JSON.stringify(c.city)}, category ${JSON.stringify(c.category)}) ${k}`).toBe(want);
      }
    }
    expect(nonzero).toBeGreaterThan(50);
  });
});
