/**
 * `computeSegments` — customers and events read by DuckDB, every aggregate
 * from the feature scan, RFM fitted on everyone, segments evaluated by the
 * compiled closures over the scanned features — equals `segmentsOf`, the
 * in-memory path that evaluates each customer's segments over their own
 * events, on random segment conditions (aggregates, first/last fields, RFM
 * scores, attributes, other segments, bare event names, the language's
 * nulls), random customers and histories, RFM sections, CSV and Parquet:
 * sizes, members and the R×F grid.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import type { Expr, RfmConfig, Workspace } from "../../language/ast.ts";
import type { EventRecord, Value } from "../../language/values.ts";
import { computeSegments, segmentsOf } from "../../engine/segments.ts";
import { rfmScorer } from "../../engine/rfm.ts";
import { featurePlan } from "../../engine/features/index.ts";
import { openReader } from "../../engine/runtime/read.ts";
import { B, BASE, DAY, HOUR, S, exprArb, fileAttrsArb, testWorkspace } from "../support/arbitraries.ts";

const tmp = mkdtempSync(join(tmpdir(), "pb-segsql-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const ATTRS = ["age", "score", "city", "plan", "consent_email", "signup", "birthday"] as const;
const PROPS = ["amount", "category", "path", "product_id"] as const;
const CITIES = ["London", "Paris", "Berlin", "london", ""];

interface Cust {
  id: string;
  attrs: Record<string, Value>;
  events: EventRecord[];
}

const cell = (v: Value | undefined, type?: string): string => {
  if (v === null || v === undefined) return "";
  if (type === "datetime") return new Date(v as number).toISOString();
  if (type === "date") return new Date(v as number).toISOString().slice(0, 10);
  return String(v);
};

/** Amounts add up exactly in any order (halves), so the grid's revenue is the same on both paths to the bit. */
const eventArb = fc
  .tuple(fc.constantFrom("order_placed", "order_placed", "page_viewed", "back_in_stock"), fc.integer({ min: -45 * 24, max: 12 }), fc.option(fc.constantFrom(0, 5, 20.5, 150, -3), { nil: null }), fc.option(fc.constantFrom(...CITIES), { nil: null }))
  .map(([name, h, n, s]): EventRecord => {
    const props: Record<string, Value> = {};
    if (name === "order_placed") Object.assign(props, { amount: n, category: s });
    else if (name === "page_viewed") Object.assign(props, { path: s, product_id: n === null ? null : `p${n}` });
    else props.product_id = "p1";
    return { name, ts: BASE + h * HOUR, props };
  });

const custArb = (i: number) =>
  fc.tuple(fileAttrsArb(CITIES), fc.array(eventArb, { maxLength: 8 })).map(([attrs, events]): Cust => ({ id: `c${String(i).padStart(2, "0")}`, attrs, events }));

const rfmArb: fc.Arbitrary<RfmConfig | null> = fc.option(
  fc.record({ scores: fc.constantFrom(3, 5), explicit: fc.boolean() }).map(({ scores, explicit }) => ({
    span: S, event: "order_placed", value: "amount", window: 30 * DAY, scores,
    ...(explicit ? { recency: Array.from({ length: scores - 1 }, (_, k) => (k + 1) * 5 * DAY), frequency: Array.from({ length: scores - 1 }, (_, k) => k + 2) } : {}),
  })),
  { nil: null, freq: 4 },
);

let run = 0;
async function files(ws: Workspace, custs: Cust[], parquet: boolean): Promise<{ customers: string; events: string }> {
  const dir = join(tmp, `r${run++}`);
  mkdirSync(dir);
  const types = Object.fromEntries([...ws.schema.customer].map(([k, d]) => [k, d.type.base]));
  writeFileSync(join(dir, "customers.csv"), ["customer_id," + ATTRS.join(","), ...custs.map((c) => [c.id, ...ATTRS.map((a) => cell(c.attrs[a], types[a]))].join(","))].join("\n") + "\n");
  const rows = ["customer_id,event,ts," + PROPS.join(",")];
  for (const c of custs) for (const e of c.events) rows.push([c.id, e.name, new Date(e.ts).toISOString(), ...PROPS.map((p) => cell(e.props[p]))].join(","));
  writeFileSync(join(dir, "events.csv"), rows.join("\n") + "\n");
  if (!parquet) return { customers: join(dir, "customers.csv"), events: join(dir, "events.csv") };
  const { con, close } = await openReader();
  try {
    for (const f of ["customers", "events"]) await con.run(`COPY (SELECT * FROM read_csv('${join(dir, f)}.csv', header = true, all_varchar = true)) TO '${join(dir, f)}.parquet' (FORMAT parquet)`);
  } finally {
    close();
  }
  return { customers: join(dir, "customers.parquet"), events: join(dir, "events.parquet") };
}

/** Empty strings are null in data files (contract.md): the in-memory input says so too. */
function asRead(c: Cust): Cust {
  const clean = (o: Record<string, Value>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== ""));
  return { id: c.id, attrs: { customer_id: c.id, ...clean(c.attrs) }, events: [...c.events].sort((a, b) => a.ts - b.ts).map((e) => ({ ...e, props: clean(e.props) })) };
}

/** Sizes, members and the grid computed customer by customer in memory (`segmentsOf`, `rfmScorer`). */
function inMemory(ws: Workspace, custs: Cust[], now: number) {
  const read = custs.map(asRead);
  const score = ws.rfm ? rfmScorer(ws.rfm, read.map((c) => c.events), now) : null;
  const sizes = new Map([...ws.segments.keys()].map((k) => [k, 0]));
  const members: [string, string[]][] = [];
  const cells = new Map<string, { customers: number; revenue: number }>();
  let unscored = 0;
  for (const c of read) {
    const rfm = score ? score(c.id, c.events, now) : null;
    const segs = segmentsOf(c.attrs, c.events, now, ws, rfm);
    for (const s of segs) sizes.set(s, sizes.get(s)! + 1);
    if (segs.length) members.push([c.id, segs]);
    if (!ws.rfm) continue;
    if (!rfm) unscored++;
    else {
      const k = `${rfm.r}/${rfm.f}`;
      const cell = cells.get(k) ?? { customers: 0, revenue: 0 };
      cell.customers++;
      cell.revenue += c.events.filter((e) => e.name === "order_placed" && e.ts <= now && e.ts > now - ws.rfm!.window).reduce((a, e) => a + ((e.props.amount as number) ?? 0), 0);
      cells.set(k, cell);
    }
  }
  const grid = ws.rfm ? { unscored, cells: [...cells].map(([k, v]) => [k, v]).sort() } : null;
  return { sizes: [...sizes].map(([name, customers]) => ({ name, customers })), members: members.sort((a, b) => (a[0] < b[0] ? -1 : 1)), grid };
}

describe("computeSegments == segments in memory, customer by customer (fast-check)", () => {
  it("agree on random conditions, customers, histories and RFM sections, CSV and Parquet", async () => {
    let scanned = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(exprArb("bool", 2), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 12 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => custArb(i)))),
        rfmArb,
        fc.boolean(),
        fc.tuple(fc.integer({ min: -24, max: 24 }), fc.constantFrom(0, 1, -1)).map(([h, ms]) => BASE + h * HOUR + ms),
        async (exprs: Expr[], custs: Cust[], rfm, parquet, now) => {
          const ws = testWorkspace(Object.fromEntries(exprs.map((e, i) => [`g${i}`, e])));
          if (rfm) ws.rfm = rfm;
          // The feature-scan path when every aggregate is precomputable (else events are streamed).
          if (featurePlan(ws, { segmentsOnly: true }).features.every((x) => x.perDecision === null)) scanned++;
          const f = await files(ws, custs, parquet);
          const r = await computeSegments({ workspace: ws, customersFile: f.customers, eventsFile: f.events, now, members: true });
          const m = inMemory(ws, custs, now);
          expect(r.segments).toEqual(m.sizes);
          expect([...r.members]).toEqual(m.members);
          const grid = r.grid ? { unscored: r.grid.unscored, cells: r.grid.cells.filter((c) => c.customers).map((c) => [`${c.r}/${c.f}`, { customers: c.customers, revenue: c.revenue }]).sort() } : null;
          expect(grid).toEqual(m.grid);
        },
      ),
      { numRuns: 100, seed: 20261202 },
    );
    expect(scanned).toBeGreaterThan(50);
  }, 180_000);

  it("a bare event name (\"has happened\") counts on the feature-scan path", async () => {
    const ws = testWorkspace({ bought: B.evt("order_placed"), viewed_not_bought: B.bin("and", B.evt("page_viewed"), B.not(B.evt("order_placed"))) });
    const ev = (name: string, h: number): EventRecord => ({ name, ts: BASE + h * HOUR, props: name === "order_placed" ? { amount: 5 } : {} });
    const custs: Cust[] = [
      { id: "a", attrs: { score: 0, plan: "free" }, events: [ev("order_placed", -3)] },
      { id: "b", attrs: { score: 0, plan: "free" }, events: [ev("page_viewed", -2), ev("order_placed", 1)] },
      { id: "c", attrs: { score: 0, plan: "free" }, events: [] },
    ];
    const f = await files(ws, custs, false);
    const r = await computeSegments({ workspace: ws, customersFile: f.customers, eventsFile: f.events, now: BASE });
    // b's order comes after now: b viewed and has not bought yet.
    expect(Object.fromEntries(r.segments.map((x) => [x.name, x.customers]))).toMatchObject({ bought: 1, viewed_not_bought: 1 });
  });
});
