/**
 * Segment membership and the R×F grid for a whole data set, and for one
 * customer in memory. Customers stream through one at a time (events grouped
 * per customer by DuckDB), so memory grows with the number of customers, not
 * events; RFM quantile bounds, when the workspace leaves some to the data, take
 * one extra pass that keeps four numbers per customer.
 */
import type { DuckDBInstance } from "@duckdb/node-api";
import type { Expr, Workspace } from "../language/ast.ts";
import { childrenOf } from "./features/plan.ts";
import type { EvalEnv, EventRecord, RfmScores, Value } from "../language/values.ts";
import { compileCondition } from "./compile/closure.ts";
import { fitRfmBounds, rfmInput, scoreRfm, type RfmInput } from "./rfm.ts";
import { customerColumns, loadCustomers, openReader, readCustomers, streamEvents, type BadRow, type RowCounts } from "./runtime/read.ts";
import { stageTimer } from "./runtime/timing.ts";
import { featurePlan, fitRfmOnTable, scanFeatures, type FeatureTable } from "./features/index.ts";
import { nameRecord } from "./runtime/records.ts";

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

/** The segments one customer is in at `now` (the library's in-memory entry point). */
export function segmentsOf(customer: Record<string, Value>, events: readonly EventRecord[], now: number, ws: Workspace, rfm: RfmScores | null = null): string[] {
  const env: EvalEnv = { now, customer, events, rfm, segments: nameRecord<boolean>() };
  return predicates(ws).filter(([, p]) => p(env)).map(([n]) => n);
}

/**
 * Reads customers and events (bad rows per contract.md into `bad`), scores
 * RFM as of `now` and evaluates every segment for every customer.
 * The workspace must be checked (names resolved).
 */
export async function computeSegments(o: { workspace: Workspace; customersFile: string; eventsFile: string | null; now: number; members?: boolean; db?: DuckDBInstance }): Promise<SegmentsResult> {
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
  const { con, close, connect } = await openReader({ db: o.db });
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
    const counts_ = new Array<number>(preds.length).fill(0);
    if (plan.features.every((f) => f.perDecision === null)) {
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
      const bounds = cfg ? fitRfmOnTable(cfg, table, total, o.now) : null;
      const features = nameRecord<Value>();
      const customer = nameRecord<Value>();
      const env: EvalEnv = { now: o.now, customer, events: [], rfm: null, segments: nameRecord<boolean>(), features };
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
        env.segments = nameRecord<boolean>();
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
      const env: EvalEnv = { now: o.now, customer: nameRecord<Value>(), events: [], rfm: null, segments: nameRecord<boolean>() };
      const visit = (id: string, events: EventRecord[]) => {
        const attrs = customers.get(id);
        if (!attrs || seen.has(id)) return;
        seen.add(id);
        const input = cfg ? rfmInput(cfg, events, o.now) : null;
        const rfm = cfg && input ? scoreRfm(cfg, bounds!, input, o.now) : null;
        env.customer = attrs;
        env.events = events;
        env.rfm = rfm;
        env.segments = nameRecord<boolean>();
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
    };
  } finally {
    close();
  }
}
