/**
 * From a workspace folder and a data folder to what the decision loop needs,
 * for the commands (`run`, `simulate`, `explain`).
 * Problems in the workspace come back as rendered diagnostics, problems with
 * the data as `InputError`s with their exit code, never as stack traces.
 */
import type { Expr } from "../../language/ast.ts";
import { loadCheckedWorkspace } from "../../language/check.ts";
import { compileExpr } from "../compile/closure.ts";
import type { EventRecord, RfmScores, Value } from "../../language/values.ts";
import { featurePlan, scanFeatures } from "../features/index.ts";
import { attributesNeeded, eventCutoffs } from "./horizon.ts";
import { buildProgram, type Program } from "./program.ts";
import { advance, type AdvanceOptions, type TimedDecision } from "./customer.ts";
import { resolveTimezone, timezoneStats, type TimezoneStats } from "./customers.ts";
import { sortDecisions } from "./order.ts";
import { emptyState, type CustomerState } from "./state.ts";
import { stageTimer } from "./timing.ts";
import { customerColumns, DataError, defineEvents, findDataFile, loadCustomers, openReader, openStream, type BadRow, type CustomersTable, type RowCounts } from "./read.ts";
import type { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { nameRecord } from "./records.ts";
import { appendColumn } from "./columns.ts";
import { rfmSnapshots, type RfmAt } from "./rfm-days.ts";
import { shardSql, type Shard } from "./shard.ts";

/** Why the inputs could not be prepared: text for stderr and the exit code. */
export class InputError extends Error {
  constructor(message: string, readonly exitCode: number) {
    super(message);
  }
}

/**
 * Loads, checks and compiles a workspace; errors come back as rendered
 * diagnostics (exit 1), their paths under `shownAs` (the folder as the user
 * typed it) when given.
 */
export async function loadProgram(dir: string, shownAs?: string): Promise<{ program: Program; warnings: string }> {
  const { workspace, errors, warnings } = await loadCheckedWorkspace(dir, shownAs === undefined ? {} : { shownAs });
  if (errors) throw new InputError(errors, 1);
  return { program: buildProgram(workspace, (e: Expr) => compileExpr(e, workspace)), warnings };
}

/**
 * Told how far `decideFromFiles` is: a stage (`reading the data`, then
 * `deciding`) and how many of `total` customers are done (0 of 0 while reading).
 */
export type Progress = (stage: string, done: number, total: number) => void;

/** Where the data is. */
export interface DataSource {
  dir?: string;
  customers?: string;
  events?: string;
}

/** What deciding a window over files produced. */
export interface FileRunResult {
  decisions: TimedDecision[];
  bad: BadRow[];
  counts: RowCounts;
  timezones: TimezoneStats;
  /** With `shard`: how many customers this shard decided, of how many in the data. */
  sharded?: { decided: number; total: number };
}

/**
 * Decides `(from, to]` for every customer of the data, streaming the events
 * customer by customer; `states` is read and updated. With `only`, nothing
 * is decided: `onCustomer` receives that customer's inputs (explain), and
 * only theirs cross into JS (`explainInputs`), with their RFM at `to` and as of
 * each instant of `(from, to]`.
 * Only the events a decision can read are shipped from DuckDB (see
 * horizon.ts); `shipAll` ships every event instead (the test that both agree).
 * `keepStates: false` leaves `states` untouched (a run without `--state`).
 * With `shard`, every row is still read and checked (and RFM bounds fitted on
 * every customer), but only the shard's customers are decided and only their
 * events cross into JS (docs/sharding.md).
 * `trace` sees every check of every candidate, as `explain` does (`playbook test --coverage`);
 * without it the loop runs as before. `db`: a DuckDB instance to read in, left open (openReader).
 */
export async function decideFromFiles(
  p: Program, src: DataSource, states: Map<string, CustomerState>, from: number, to: number, reportDeferred: boolean,
  only?: { id: string; onCustomer: (attrs: Record<string, Value>, events: EventRecord[], tz: string, rfm: RfmScores | null, rfmAt?: (now: number) => RfmScores | null) => void },
  o: { shipAll?: boolean; keepStates?: boolean; onProgress?: Progress; shard?: Shard; trace?: AdvanceOptions["trace"]; db?: DuckDBInstance } = {},
): Promise<FileRunResult> {
  const customersPath = src.customers ?? (src.dir ? findDataFile(src.dir, "customers") : null);
  const eventsPath = src.events ?? (src.dir ? findDataFile(src.dir, "events") : null);
  if (!customersPath) throw new InputError(`playbook: no customers.csv/.jsonl/.parquet in ${src.dir ?? "(no --data)"}\n`, 2);
  const bad: BadRow[] = [];
  const counts: RowCounts = { customers: { read: 0, used: 0, rejected: 0 }, events: { read: 0, used: 0, rejected: 0 } };
  const timezones = timezoneStats();
  const decisions: TimedDecision[] = [];
  let sharded: FileRunResult["sharded"];
  const { con, close, connect } = await openReader({ db: o.db });
  // PLAYBOOK_TIMING=1 prints how long each stage took (stderr).
  const lap = stageTimer();
  o.onProgress?.("reading the data", 0, 0);
  try {
    // Customers stay in DuckDB but for the attributes a decision reads (all of them to explain one).
    const loaded = await loadCustomers(con, p.ws, customersPath, bad, counts);
    if (only) {
      await explainInputs(p, con, connect, eventsPath, loaded, from, to, only, bad, counts, timezones);
      return { decisions, bad, counts, timezones };
    }
    // The shard's customers by row (a table every connection sees), before the events are shipped.
    const member = o.shard ? await shardMembers(con, o.shard, loaded.size) : null;
    if (member) sharded = { decided: member.reduce((a, b) => a + b, 0), total: member.length };
    const uses = attributesNeeded(p);
    const need = loaded.attrs.filter((a) => uses.has(a));
    const presence = new Set(need.filter((a) => uses.get(a) === "presence"));
    // Three things at once, each on its own connection: the feature scan and the sort of the events
    // to ship run in DuckDB's threads while JS takes in the customers' attributes.
    const plan = featurePlan(p.ws);
    const cutoffs = o.shipAll ? new Map([...p.ws.schema.events.keys()].map((n) => [n, -Infinity] as const)) : eventCutoffs(p, plan, from);
    const bad2: BadRow[] = [];
    const scanning = eventsPath
      ? connect().then(async (c) => {
          // No RFM inputs at `to`: decisions read the daily snapshots (rfm-days.ts), never the end of the window.
          const t = await scanFeatures(c, p.ws, plan, eventsPath, to, null, loaded.size, bad2, counts, { partialAt: cutoffs });
          await t.checked;
          return t;
        })
      : Promise.resolve(null);
    scanning.catch(() => undefined);
    // A decision reads RFM as of 00:00 UTC of its day (rfm-days.ts), not as of `to`: no look-ahead.
    const cfg = p.ws.rfm?.event ? p.ws.rfm : null;
    const snapshots = cfg ? connect().then((c) => rfmSnapshots(c, p.ws, cfg, eventsPath, loaded.size, from, to)) : Promise.resolve(null);
    snapshots.catch(() => undefined);
    const names = [...p.ws.schema.events.keys()];
    const shipping = eventsPath
      ? connect().then(async (c) => openStream(c, p.ws, await defineEvents(c, p.ws, eventsPath, { rowNumbers: true, ship: { until: to, cutoffs: names.map((n) => cutoffs.get(n) ?? -Infinity) } }), to, member ? "ci IN (SELECT ci FROM __shard)" : null))
      : Promise.resolve(null);
    shipping.catch(() => undefined);
    const { ids, columns } = await customerColumns(con, need, presence);
    const attrsOf = (ci: number): Record<string, Value> => {
      const a = nameRecord<Value>();
      a.customer_id = ids[ci]!;
      for (let k = 0; k < need.length; k++) a[need[k]!] = (columns[k]![ci] ?? null) as Value;
      return a;
    };
    lap("customers");
    // One scan of the events computes the partial all-time aggregates up to each event's cutoff and
    // the row counts (RFM comes from the daily snapshots); then only the events a decision can read are shipped
    // (engine/runtime/horizon.ts). Explaining one customer ships their whole history.
    const table = await scanning;
    bad.push(...bad2);
    lap("feature scan");
    const slot = (ci: number) => (table ? table.slotOf[ci]! : -1);
    const rfmAt = await snapshots;
    const base = { cutoffs: nameRecord(Object.fromEntries(cutoffs)), values: nameRecord<Value>() };
    o.onProgress?.("deciding", 0, ids.length);
    const decide = (ci: number, events: EventRecord[]) => {
      // Every 1024 customers: cheap next to deciding them, often enough for a bar redrawn every 100 ms.
      if (o.onProgress && (ci & 1023) === 0) o.onProgress("deciding", ci, ids.length);
      if (member && !member[ci]) return;
      const id = ids[ci]!;
      const attrs = attrsOf(ci);
      const tz = resolveTimezone(attrs, p.defaultTz, timezones);
      if (table) table.fill(slot(ci), base.values);
      const state = states.get(id) ?? emptyState();
      for (const d of advance(p, { id, attrs, events, tz, rfm: null, ...(rfmAt ? { rfmAt: rfmAt(ci) } : {}), base: table ? base : undefined }, state, from, to, o.trace ? { reportDeferred, trace: o.trace } : { reportDeferred })) decisions.push(d);
      if (o.keepStates !== false && (state.history.length || state.pending.length || state.activeCadence || Object.keys(state.segments).length)) states.set(id, state);
    };
    let next = 0;
    const stream = await shipping;
    if (stream) {
      await stream.consume((ci, events) => {
        while (next < ci) decide(next++, []);
        decide(next++, events);
      });
    }
    while (next < ids.length) decide(next++, []);
    o.onProgress?.("deciding", ids.length, ids.length);
    lap("events streamed and decided");
  } catch (e) {
    if (e instanceof DataError) throw new InputError(`playbook: ${e.message}\n`, 2);
    // DuckDB reports unreadable files (bad CSV, missing file) as errors: I/O trouble, exit 2.
    if (e instanceof Error && !(e instanceof TypeError) && !(e instanceof RangeError)) throw new InputError(`playbook: cannot read the data: ${e.message.split("\n")[0]}\n`, 2);
    throw e;
  } finally {
    close();
  }
  const sorted = sortDecisions(decisions);
  lap("log sorted");
  return { decisions: sorted, bad, counts, timezones, ...(sharded ? { sharded } : {}) };
}

/** Makes `__shard(ci)`, the rows of `__cust` in the shard, and returns membership by row as 0/1. */
async function shardMembers(con: DuckDBConnection, shard: Shard, size: number): Promise<Uint8Array> {
  await con.run(`CREATE OR REPLACE TABLE __shard AS SELECT CAST(rowid AS INTEGER) AS ci FROM __cust WHERE ${shardSql("customer_id", shard.count)} = ${shard.index}`);
  const member = new Uint8Array(size);
  const res = await con.stream("SELECT ci FROM __shard");
  for (let chunk = await res.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await res.fetchChunk()) {
    const cis: unknown[] = [];
    appendColumn(chunk.getColumnVector(0), chunk.rowCount, cis);
    for (const ci of cis) member[ci as number] = 1;
  }
  return member;
}

/**
 * The inputs of one customer for `explain`: every row is still read and checked, and RFM is read
 * from the daily snapshots a run reads (bounds fitted on all customers), but only this customer's
 * attributes and events — their whole history, as `explain` rebuilds it — cross into JS.
 */
async function explainInputs(
  p: Program, con: DuckDBConnection, connect: () => Promise<DuckDBConnection>, eventsPath: string | null, loaded: CustomersTable, from: number, to: number,
  only: { id: string; onCustomer: (attrs: Record<string, Value>, events: EventRecord[], tz: string, rfm: RfmScores | null, rfmAt?: (now: number) => RfmScores | null) => void },
  bad: BadRow[], counts: RowCounts, timezones: TimezoneStats,
): Promise<void> {
  const cfg = p.ws.rfm?.event ? p.ws.rfm : null;
  // No feature (explain evaluates over the whole history) and no RFM at `to` (decisions read the
  // daily snapshots below): the scan is the check of every row.
  const table = eventsPath ? await scanFeatures(con, p.ws, { features: [], scan: [], attributes: [] }, eventsPath, to, null, loaded.size, bad, counts, { connect }) : null;
  const found = (await con.runAndReadAll(`SELECT CAST(rowid AS INTEGER) FROM __cust WHERE customer_id = '${only.id.replace(/'/g, "''")}'`)).getRows();
  const ci = found.length ? Number(found[0]![0]) : undefined;
  await table?.checked;
  if (ci === undefined) return;
  const events: EventRecord[] = [];
  if (eventsPath) {
    const names = [...p.ws.schema.events.keys()];
    const v = await defineEvents(con, p.ws, eventsPath, { rowNumbers: true, ship: { until: to, cutoffs: names.map(() => -Infinity), customer: only.id } });
    await (await openStream(con, p.ws, v, to, null)).consume((_, evs) => void events.push(...evs));
  }
  const { columns } = await customerColumns(con, loaded.attrs, new Set(), { ids: false, only: ci });
  const attrs = nameRecord<Value>();
  attrs.customer_id = only.id;
  loaded.attrs.forEach((a, k) => (attrs[a] = (columns[k]![0] ?? null) as Value));
  // The replay reads RFM as a run would (rfm-days.ts): one snapshot a day over (from, to], at most
  // the last 31 days of it (instants before read the oldest snapshot: one scan of the events a day).
  const rfmAt = cfg ? (await rfmSnapshots(con, p.ws, cfg, eventsPath, loaded.size, Math.max(from, to - 31 * 86_400_000), to))(ci) : undefined;
  only.onCustomer(attrs, events, resolveTimezone(attrs, p.defaultTz, timezones), null, rfmAt);
}
