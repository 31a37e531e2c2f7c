/**
 * Customers and events for the diff's audience impact and witness search:
 * every customer in memory with their time-sorted events, read and checked by
 * the engine's reader (engine/runtime/read.ts: CSV, JSONL or Parquet through
 * DuckDB, the rules of contract.md). The data is typed by the head's schema
 * widened with the base's (an attribute or event only the base knows is still
 * read), and events carry every prop either side reads. Bad rows are left out
 * and counted in a warning, the first one named.
 */
import type { Workspace } from "../../language/ast.ts";
import type { EventRecord, Value } from "../../language/values.ts";
import { findDataFile, openReader, propsUsed, readCustomers, streamEvents, type BadRow, type RowCounts } from "../../engine/runtime/read.ts";
import { orderBadRows } from "../../engine/runtime/rows.ts";

/** Every customer with their attributes and time-sorted events. */
export interface Population {
  customers: { id: string; attrs: Record<string, Value> }[];
  events: Map<string, EventRecord[]>;
}

/** `ws` with the attributes, events and event props of `other` that it lacks (its own types win). */
function widened(ws: Workspace, other: Workspace): Workspace {
  const events = new Map(other.schema.events);
  for (const [name, def] of ws.schema.events) {
    const o = other.schema.events.get(name);
    events.set(name, o ? { ...def, props: new Map([...o.props, ...def.props]) } : def);
  }
  return { ...ws, schema: { customer: new Map([...other.schema.customer, ...ws.schema.customer]), events } };
}

/**
 * Reads `customers.*` and `events.*` of a data folder for the workspace `ws`
 * (the head), widened by `other` (the base) when given.
 */
export async function loadPopulation(dir: string, ws: Workspace | null, other: Workspace | null = null): Promise<{ population: Population | null; problem: string | null; counts?: RowCounts }> {
  const cPath = findDataFile(dir, "customers"), ePath = findDataFile(dir, "events");
  if (!cPath) return { population: null, problem: `no customers.csv, .jsonl or .parquet in ${dir}: audience impact needs them` };
  if (!ws) return { population: null, problem: "neither side's workspace loads, so the data cannot be typed" };
  const reading = other && other !== ws ? widened(ws, other) : ws;
  const bad: BadRow[] = [];
  const counts: RowCounts = { customers: { read: 0, used: 0, rejected: 0 }, events: { read: 0, used: 0, rejected: 0 } };
  const events = new Map<string, EventRecord[]>();
  const { con, close } = await openReader();
  let byId: Map<string, Record<string, Value>>;
  try {
    byId = await readCustomers(con, reading, cPath, bad, counts);
    const props = new Set([...propsUsed(ws), ...(other ? propsUsed(other) : [])]);
    if (ePath) await streamEvents(con, reading, ePath, byId, Infinity, bad, counts, (id, evs) => void events.set(id, evs), { props });
  } catch (e) {
    return { population: null, problem: `cannot read the data in ${dir}: ${(e as Error).message.split("\n")[0]}` };
  } finally {
    close();
  }
  const customers = [...byId].map(([id, attrs]) => ({ id, attrs })).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  // Root causes first: the first row named is one to fix, not an event of a customer rejected elsewhere.
  const sorted = orderBadRows(bad);
  const problem = bad.length ? `${bad.length} data row${bad.length === 1 ? "" : "s"} did not fit and ${bad.length === 1 ? "was" : "were"} left out, first: ${sorted[0]!.file}:${sorted[0]!.line}: ${sorted[0]!.reason}` : null;
  return { population: { customers, events }, problem, counts };
}
