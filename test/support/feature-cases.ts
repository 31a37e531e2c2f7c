/**
 * Shared by the feature-scan tests (test/engine/features*.test.ts): customers
 * with histories written as data files and scanned by DuckDB (`viaDuckdb`, the
 * commands' path), the in-memory input they stand for (`asRead`), and the
 * fast-check cases of random aggregates, histories on window edges, offsets
 * and clocks (`featureCaseArb`).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect } from "vitest";
import fc from "fast-check";
import type { AggFn, Expr, Workspace } from "../../language/ast.ts";
import type { EventRecord, Value } from "../../language/values.ts";
import { scanFeatures, type FeaturePlan } from "../../engine/features/index.ts";
import { openReader, readCustomers, type BadRow, type RowCounts } from "../../engine/runtime/read.ts";
import { B, BASE, DAY, HOUR, exprArb, fileAttrsArb } from "./arbitraries.ts";

const tmp = mkdtempSync(join(tmpdir(), "pb-features-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

export interface Cust {
  id: string;
  attrs: Record<string, Value>;
  events: EventRecord[];
}

export const ATTRS = ["age", "score", "city", "plan", "consent_email", "signup", "birthday"];
export const PROPS = ["amount", "category", "path", "product_id"];

/** An instant as ISO 8601 with the given UTC offset in minutes (the same instant, written differently). */
export function iso(ms: number, offsetMin: number): string {
  if (offsetMin === 0) return new Date(ms).toISOString();
  const local = new Date(ms + offsetMin * 60_000).toISOString().slice(0, 23);
  const sign = offsetMin < 0 ? "-" : "+";
  const a = Math.abs(offsetMin);
  return `${local}${sign}${String(Math.floor(a / 60)).padStart(2, "0")}:${String(a % 60).padStart(2, "0")}`;
}

const cell = (v: Value | undefined, type?: string): string => {
  if (v === null || v === undefined) return "";
  if (type === "datetime") return new Date(v as number).toISOString();
  if (type === "date") return new Date(v as number).toISOString().slice(0, 10);
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

let runNo = 0;
/**
 * How the files are written: CSV (features and checks in one pass), or Parquet — converted from the
 * CSV with every column text (`varchar`: times and numbers parsed and checked per row) or with the
 * types DuckDB infers (`typed`) — where the scan reads the feature rows and checks every row apart.
 */
export type Format = "csv" | "varchar" | "typed";

/** Writes the customers and events as files, runs the DuckDB scan and returns features by customer id. */
export async function viaDuckdb(ws: Workspace, plan: FeaturePlan, custs: Cust[], offsets: number[], now: number, format: Format = "csv"): Promise<Map<string, Record<string, Value>>> {
  const dir = join(tmp, `r${runNo++}`);
  mkdirSync(dir);
  const types = Object.fromEntries([...ws.schema.customer].map(([k, d]) => [k, d.type.base]));
  writeFileSync(join(dir, "customers.csv"), ["customer_id," + ATTRS.join(","), ...custs.map((c) => [c.id, ...ATTRS.map((a) => cell(c.attrs[a], types[a]))].join(","))].join("\n") + "\n");
  const rows = ["customer_id,event,ts," + PROPS.join(",")];
  let k = 0;
  for (const c of custs) for (const e of c.events) rows.push([c.id, e.name, iso(e.ts, offsets[k++ % offsets.length]!), ...PROPS.map((p) => cell(e.props[p]))].join(","));
  writeFileSync(join(dir, "events.csv"), rows.join("\n") + "\n");
  const { con, close, connect } = await openReader();
  try {
    let events = join(dir, "events.csv");
    if (format !== "csv") {
      events = join(dir, "events.parquet");
      await con.run(`COPY (SELECT * FROM read_csv('${join(dir, "events.csv")}', header = true${format === "varchar" ? ", all_varchar = true" : ""})) TO '${events}' (FORMAT parquet)`);
    }
    const bad: BadRow[] = [];
    const counts: RowCounts = { customers: { read: 0, used: 0, rejected: 0 }, events: { read: 0, used: 0, rejected: 0 } };
    const customers = await readCustomers(con, ws, join(dir, "customers.csv"), bad, counts);
    const table = await scanFeatures(con, ws, plan, events, now, ws.rfm ?? null, customers.size, bad, counts, runNo % 2 ? { connect } : {});
    await table.checked;
    expect(bad).toEqual([]);
    expect(counts.events).toEqual({ read: rows.length - 1, used: rows.length - 1, rejected: 0 });
    const out = new Map<string, Record<string, Value>>();
    [...customers.keys()].forEach((id, i) => {
      const rec: Record<string, Value> = {};
      table.fill(table.slotOf[i]!, rec);
      out.set(id, rec);
    });
    return out;
  } finally {
    close();
  }
}

/** Empty strings are null in data files (contract.md): the in-memory input says so too. */
export function asRead(c: Cust): Cust {
  const clean = (o: Record<string, Value>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== ""));
  return { id: c.id, attrs: { customer_id: c.id, ...clean(c.attrs) }, events: c.events.map((e) => ({ ...e, props: clean(e.props) })) };
}

/** Random cases: a clock (on and around whole hours), 1–6 aggregates, 1–4 customers whose strings come from `CITIES`, UTC offsets, a Parquet flavour. */
export function featureCaseArb(CITIES: readonly string[]) {
  const within = fc.option(fc.constantFrom(HOUR, DAY, 7 * DAY, 30 * DAY), { nil: undefined });
  const whereOf = (ev: string) => fc.option(exprArb("bool", 2, [ev]), { nil: undefined, freq: 2 });
  const aggArb: fc.Arbitrary<Expr> = fc.oneof(
    fc.tuple(fc.constantFrom("order_placed", "page_viewed"), within).chain(([ev, d]) => whereOf(ev).map((w) => B.agg("count", ev, { where: w, within: d }))),
    fc.tuple(fc.constantFrom<AggFn>("sum", "avg", "min", "max"), within).chain(([fn, d]) => whereOf("order_placed").map((w) => B.agg(fn, "order_placed", { prop: "amount", where: w, within: d }))),
    fc.tuple(fc.constantFrom<AggFn>("first", "last"), fc.constantFrom("order_placed", "page_viewed"), within).chain(([fn, ev, d]) => whereOf(ev).map((w) => B.agg(fn, ev, { where: w, within: d }))),
    // A field read from a first/last record: the scan then carries that field alone.
    fc.tuple(fc.constantFrom<AggFn>("first", "last"), fc.constantFrom("order_placed", "page_viewed"), fc.constantFrom("ts", "amount", "category", "path"), within)
      .chain(([fn, ev, field, d]) => whereOf(ev).map((w) => B.member(B.agg(fn, ev, { where: w, within: d }), field))),
    fc.tuple(fc.constantFrom("order_placed", "page_viewed"), within).chain(([ev, d]) => whereOf(ev).map((w) => B.exists(ev, { where: w, within: d }))),
  );
  const evArb = (now: number) =>
    fc.tuple(
      fc.constantFrom("order_placed", "page_viewed", "back_in_stock"),
      // Window edges: exactly now − D for every D the generator uses, now itself, just inside/outside, after now.
      fc.oneof(
        fc.constantFrom(0, HOUR, DAY, 7 * DAY, 30 * DAY).chain((d) => fc.constantFrom(now - d, now - d + 1, now - d - 1)),
        fc.integer({ min: -40 * 24, max: 24 }).map((h) => BASE + h * HOUR),
      ),
      fc.option(fc.constantFrom(0, 5, 20.5, 150, -3, 0.1), { nil: null }),
      fc.option(fc.constantFrom(...CITIES), { nil: null }),
    ).map(([name, ts, n, s]): EventRecord => {
      const props: Record<string, Value> = {};
      if (name === "order_placed") Object.assign(props, { amount: n, category: s });
      else if (name === "page_viewed") Object.assign(props, { path: s, product_id: n === null ? null : `p${n}` });
      else props.product_id = "p1";
      return { name, ts, props };
    });
  const custArb = (now: number, i: number) =>
    fc.tuple(fileAttrsArb(CITIES), fc.array(evArb(now), { maxLength: 12 }))
      .map(([attrs, events]): Cust => ({ id: `c${i}`, attrs, events: events.sort((a, b) => a.ts - b.ts) }));
  return fc
    .tuple(fc.tuple(fc.integer({ min: -48, max: 24 }), fc.constantFrom(0, 0, 1, -1)).map(([h, ms]) => BASE + h * HOUR + ms), fc.array(aggArb, { minLength: 1, maxLength: 6 }))
    .chain(([now, aggs]) =>
      fc.record({
        now: fc.constant(now),
        aggs: fc.constant(aggs),
        custs: fc.integer({ min: 1, max: 4 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => custArb(now, i)))),
        offsets: fc.array(fc.constantFrom(0, 180, -300, 330, -600, 840), { minLength: 1, maxLength: 4 }),
        parquet: fc.constantFrom<Format>("varchar", "typed"),
      }),
    );
}
