/**
 * The `--state` file of `playbook run`: an embedded DuckDB database holding
 * what the engine must remember between runs (contact history for caps,
 * cadence progress, queued messages, segment membership) and the instant of
 * the last run.
 *
 * Tables: `meta(k, v)` (`last_at` as ISO, `format`, `shard` as `i/N` for a
 * sharded run's state), and
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
import { closeSync, existsSync, openSync, readSync, statSync, type Stats } from "node:fs";
import { dirname, join } from "node:path";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { reviveState, type CustomerState } from "../runtime/state.ts";
import { appendColumn } from "../runtime/columns.ts";

/** The stored state of a workspace's runs. */
export interface StoredState {
  /** The `--at` of the last committed run (epoch ms), null for a new file. */
  lastAt: number | null;
  states: Map<string, CustomerState>;
  /** The `--shard i/N` of the runs that wrote it (docs/sharding.md), null for the whole customer base. */
  shard: string | null;
}

const FORMAT = "playbook-state-1";
const STATE_COLUMNS = "(customer_id VARCHAR NOT NULL, state VARCHAR NOT NULL)";

/**
 * Opens the state file, created when missing. The path is the user's: a
 * directory, a file of another program, a DuckDB database Playbook cannot
 * read or one holding other tables is refused with a `StateFormatError`
 * saying what the file is and what to do (`run` exits 2), never touched.
 */
async function open(path: string): Promise<{ db: DuckDBInstance; con: DuckDBConnection }> {
  checkFile(path);
  let db: DuckDBInstance;
  try {
    db = await DuckDBInstance.create(path);
  } catch (e) {
    throw new StateFormatError(`--state ${path} is a DuckDB file Playbook cannot open (DuckDB: ${duckMessage(e)}). ${DAMAGED}`);
  }
  const con = await db.connect();
  try {
    const tables = (await con.runAndReadAll("SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main' ORDER BY table_name")).getRows().map((r) => String(r[0]));
    const foreign = tables.filter((t) => t !== "meta" && t !== "customer_state");
    if (foreign.length > 0) {
      throw new StateFormatError(`--state ${path} is a DuckDB database of another program, not a Playbook state file (it holds ${foreign.length === 1 ? "table" : "tables"} ${foreign.slice(0, 5).join(", ")}${foreign.length > 5 ? ", …" : ""}); Playbook leaves it alone. ${FRESH}`);
    }
    await con.run("CREATE TABLE IF NOT EXISTS meta (k VARCHAR PRIMARY KEY, v VARCHAR)");
    await con.run(`CREATE TABLE IF NOT EXISTS customer_state ${STATE_COLUMNS}`);
  } catch (e) {
    con.closeSync();
    db.closeSync();
    if (e instanceof StateFormatError) throw e;
    throw new StateFormatError(`--state ${path} is a DuckDB database Playbook cannot read (DuckDB: ${duckMessage(e)}). ${DAMAGED}`);
  }
  return { db, con };
}

const FRESH = "Give --state the path of a file of its own: a path that does not exist yet starts an empty state.";
const DAMAGED = "If `playbook run --state` wrote it, it is damaged or from a newer version: restore a copy, or start an empty state at a new path (contact history and cadence progress then start over).";

/** Refuses a directory, an empty file and a file that is not a DuckDB database, before DuckDB sees it. */
function checkFile(path: string): void {
  let st: Stats;
  try {
    st = statSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") {
      // A new state file, if its folder is there.
      if (!existsSync(dirname(path))) throw new StateFormatError(`--state ${path}: the folder ${dirname(path)} does not exist`);
      return;
    }
    throw new StateFormatError(`--state ${path} cannot be read (${(e as Error).message})`);
  }
  if (st.isDirectory()) throw new StateFormatError(`--state ${path} is a directory; give the path of a state file in it, e.g. ${join(path, "state.duckdb")} (it is created when missing)`);
  if (!st.isFile()) throw new StateFormatError(`--state ${path} is not a regular file. ${FRESH}`);
  if (st.size === 0) throw new StateFormatError(`--state ${path} is an empty file, not a Playbook state file; remove it (Playbook creates the file itself at a path that does not exist) or give another path`);
  const head = Buffer.alloc(16);
  let n = 0;
  try {
    const fd = openSync(path, "r");
    try {
      n = readSync(fd, head, 0, 16, 0);
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    throw new StateFormatError(`--state ${path} cannot be read (${(e as Error).message})`);
  }
  // A DuckDB database file carries "DUCK" after an 8-byte checksum.
  if (n >= 12 && head.toString("latin1", 8, 12) === "DUCK") return;
  throw new StateFormatError(`--state ${path} is ${whatFile(head.subarray(0, n))}, not a Playbook state file (a DuckDB database); Playbook leaves it alone. ${FRESH}`);
}

/** What a file that is not a DuckDB database looks like, from its first bytes. */
function whatFile(head: Buffer): string {
  const text = head.toString("latin1");
  if (text.startsWith("SQLite format 3")) return "an SQLite database";
  if (text.startsWith("PAR1")) return "a Parquet file";
  if (head[0] === 0x1f && head[1] === 0x8b) return "a gzip file";
  if (text.startsWith("PK")) return "a zip archive";
  if (/^[\t\n\r\x20-\x7e]*$/.test(head.toString("utf8").replace(/[^\x00-\x7f]/g, " "))) {
    const first = head.toString("utf8").split(/\r?\n/)[0]!.replace(/[^\x20-\x7e]/g, "");
    return `a text file (it begins "${first}")`;
  }
  return "a file of another program";
}

/** DuckDB's error text, first line, without the path it repeats. */
function duckMessage(e: unknown): string {
  return String((e as Error)?.message ?? e).split("\n")[0]!.trim();
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
      for (let r = 0; r < chunk.rowCount; r++) states.set(String(ids[r]), reviveState(parseDoc(path, String(ids[r]), String(docs[r]))));
    }
    const last = meta.get("last_at");
    return { lastAt: last ? Date.parse(last) : null, states, shard: meta.get("shard") ?? null };
  } finally {
    close(h);
  }
}

/** A state file Playbook cannot use: a directory, another program's file, a damaged or newer one. */
export class StateFormatError extends Error {}

/** One customer's stored state; a document that is not JSON means the file was damaged. */
function parseDoc(path: string, id: string, doc: string): CustomerState {
  try {
    const s = JSON.parse(doc) as CustomerState;
    if (s && Array.isArray(s.history) && Array.isArray(s.pending) && s.segments && typeof s.segments === "object") return s;
  } catch {
    // reported below
  }
  throw new StateFormatError(`--state ${path}: the stored state of customer "${id}" is not one Playbook wrote. ${DAMAGED}`);
}

/**
 * Replaces the stored state with `states` and `lastAt` in one transaction.
 * History older than `keepAfter` is dropped first: no cap window reaches it.
 */
export async function saveState(path: string, lastAt: number, states: Map<string, CustomerState>, keepAfter: number, o: { shard?: string; readLastAt?: number | null } = {}): Promise<void> {
  const readLastAt = o.readLastAt;
  const h = await open(path);
  try {
    await h.con.run("BEGIN TRANSACTION");
    try {
      if (readLastAt !== undefined) {
        // The state must still be the one this run read: another writer in between would be overwritten.
        const now = (await h.con.runAndReadAll("SELECT v FROM meta WHERE k = 'last_at'")).getRows()[0]?.[0];
        const was = readLastAt === null ? undefined : new Date(readLastAt).toISOString();
        if ((now ?? undefined) !== was) throw new StateFormatError(`--state ${path} was changed by another run (last run ${now ?? "none"}, read as ${was ?? "none"}); nothing committed: run again`);
      }
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
      // A sharded state says which shard it holds, so no run of another split reads it (run.ts).
      if (o.shard !== undefined) await h.con.run("INSERT OR REPLACE INTO meta VALUES ('shard', $1)", [o.shard]);
      await h.con.run("COMMIT");
    } catch (e) {
      await h.con.run("ROLLBACK").catch(() => undefined);
      throw e;
    }
  } finally {
    close(h);
  }
}
