/**
 * Segment membership and the R×F grid for a whole data set, and for one
 * customer in memory. Customers stream through one at a time (events grouped
 * per customer by DuckDB), so memory grows with the number of customers, not
 * events; RFM quantile bounds, when the workspace leaves some to the data, take
 * one extra pass that keeps four numbers per customer.
 */
import type { Expr, Workspace } from "../language/ast.ts";
import { childrenOf } from "./features/plan.ts";
import type { EvalEnv, EventRecord, RfmScores, Value } from "../language/values.ts";
import { compileCondition } from "./compile/closure.ts";
import { fitRfmBounds, fitRfmBoundsBy, rfmInput, scoreRfm, type RfmInput } from "./rfm.ts";
import { customerColumns, loadCustomers, openReader, readCustomers, streamEvents, type BadRow, type RowCounts } from "./runtime/read.ts";
import { stageTimer } from "./runtime/timing.ts";
import { featurePlan, scanFeatures, type FeatureTable, type ScanColumn } from "./features/index.ts";
import { materializeFeatures } from "./features/duckdb.ts";
import { appendColumn, Column } from "./runtime/columns.ts";
import { featureColumns, rfmScoresSql, segmentConditions, segmentsTranslate } from "./segments-sql.ts";
import type { DuckDBConnection } from "@duckdb/node-api";

/** One cell of the R×F grid: customers and their goal-event value in the window. */
export interface RfCell {
  r: number;
  f: number;
  customers: number;
  revenue: number;
}

/** What `computeSegments` found. */
export interface SegmentsResult {
  at: number;
  customers: number;
  /** In workspace order. */
  segments: { name: string; customers: number }[];
  /** customer id → the segments they are in (workspace order); customers in none are absent. */
  members: Map<string, string[]>;
  /** Null when the workspace has no `rfm:`. */
  grid: { scores: number; cells: RfCell[]; unscored: number } | null;
  bad: BadRow[];
  counts: RowCounts;
  /** Where the segments were evaluated (DuckDB when every condition translates to SQL). */
  evaluatedIn: "duckdb" | "js";
}

type Predicate = (env: EvalEnv) => boolean;

function predicates(ws: Workspace): [string, Predicate][] {
  return [...ws.segments.values()].map((s) => [s.name, compileCondition(s.expr, ws)]);
}

/** Attributes the workspace's segments read (segments nest: all of them are walked). */
function attributesRead(ws: Workspace): string[] {
  const out = new Set<string>();
  const walk = (e: Expr): void => {
    if (e.kind === "name" && e.ref?.kind === "attribute") out.add(e.name);
    for (const c of childrenOf(e)) walk(c);
  };
  for (const s of ws.segments.values()) walk(s.expr);
  return [...out];
}

const q = (s: string) => `"${s.replace(/"/g, '""')}"`;

/** The RFM inputs of every customer (by index; n = 0 for those without events) from the features table `__feat`. */
async function rfmInputs(con: DuckDBConnection, columns: readonly ScanColumn[], total: number): Promise<{ n: Float64Array; sum: Float64Array; last: Float64Array }> {
  const name = (part: string) => q(columns.find((c) => c.part === part)!.name);
  const out = { n: new Float64Array(total), sum: new Float64Array(total), last: new Float64Array(total).fill(-Infinity) };
  const res = await con.stream(`SELECT __ci, ${name("rfm_n")}, ${name("rfm_sum")}, ${name("rfm_last")} FROM __feat`);
  for (let chunk = await res.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await res.fetchChunk()) {
    const [ci, n, sum, last] = [new Column(), new Column(), new Column(), new Column()];
    ci.append(chunk.getColumnVector(0), chunk.rowCount);
    n.append(chunk.getColumnVector(1), chunk.rowCount);
    sum.append(chunk.getColumnVector(2), chunk.rowCount);
    last.append(chunk.getColumnVector(3), chunk.rowCount);
    for (let r = 0; r < chunk.rowCount; r++) {
      const i = ci.get(r) as number;
      const k = Number(n.get(r) ?? 0);
      out.n[i] = k;
      out.sum[i] = Number(sum.get(r) ?? 0);
      out.last[i] = k ? (last.get(r) as number) : -Infinity;
    }
  }
  return out;
}

/** The segments one customer is in at `now` (the library's in-memory entry point). */
export function segmentsOf(customer: Record<string, Value>, events: readonly EventRecord[], now: number, ws: Workspace, rfm: RfmScores | null = null): string[] {
  const env: EvalEnv = { now, customer, events, rfm, segments: {} };
  return predicates(ws).filter(([, p]) => p(env)).map(([n]) => n);
}

/**
 * Reads customers and events (bad rows per contract.md into `bad`), scores
 * RFM as of `now` and evaluates every segment for every customer.
 * The workspace must be checked (names resolved).
 */
export async function computeSegments(o: {
  workspace: Workspace; customersFile: string; eventsFile: string | null; now: number; members?: boolean;
  /** Where segments are evaluated: in DuckDB when every one translates (the default), or always in JS. */
  evaluate?: "duckdb" | "js";
}): Promise<SegmentsResult> {
  // Without `members` (sizes and the grid only), no customer id crosses into JS.
  const withMembers = o.members ?? true;
  const ws = o.workspace;
  const bad: BadRow[] = [];
  const counts: RowCounts = { customers: { read: 0, used: 0, rejected: 0 }, events: { read: 0, used: 0, rejected: 0 } };
  const preds = predicates(ws);
  // Memberships as flat (customer, segment index) pairs of small integers: no allocation per customer.
  const memberIds: string[] = [];
  const pairs: number[] = [];
  const n = ws.rfm?.scores ?? 0;
  const cells: RfCell[] = [];
  for (let r = n; r >= 1; r--) for (let f = 1; f <= n; f++) cells.push({ r, f, customers: 0, revenue: 0 });
  let unscored = 0;
  const { con, close, connect } = await openReader();
  try {
    const cfg = ws.rfm;
    const plan = featurePlan(ws, { segmentsOnly: true });
    const tally = (id: string, env: EvalEnv, rfm: RfmScores | null, revenue: number) => {
      let k = -1;
      for (let j = 0; j < preds.length; j++) {
        if (!preds[j]![1](env)) continue;
        counts_[j]!++;
        if (!withMembers) continue;
        if (k < 0) k = memberIds.push(id) - 1;
        pairs.push(k, j);
      }
      if (cfg) {
        if (rfm) {
          const cell = cells[(n - rfm.r) * n + (rfm.f - 1)]!;
          cell.customers++;
          cell.revenue += revenue;
        } else unscored++;
      }
    };
    let total = 0;
    let evaluatedIn: SegmentsResult["evaluatedIn"] = "js";
    const counts_ = new Array<number>(preds.length).fill(0);
    const precomputable = plan.features.every((f) => f.perDecision === null);
    if (precomputable && o.eventsFile && (o.evaluate ?? "duckdb") === "duckdb" && segmentsTranslate(ws)) {
      // Every segment translates to SQL: the features stay in DuckDB, segments are counted there, and
      // into JS come only the RFM inputs (bounds and grid by engine/rfm.ts, as below) and the members.
      evaluatedIn = "duckdb";
      const lap = stageTimer();
      const loaded = await loadCustomers(con, ws, o.customersFile, bad, counts, { keep: [...new Set([...attributesRead(ws), ...plan.attributes])] });
      lap("customers loaded and checked");
      total = loaded.size;
      const { columns, checked } = await materializeFeatures(con, ws, plan, o.eventsFile, o.now, cfg ?? null, "__feat", bad, counts, { connect });
      lap("features computed (into a DuckDB table)");
      let rfmSql = "NULL AS __rfm_r, NULL AS __rfm_f, NULL AS __rfm_m, NULL AS __rfm_cell";
      let params: number[] = [];
      const scored = !!cfg && columns.some((c) => c.part === "rfm_n");
      if (cfg && !scored) unscored = total;
      if (cfg && scored) {
        const inputs = await rfmInputs(con, columns, total);
        const bounds = fitRfmBoundsBy(cfg, total, (i, x) => ((x.n = inputs.n[i]!), (x.sum = inputs.sum[i]!), (x.last = inputs.last[i]!)), o.now);
        const x: RfmInput = { n: 0, sum: 0, last: -Infinity };
        const scores: RfmScores = { r: 0, f: 0, m: 0, cell: "" };
        for (let i = 0; i < total; i++) {
          [x.n, x.sum, x.last] = [inputs.n[i]!, inputs.sum[i]!, inputs.last[i]!];
          const rfm = scoreRfm(cfg, bounds, x, o.now, scores);
          if (!rfm) unscored++;
          else {
            const cell = cells[(n - rfm.r) * n + (rfm.f - 1)]!;
            cell.customers++;
            cell.revenue += x.sum;
          }
        }
        ({ sql: rfmSql, params } = rfmScoresSql(columns, cfg.scores, bounds, o.now));
      }
      lap("RFM bounds and grid");
      if (preds.length) {
        const kept = new Set((await con.runAndReadAll("DESCRIBE __cust")).getRows().map((r) => String(r[0])));
        const read = attributesRead(ws).filter((a) => kept.has(a));
        const fcols = featureColumns(columns);
        const conds = segmentConditions(ws, { feature: (k) => fcols.get(k), attr: (a) => (kept.has(a) && a !== "customer_id" ? `s.${q(`a_${a}`)}` : "NULL"), rfm: scored }, o.now);
        const rel = `(SELECT c.customer_id, CAST(c.rowid AS INTEGER) AS __row${read.map((a) => `, c.${q(a)} AS ${q(`a_${a}`)}`).join("")}, f.*, ${rfmSql}
          FROM __cust c LEFT JOIN __feat f ON f.__ci = CAST(c.rowid AS INTEGER)) s`;
        const sizes = (await con.runAndReadAll(`SELECT ${conds.map((c) => `CAST(count(*) FILTER (WHERE ${c}) AS DOUBLE)`).join(", ")} FROM ${rel}`, params)).getRows()[0]!;
        sizes.forEach((v, j) => (counts_[j] = Number(v)));
        if (withMembers) {
          const flags = conds.map((c, j) => `${c} AS __s${j}`).join(", ");
          const res = await con.stream(`SELECT * FROM (SELECT s.customer_id, s.__row, ${flags} FROM ${rel}) WHERE ${conds.map((_, j) => `__s${j}`).join(" OR ")} ORDER BY __row`, params);
          for (let chunk = await res.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await res.fetchChunk()) {
            const ids: unknown[] = [];
            appendColumn(chunk.getColumnVector(0), chunk.rowCount, ids);
            const flags = preds.map((_, j) => {
              const col: unknown[] = [];
              appendColumn(chunk.getColumnVector(2 + j), chunk.rowCount, col);
              return col;
            });
            for (let r = 0; r < chunk.rowCount; r++) {
              const k = memberIds.push(String(ids[r])) - 1;
              for (let j = 0; j < preds.length; j++) if (flags[j]![r] === true) pairs.push(k, j);
            }
          }
        }
      }
      lap("segments counted in DuckDB");
      await checked;
      lap("every event row checked");
    } else if (precomputable) {
      // The fast path: every aggregate and the RFM inputs from one scan; no event crosses into JS,
      // and of the customers only their ids and the attributes segments read.
      const lap = stageTimer();
      const wanted = attributesRead(ws);
      const loaded = await loadCustomers(con, ws, o.customersFile, bad, counts, { keep: [...new Set([...wanted, ...plan.attributes])] });
      lap("customers loaded and checked");
      const need = wanted.filter((a) => loaded.attrs.includes(a));
      const { ids, columns } = withMembers || need.length ? await customerColumns(con, need, new Set(), { ids: withMembers }) : { ids: [], columns: [] };
      lap("customer ids and attributes into JS");
      total = loaded.size;
      // The check of every event row goes on in DuckDB's threads while JS evaluates the segments.
      const table: FeatureTable | null = o.eventsFile ? await scanFeatures(con, ws, plan, o.eventsFile, o.now, cfg ?? null, total, bad, counts, { connect }) : null;
      lap("features computed");
      const slot = (i: number) => (table ? table.slotOf[i]! : -1);
      const none = { n: 0, sum: 0, last: -Infinity };
      const bounds = cfg ? fitRfmBoundsBy(cfg, total, (i, x) => (table ? table.rfmInto(slot(i), x) : Object.assign(x, none)), o.now) : null;
      const features: Record<string, Value> = {};
      const customer: Record<string, Value> = {};
      const env: EvalEnv = { now: o.now, customer, events: [], rfm: null, segments: {}, features };
      const scratch: RfmInput = { n: 0, sum: 0, last: -Infinity };
      const scores: RfmScores = { r: 0, f: 0, m: 0, cell: "" };
      for (let i = 0; i < total; i++) {
        const s = slot(i);
        if (table && cfg) table.rfmInto(s, scratch);
        const input = cfg ? (table ? scratch : none) : null;
        const rfm = cfg && input ? scoreRfm(cfg, bounds!, input, o.now, scores) : null;
        if (table) table.fill(s, features, true);
        const id = withMembers ? ids[i]! : "";
        customer.customer_id = id;
        for (let k = 0; k < need.length; k++) customer[need[k]!] = (columns[k]![i] ?? null) as Value;
        env.rfm = rfm;
        env.segments = {};
        tally(id, env, rfm, input?.sum ?? 0);
      }
      lap("segments evaluated");
      await table?.checked;
      lap("every event row checked");
    } else {
      // Some segment aggregate needs the events themselves: stream them customer by customer.
      const customers = await readCustomers(con, ws, o.customersFile, bad, counts);
      total = customers.size;
      const inputs: RfmInput[] = [];
      if (cfg && o.eventsFile && (!cfg.recency || !cfg.frequency || !cfg.monetary)) {
        const scratch: RowCounts = { customers: { read: 0, used: 0, rejected: 0 }, events: { read: 0, used: 0, rejected: 0 } };
        await streamEvents(con, ws, o.eventsFile, customers, o.now, [], scratch, (_id, evs) => void inputs.push(rfmInput(cfg, evs, o.now)));
      }
      const bounds = cfg ? fitRfmBounds(cfg, inputs, o.now) : null;
      const seen = new Set<string>();
      const env: EvalEnv = { now: o.now, customer: {}, events: [], rfm: null, segments: {} };
      const visit = (id: string, events: EventRecord[]) => {
        const attrs = customers.get(id);
        if (!attrs || seen.has(id)) return;
        seen.add(id);
        const input = cfg ? rfmInput(cfg, events, o.now) : null;
        const rfm = cfg && input ? scoreRfm(cfg, bounds!, input, o.now) : null;
        env.customer = attrs;
        env.events = events;
        env.rfm = rfm;
        env.segments = {};
        tally(id, env, rfm, input?.sum ?? 0);
      };
      if (o.eventsFile) await streamEvents(con, ws, o.eventsFile, customers, o.now, bad, counts, visit);
      for (const id of [...customers.keys()].sort()) visit(id, []);
    }
    return {
      at: o.now,
      customers: total,
      segments: preds.map(([name], j) => ({ name, customers: counts_[j]! })),
      get members() {
        if (!withMembers) throw new Error("computeSegments: members were not asked for (members: false)");
        // Built on first use (the export), in customer-id order.
        const m = new Map<string, string[]>();
        for (let i = 0; i < pairs.length; i += 2) {
          const id = memberIds[pairs[i]!]!;
          let list = m.get(id);
          if (!list) m.set(id, (list = []));
          list.push(preds[pairs[i + 1]!]![0]);
        }
        return new Map([...m].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
      },
      grid: cfg ? { scores: n, cells, unscored } : null,
      bad,
      counts,
      evaluatedIn,
    };
  } finally {
    close();
  }
}
