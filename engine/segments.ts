/**
 * Segment membership and the R×F grid for a whole data set, and for one
 * customer in memory. Customers stream through one at a time (events grouped
 * per customer by DuckDB), so memory grows with the number of customers, not
 * events; RFM quantile bounds, when the workspace leaves some to the data, take
 * one extra pass that keeps four numbers per customer.
 */
import type { Workspace } from "../language/ast.ts";
import type { EvalEnv, EventRecord, RfmScores, Value } from "../language/values.ts";
import { compileCondition } from "./compile/closure.ts";
import { fitRfmBounds, rfmInput, scoreRfm, type RfmInput } from "./rfm.ts";
import { openReader, readCustomers, streamEvents, type BadRow, type RowCounts } from "./runtime/read.ts";

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
export async function computeSegments(o: { workspace: Workspace; customersFile: string; eventsFile: string | null; now: number }): Promise<SegmentsResult> {
  const ws = o.workspace;
  const bad: BadRow[] = [];
  const counts: RowCounts = { customers: { read: 0, used: 0, rejected: 0 }, events: { read: 0, used: 0, rejected: 0 } };
  const preds = predicates(ws);
  const sizes = new Map(preds.map(([n]) => [n, 0]));
  const members = new Map<string, string[]>();
  const n = ws.rfm?.scores ?? 0;
  const cells: RfCell[] = [];
  for (let r = n; r >= 1; r--) for (let f = 1; f <= n; f++) cells.push({ r, f, customers: 0, revenue: 0 });
  let unscored = 0;
  const { con, close } = await openReader();
  try {
    const customers = await readCustomers(con, ws, o.customersFile, bad, counts);
    const cfg = ws.rfm;
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
      const mine: string[] = [];
      for (const [name, p] of preds) {
        if (!p(env)) continue;
        mine.push(name);
        sizes.set(name, sizes.get(name)! + 1);
      }
      if (mine.length) members.set(id, mine);
      if (cfg) {
        if (rfm) {
          const cell = cells[(n - rfm.r) * n + (rfm.f - 1)]!;
          cell.customers++;
          cell.revenue += input!.sum;
        } else unscored++;
      }
    };
    if (o.eventsFile) await streamEvents(con, ws, o.eventsFile, customers, o.now, bad, counts, visit);
    for (const id of [...customers.keys()].sort()) visit(id, []);
    return {
      at: o.now,
      customers: customers.size,
      segments: preds.map(([name]) => ({ name, customers: sizes.get(name)! })),
      members: new Map([...members].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))),
      grid: cfg ? { scores: n, cells, unscored } : null,
      bad,
      counts,
    };
  } finally {
    close();
  }
}
