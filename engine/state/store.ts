/**
 * The `--state` file of `playbook run`: an embedded DuckDB database holding
 * what the engine must remember between runs (contact history for caps,
 * cadence progress, queued messages, segment membership) and the instant of
 * the last run.
 *
 * Tables: `meta(k, v)` (`last_at` as ISO, `format`), and
 * `customer_state(customer_id, state)` with one JSON document per customer
 * (engine/runtime/state.ts `CustomerState`). A JSON column keeps the schema
 * stable while the state shape grows; the state is read and written whole
 * once per run, so per-field columns would buy nothing.
 *
 * Saving is one transaction, committed only after the decision log is
 * written: a run killed halfway leaves the file exactly as it was before.
 * The table is replaced whole in that transaction, without an index: ids are
 * unique by construction (the keys of a Map), and a PRIMARY KEY made saving a
 * million customers take 36 s (deleting and re-inserting through the index)
 * where replacing the table takes under 2 s. A file written with the index
 * (earlier versions) is read as it is and loses the index on its next save.
 */
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { reviveState, type CustomerState } from "../runtime/state.ts";
import { appendColumn } from "../runtime/columns.ts";

/** The stored state of a workspace's runs. */
export interface StoredState {
  /** The `--at` of the last committed run (epoch ms), null for a new file. */
  lastAt: number | null;
  states: Map<string, CustomerState>;
}

const FORMAT = "playbook-state-1";
const STATE_COLUMNS = "(customer_id VARCHAR NOT NULL, state VARCHAR NOT NULL)";

async function open(path: string): Promise<{ db: DuckDBInstance; con: DuckDBConnection }> {
  const db = await DuckDBInstance.create(path);
  const con = await db.connect();
  await con.run("CREATE TABLE IF NOT EXISTS meta (k VARCHAR PRIMARY KEY, v VARCHAR)");
  await con.run(`CREATE TABLE IF NOT EXISTS customer_state ${STATE_COLUMNS}`);
  return { db, con };
}

function close(h: { db: DuckDBInstance; con: DuckDBConnection }): void {
  h.con.closeSync();
  h.db.closeSync();
}

/** Reads the state file (created empty when missing). */
export async function loadState(path: string): Promise<StoredState> {
  const h = await open(path);
  try {
    const meta = new Map<string, string>();
    for (const [k, v] of (await h.con.runAndReadAll("SELECT k, v FROM meta")).getRows()) meta.set(String(k), String(v));
    const fmt = meta.get("format");
    if (fmt !== undefined && fmt !== FORMAT) throw new StateFormatError(`${path}: state format ${fmt} is not ${FORMAT}`);
    const states = new Map<string, CustomerState>();
    const res = await h.con.stream("SELECT customer_id, state FROM customer_state");
    for (let chunk = await res.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await res.fetchChunk()) {
      const [ids, docs]: [unknown[], unknown[]] = [[], []];
      appendColumn(chunk.getColumnVector(0), chunk.rowCount, ids);
      appendColumn(chunk.getColumnVector(1), chunk.rowCount, docs);
      for (let r = 0; r < chunk.rowCount; r++) states.set(String(ids[r]), reviveState(JSON.parse(String(docs[r])) as CustomerState));
    }
    const last = meta.get("last_at");
    return { lastAt: last ? Date.parse(last) : null, states };
  } finally {
    close(h);
  }
}

/** A state file written by another version or program. */
export class StateFormatError extends Error {}

/**
 * Replaces the stored state with `states` and `lastAt` in one transaction.
 * History older than `keepAfter` is dropped first: no cap window reaches it.
 */
export async function saveState(path: string, lastAt: number, states: Map<string, CustomerState>, keepAfter: number): Promise<void> {
  const h = await open(path);
  try {
    await h.con.run("BEGIN TRANSACTION");
    try {
      await h.con.run(`CREATE OR REPLACE TABLE customer_state ${STATE_COLUMNS}`);
      const app = await h.con.createAppender("customer_state");
      for (const id of [...states.keys()].sort()) {
        const s = states.get(id)!;
        const history = s.history.filter((r) => r.ts > keepAfter);
        if (history.length === 0 && s.pending.length === 0 && s.activeCadence === null && Object.keys(s.segments).length === 0) continue;
        app.appendVarchar(id);
        app.appendVarchar(JSON.stringify({ ...s, history }));
        app.endRow();
      }
      app.flushSync();
      app.closeSync();
      await h.con.run("INSERT OR REPLACE INTO meta VALUES ('format', $1), ('last_at', $2)", [FORMAT, new Date(lastAt).toISOString()]);
      await h.con.run("COMMIT");
    } catch (e) {
      await h.con.run("ROLLBACK").catch(() => undefined);
      throw e;
    }
  } finally {
    close(h);
  }
}
