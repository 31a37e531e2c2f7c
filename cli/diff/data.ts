/**
 * Customers and events for the diff's audience impact and witness search,
 * typed by the workspace schema. A small reader of its own (CSV and JSONL,
 * events through the experiments reader) because the diff needs every
 * customer in memory with their events, and the data engine's readers were
 * not yet available when this was written; switch to `engine/data` when its
 * in-memory API exists. Bad rows are counted in a warning, never dropped
 * silently.
 */
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import type { Workspace } from "../../language/ast.ts";
import type { EventRecord, Value } from "../../language/values.ts";
import { findDataFile, readEventsSimple, splitCsvLine } from "../../experiments/read.ts";

/** Every customer with their attributes and time-sorted events. */
export interface Population {
  customers: { id: string; attrs: Record<string, Value> }[];
  events: Map<string, EventRecord[]>;
}

/** Converts one cell to the attribute's type; undefined when it does not fit. */
export function typedValue(raw: unknown, base: string | undefined): Value | undefined {
  if (raw === null || raw === undefined || raw === "") return null;
  const s = String(raw);
  switch (base) {
    case "bool":
      if (raw === true || s === "true" || s === "1") return true;
      if (raw === false || s === "false" || s === "0") return false;
      return undefined;
    case "number": {
      const n = Number(s);
      return Number.isFinite(n) ? n : undefined;
    }
    case "date":
    case "datetime": {
      const t = /^\d{4}-\d{2}-\d{2}$/.test(s) ? Date.parse(`${s}T00:00:00Z`) : Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(s) ? s : `${s}Z`);
      return Number.isFinite(t) ? t : undefined;
    }
    default:
      return typeof raw === "number" || typeof raw === "boolean" ? raw : s;
  }
}

async function readCustomers(path: string, ws: Workspace | null, bad: string[]): Promise<Population["customers"]> {
  const out: Population["customers"] = [];
  const rl = createInterface({ input: createReadStream(path, "utf8"), crlfDelay: Infinity });
  const csv = path.endsWith(".csv");
  let header: string[] | null = null;
  let line = 0;
  for await (const raw of rl) {
    line++;
    if (!raw.trim()) continue;
    let rec: Record<string, unknown>;
    if (csv) {
      const cells = splitCsvLine(raw);
      if (!header) {
        header = cells;
        continue;
      }
      rec = Object.fromEntries(header.map((h, i) => [h, cells[i] ?? ""]));
    } else {
      try {
        rec = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        bad.push(`${path}:${line}: not JSON`);
        continue;
      }
    }
    const id = rec.customer_id;
    if (id === undefined || id === null || id === "") {
      bad.push(`${path}:${line}: no customer_id`);
      continue;
    }
    const attrs: Record<string, Value> = { customer_id: String(id) };
    for (const [k, v] of Object.entries(rec)) {
      if (k === "customer_id") continue;
      const t = typedValue(v, ws?.schema.customer.get(k)?.type.base);
      if (t === undefined) bad.push(`${path}:${line}: ${k} = ${JSON.stringify(v)} is not a ${ws?.schema.customer.get(k)?.type.base}`);
      attrs[k] = t ?? null;
    }
    out.push({ id: String(id), attrs });
  }
  return out;
}

/** Reads `customers.*` and `events.*` of a data folder (Parquet is not read here). */
export async function loadPopulation(dir: string, ws: Workspace | null): Promise<{ population: Population | null; problem: string | null }> {
  const cPath = findDataFile(dir, "customers"), ePath = findDataFile(dir, "events");
  if (!cPath || cPath.endsWith(".parquet")) return { population: null, problem: `no customers.csv or customers.jsonl in ${dir}: audience impact needs them` };
  const bad: string[] = [];
  const customers = await readCustomers(cPath, ws, bad);
  const events = new Map<string, EventRecord[]>();
  if (ePath && !ePath.endsWith(".parquet")) {
    const badEv = await readEventsSimple(ePath, (e) => {
      let list = events.get(e.customer_id);
      if (!list) events.set(e.customer_id, (list = []));
      list.push({ name: e.event, ts: e.ts, props: e.props as Record<string, Value> });
    });
    bad.push(...badEv.map((b) => `${b.file}:${b.line}: ${b.reason}`));
  }
  for (const list of events.values()) list.sort((a, b) => a.ts - b.ts);
  customers.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const problem = bad.length ? `${bad.length} data row${bad.length === 1 ? "" : "s"} did not fit and were read as null or skipped, first: ${bad[0]}` : null;
  return { population: { customers, events }, problem };
}
