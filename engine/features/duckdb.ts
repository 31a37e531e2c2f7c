/**
 * The feature scan run in DuckDB over an events file: one `GROUP BY
 * customer` computing every precomputable feature, the RFM inputs and the row
 * counts (read, rejected) in a single read of the file. Bad rows are listed
 * (a second read, with row numbers) only when the scan found some.
 *
 * The result is columnar: one JS array per column, one slot per customer with
 * events; `fill` copies a customer's features into a reusable record, so
 * evaluating a million customers allocates nothing per customer.
 */
import type { DuckDBConnection } from "@duckdb/node-api";
import type { RfmConfig, Workspace } from "../../language/ast.ts";
import type { Value } from "../../language/values.ts";
import { fitRfmBoundsBy, type RfmBounds, type RfmInput } from "../rfm.ts";
import { defineEvents, defineFeatureRows, isColumnar, listBadEvents, prepareCount, propBelongs, skippedRows, type BadRow, type RowCounts } from "../runtime/read.ts";
import { Column } from "../runtime/columns.ts";
import { duckdb } from "./dialect.ts";
import { recordProps, whereProps, type Feature, type FeaturePlan } from "./plan.ts";
import { scanQuery, type ScanColumn, type ScanSource } from "./sql.ts";

/** Features of every customer with events, columnar. */
export interface FeatureTable {
  /** Customer index (`ci`: position in the customers file, bad rows left out) per slot; -1 for unknown customers. */
  customer: Int32Array;
  /** Slot of a customer index, or -1 when the customer has no events. */
  slotOf: Int32Array;
  columns: ScanColumn[];
  data: Column[];
  /**
   * Writes slot `i`'s features (or the no-event defaults when i < 0) into `into`, keyed by feature key.
   * With `reuse`, first/last records are one object per feature rewritten on each call (for a caller
   * that keeps no value past the next call).
   */
  fill(i: number, into: Record<string, Value>, reuse?: boolean): void;
  /** Settles when the row counts (`counts.events`) and bad rows are in: the check of every row may still run after the features are there. */
  checked: Promise<void>;
  /** RFM input of slot `i` (n = 0 when i < 0 or no goal event). */
  rfm(i: number): RfmInput;
  /** The same, written into `into` (no allocation). */
  rfmInto(i: number, into: RfmInput): void;
}

const q = (s: string) => duckdb.ident(s);

/** The scan source over the `__ev` view of `read.ts`. */
function viewSource(ws: Workspace, names: string[], props: string[]): ScanSource {
  const codes = new Map(names.map((n, i) => [n, i]));
  return {
    from: "__ev",
    customer: "ci",
    t: "t",
    isEvent: (name) => `ev = ${codes.get(name) ?? -1}`,
    prop: (p) => (props.includes(p) ? q(`p_${p}`) : "NULL"),
    attr: (a) => q(`a_${a}`),
    propsOf: (event) => props.filter((p) => propBelongs(ws, event, p)),
    valid: "ok",
  };
}

/** RFM bounds fitted on every customer (by index) of a scan; without a table, nobody has a goal event. */
export function fitRfmOnTable(cfg: RfmConfig, table: FeatureTable | null, customers: number, now: number): RfmBounds {
  return fitRfmBoundsBy(cfg, customers, (i, x) => (table ? table.rfmInto(table.slotOf[i]!, x) : ((x.n = 0), (x.sum = 0), (x.last = -Infinity))), now);
}

/** The value of a feature for a customer without any event. */
function emptyValue(fn: string): Value {
  return fn === "count" || fn === "sum" ? 0 : fn === "exists" ? false : null;
}

/** The scan as one query: first column the customer index (NULL for an unknown customer in a text file), then `columns`, then for a text file the group's rows and bad rows. */
interface FeatureQuery {
  sql: string;
  columns: ScanColumn[];
  /** A text file's query counts rows too (`__n`, `__bad` after the columns); a columnar file is checked apart. */
  counted: boolean;
}

/**
 * The feature query over the events file (defines `__ev`; drop it after). A columnar file gives the
 * rows of the events the features read (the name filter pushed into the file's scan); a text file is
 * parsed once, features and row counts in the same pass.
 */
async function featureQuery(
  con: DuckDBConnection, ws: Workspace, plan: FeaturePlan, features: Feature[], eventsPath: string, now: number, rfm: RfmConfig | null,
  nowOf: ((f: { event: string }) => string) | undefined, partial: boolean,
): Promise<FeatureQuery> {
  // Without attributes in any where, aggregate by the raw id first and join the customers after:
  // a join of groups, not of every event row.
  const late = plan.attributes.length === 0;
  const columnar = isColumnar(eventsPath);
  let v;
  if (columnar) {
    const events = new Set(features.map((f) => f.event));
    if (rfm?.event) events.add(rfm.event);
    v = await defineFeatureRows(con, ws, eventsPath, { events: [...events], select: propsRead(ws, features, rfm), attrs: plan.attributes, join: !late });
  } else {
    // Props the features read (first/last records carry every prop some expression reads).
    const want = new Set<string>();
    for (const f of plan.scan) if (f.prop) want.add(f.prop);
    if (rfm?.value) want.add(rfm.value);
    v = await defineEvents(con, ws, eventsPath, { rowNumbers: false, attrs: plan.attributes, extraProps: want, join: !late });
  }
  const src = { ...viewSource(ws, v.names, v.props), ...(columnar ? { valid: null } : {}), ...(late ? { customer: "cid" } : {}) };
  const extra = columnar ? [] : ["count(*) AS __n", "count(*) FILTER (WHERE NOT ok) AS __bad"];
  const { sql: grouped, columns } = scanQuery({ ...plan, scan: features }, duckdb, src, duckdb.number(now), rfm, undefined, extra, { partial, nowOf });
  const outer = [...outerColumns(columns), ...(columnar ? [] : ["CAST(g.__n AS DOUBLE)", "CAST(g.__bad AS DOUBLE)"])];
  // A columnar file's unknown customers are groups that fall out (the check counts their rows);
  // a text file's are kept, with a NULL index, to be counted as rejected.
  // (`outer` is empty for a columnar file when there is nothing to compute: no aggregate, no RFM.)
  const sql = late
    ? `SELECT ${["c.__ci", ...outer].join(", ")} FROM (${grouped}) g
       ${columnar ? "" : "LEFT "}JOIN (SELECT customer_id, CAST(rowid AS INTEGER) AS __ci FROM __cust) c ON g.customer_id = c.customer_id`
    : `SELECT ${["g.customer_id", ...outer].join(", ")} FROM (${grouped}) g`;
  return { sql, columns, counted: !columnar };
}

/**
 * The check of a columnar file's every row (`prepareCount`) into `counts` and `bad`: prepared on its
 * own connection (`connect`) while the features are computed, then started when `start()` is called
 * — so that it is running in DuckDB when the caller's JS takes the main thread (started together
 * with the features, the two queries share DuckDB's threads and the features come later).
 */
function columnarCheck(con: DuckDBConnection, ws: Workspace, eventsPath: string, bad: BadRow[], counts: RowCounts, connect?: () => Promise<DuckDBConnection>): { start(): Promise<void> } {
  const other = connect?.();
  const prepared = other ? other.then(async (c) => [c, await prepareCount(c, ws, eventsPath)] as const) : null;
  prepared?.catch(() => undefined);
  return {
    async start() {
      const [c, count] = prepared ? await prepared : [con, await prepareCount(con, ws, eventsPath)];
      const checked = count().then(async ({ read, rejected }) => {
        setEventCounts(counts, read, rejected);
        if (rejected > 0) await listBad(c, ws, eventsPath, bad);
      });
      checked.catch(() => undefined);
      return checked;
    },
  };
}

/** The events' row counts from the rows read and rejected. */
function setEventCounts(counts: RowCounts, read: number, rejected: number): void {
  counts.events.read = read;
  counts.events.rejected = rejected;
  counts.events.used = read - rejected;
}

/**
 * Scans the events file once at `now`: features of `plan.scan`, the RFM
 * inputs of `rfm`, and the row counts into `counts.events`; bad rows into
 * `bad`. Needs `__cust` (loadCustomers); `customers` is their number.
 * With `connect`, a columnar file's check of every row runs on a connection
 * of its own and may still run when this returns (`checked`); the features
 * never depend on it, since they leave out bad rows themselves.
 */
export async function scanFeatures(
  con: DuckDBConnection, ws: Workspace, plan: FeaturePlan, eventsPath: string, now: number, rfm: RfmConfig | null,
  customers: number, bad: BadRow[], counts: RowCounts,
  o: { partialAt?: Map<string, number>; connect?: () => Promise<DuckDBConnection>; unchecked?: boolean } = {},
): Promise<FeatureTable> {
  // With `partialAt` (event name → cutoff), the all-time features are computed as partial states
  // up to their event's cutoff (EvalEnv.base) and windowed ones are left to the events shipped later.
  const partial = o.partialAt;
  const features = partial ? plan.scan.filter((f) => f.within === null) : plan.scan;
  const nowOf = partial ? (f: { event: string }) => duckdb.number(partial.get(f.event) ?? -Infinity) : undefined;
  // `unchecked`: a further scan of a file whose every row a first scan checked (RFM snapshots):
  // a columnar file is not read a second time for the check, nor a text file's bad rows listed.
  const check = !o.unchecked && isColumnar(eventsPath) ? columnarCheck(con, ws, eventsPath, bad, counts, o.connect) : null;
  const { sql, columns, counted } = await featureQuery(con, ws, plan, features, eventsPath, now, rfm, nowOf, !!partial);
  const res = await con.stream(sql);
  const ciCol = new Column();
  const nCol = new Column();
  const badCol = new Column();
  const data = columns.map(() => new Column());
  const nCols = columns.length;
  for (let chunk = await res.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await res.fetchChunk()) {
    const rows = chunk.rowCount;
    ciCol.append(chunk.getColumnVector(0), rows);
    for (let k = 0; k < nCols; k++) data[k]!.append(chunk.getColumnVector(k + 1), rows);
    if (counted) {
      nCol.append(chunk.getColumnVector(nCols + 1), rows);
      badCol.append(chunk.getColumnVector(nCols + 2), rows);
    }
  }
  await con.run("DROP VIEW __ev");
  let read = 0;
  let rejected = 0;
  const slotOf = new Int32Array(customers).fill(-1);
  const customer = new Int32Array(ciCol.length);
  for (let i = 0; i < ciCol.length; i++) {
    const ci = ciCol.get(i) as number | null;
    if (counted) {
      const n = nCol.get(i) as number;
      read += n;
      rejected += ci === null ? n : (badCol.get(i) as number);
    }
    customer[i] = ci ?? -1;
    if (ci !== null) slotOf[ci] = i;
  }
  let checked: Promise<void>;
  if (check) checked = check.start();
  else if (o.unchecked) checked = Promise.resolve();
  else {
    // A text file's counts come from its feature query's groups (a group without a customer: all its rows are bad),
    // and the rows DuckDB skipped as unreadable (CSV), which no group holds.
    const skipped = await skippedRows(con, eventsPath);
    setEventCounts(counts, read + skipped, rejected + skipped);
    checked = rejected + skipped > 0 ? listBad(con, ws, eventsPath, bad) : Promise.resolve();
    await checked;
  }
  return { ...table(customer, slotOf, columns, data), checked };
}

/** The scan's columns as read into JS from the grouped query `g`: counts as doubles (BIGINT cells would each become a BigInt). */
function outerColumns(columns: ScanColumn[]): string[] {
  return columns.map((c) => (c.feature?.fn === "count" && c.part === "value") || c.part === "rfm_n" || c.part === "avg_n" ? `CAST(g.${q(c.name)} AS DOUBLE)` : `g.${q(c.name)}`);
}

/** Lists the bad rows of the events file (a second read, with row numbers). */
async function listBad(con: DuckDBConnection, ws: Workspace, eventsPath: string, bad: BadRow[]): Promise<void> {
  const w = await defineEvents(con, ws, eventsPath, { rowNumbers: true });
  await listBadEvents(con, w, bad);
  await con.run("DROP VIEW __ev");
}

/** The props the scan of `features` (and RFM's value) reads: aggregated, in a `where`, carried by a first/last record. */
function propsRead(ws: Workspace, features: readonly Feature[], rfm: RfmConfig | null): Set<string> {
  const out = new Set<string>();
  if (rfm?.value) out.add(rfm.value);
  for (const f of features) {
    if (f.prop) out.add(f.prop);
    whereProps(f.where, out);
    if (f.fn === "first" || f.fn === "last") {
      const def = ws.schema.events.get(f.event);
      for (const p of recordProps(f, def ? [...def.props.keys()] : [])) out.add(p);
    }
  }
  return out;
}

/** A feature table over result columns (`data[k]` holds `columns[k]`, one slot per customer with events). */
export function table(customer: Int32Array, slotOf: Int32Array, columns: ScanColumn[], data: Column[]): Omit<FeatureTable, "checked"> {
  const rfmInto = rfmReader(columns, data);
  return { customer, slotOf, columns, data, fill: filler(columns, data), rfmInto, rfm: (i) => { const x = { n: 0, sum: 0, last: -Infinity }; rfmInto(i, x); return x; } };
}

/** Builds `fill` for a columnar result: feature values, first/last as event records. */
function filler(columns: ScanColumn[], data: Column[]): FeatureTable["fill"] {
  type Group = { key: string; fn: string; event: string; value?: number; ts?: number; avgN?: number; avgSum?: number; props: [string, number][] };
  const groups = new Map<string, Group>();
  columns.forEach((c, k) => {
    if (!c.feature) return;
    let g = groups.get(c.feature.key);
    if (!g) groups.set(c.feature.key, (g = { key: c.feature.key, fn: c.feature.fn, event: c.feature.event, props: [] }));
    if (c.part === "value") g.value = k;
    else if (c.part === "avg_n") g.avgN = k;
    else if (c.part === "avg_sum") g.avgSum = k;
    else if (c.part === "ts") g.ts = k;
    else if (typeof c.part === "object") g.props.push([c.part.prop, k]);
  });
  const list = [...groups.values()];
  // Generated straight-line code (as engine/compile/codegen.ts does for expressions): one function
  // reading each column's typed array directly, no loop over groups and no Column call per cell.
  // A million customers are filled per run; the generic loop cost about 0.35 s of it.
  const used = new Set<number>();
  const cellOf = (k: number) => {
    used.add(k);
    const l = data[k]!.layout();
    return l.values !== null ? `(v${k}[i] ?? null)` : l.nums !== null ? `(u${k}[i] ? null : n${k}[i])` : "null";
  };
  const body: string[] = [];
  const empty: string[] = [];
  list.forEach((g, gi) => {
    const key = JSON.stringify(g.key);
    if (g.avgN !== undefined) {
      empty.push(`into[${key}] = [0, 0];`);
      body.push(`into[${key}] = [${cellOf(g.avgN)}, ${cellOf(g.avgSum!)}];`);
      return;
    }
    empty.push(`into[${key}] = ${JSON.stringify(emptyValue(g.fn))};`);
    if (g.value !== undefined) {
      body.push(`into[${key}] = ${cellOf(g.value)};`);
      return;
    }
    const props = g.props.map(([p, k]) => `x = ${cellOf(k)}; if (x !== null) p[${JSON.stringify(p)}] = x; else delete p[${JSON.stringify(p)}];`).join("\n");
    body.push(`ts = ${cellOf(g.ts!)};
if (ts === null) into[${key}] = null;
else {
  rec = reuse ? REC[${gi}] : null;
  if (rec === null) { rec = { name: ${JSON.stringify(g.event)}, ts, props: {} }; if (reuse) REC[${gi}] = rec; } else rec.ts = ts;
  p = rec.props;
  ${props}
  into[${key}] = rec;
}`);
  });
  const hoist = [...used].map((k) => `const n${k} = D[${k}].nums, u${k} = D[${k}].nulls, v${k} = D[${k}].values;`).join("\n");
  const src = `"use strict";\n${hoist}\nreturn function fill(i, into, reuse) {\nlet ts, rec, p, x;\nif (i < 0) {\n${empty.join("\n")}\nreturn;\n}\n${body.join("\n")}\n};`;
  return new Function("D", "REC", src)(data.map((c) => c.layout()), list.map(() => null)) as FeatureTable["fill"];
}

function rfmReader(columns: ScanColumn[], data: Column[]): FeatureTable["rfmInto"] {
  const at = (part: string) => columns.findIndex((c) => c.part === part);
  const [n, sum, last] = [at("rfm_n"), at("rfm_sum"), at("rfm_last")];
  // Straight from the typed arrays when the columns are numeric (they are: counts, sums and times as doubles).
  const [N, S, L] = [n, sum, last].map((k) => (k >= 0 ? data[k]!.layout() : null));
  if (N?.nums && S?.nums && L?.nums) {
    const [nn, nu, sn, su, ln] = [N.nums, N.nulls!, S.nums, S.nulls!, L.nums];
    return (i, into) => {
      const cnt = i < 0 || nu[i] ? 0 : nn[i]!;
      into.n = cnt;
      into.sum = i < 0 || su[i] ? 0 : sn[i]!;
      into.last = cnt ? ln[i]! : -Infinity;
    };
  }
  return (i, into) => {
    if (i < 0 || n < 0) {
      into.n = 0;
      into.sum = 0;
      into.last = -Infinity;
      return;
    }
    const cnt = Number(data[n]!.get(i) ?? 0);
    into.n = cnt;
    into.sum = Number(data[sum]!.get(i) ?? 0);
    into.last = cnt ? (data[last]!.get(i) as number) : -Infinity;
  };
}
