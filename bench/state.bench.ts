/**
 * The `--state` file (engine/state/store.ts): saving and reading a million
 * customers' states, as a daily `run --state` does at its end and start.
 * Baseline in the same run: DuckDB alone taking the same JSON documents
 * through an appender into a plain table, and reading them back as strings
 * (no JSON.parse, no transaction). Sizes scale with BENCH_SCALE (default 1).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { DuckDBInstance } from "@duckdb/node-api";
import { loadState, saveState } from "../engine/state/store.ts";
import type { CustomerState } from "../engine/runtime/state.ts";

const SCALE = Number(process.env.BENCH_SCALE ?? "1");
const n = Math.round(1_000_000 * SCALE);
const DAY = 86_400_000;
const AT = Date.parse("2026-11-20T00:00:00Z");
const dir = mkdtempSync(join(tmpdir(), "pb-bench-state-"));

// What a run leaves: segment membership for everyone, a contact or two for one in five, a pending step for one in fifty.
const states = new Map<string, CustomerState>();
for (let i = 0; i < n; i++) {
  const s: CustomerState = { history: [], pending: [], segments: { at_risk: i % 7 === 0, champions: i % 3 === 0 }, activeCadence: null };
  if (i % 5 === 0) s.history.push({ ts: AT - (i % 6) * DAY, channel: "email", topic: "promo", rule: "vip_preview", step: 1 });
  if (i % 50 === 0) s.pending.push({ rule: "winback_at_risk", step: 2, enteredAt: AT - DAY, variant: "treatment", due: AT + 2 * DAY, planned: AT + 2 * DAY, entered: true, waiting: null, queued: false, prevSentAt: AT - DAY });
  states.set(`c${String(i).padStart(7, "0")}`, s);
}

async function baseline(path: string): Promise<{ write: number; read: number }> {
  const db = await DuckDBInstance.create(path);
  const con = await db.connect();
  await con.run("CREATE TABLE t (id VARCHAR NOT NULL, doc VARCHAR NOT NULL)");
  const docs = [...states].map(([id, s]) => [id, JSON.stringify(s)] as const);
  const t0 = performance.now();
  const app = await con.createAppender("t");
  for (const [id, doc] of docs) {
    app.appendVarchar(id);
    app.appendVarchar(doc);
    app.endRow();
  }
  app.flushSync();
  app.closeSync();
  const write = performance.now() - t0;
  const t1 = performance.now();
  const res = await con.stream("SELECT id, doc FROM t");
  let rows = 0;
  for (let chunk = await res.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await res.fetchChunk()) rows += chunk.rowCount;
  const read = performance.now() - t1;
  con.closeSync();
  db.closeSync();
  if (rows !== n) throw new Error(`baseline read ${rows} rows`);
  return { write, read };
}

const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const saves: number[] = [];
const loads: number[] = [];
const base = { write: [] as number[], read: [] as number[] };
const path = join(dir, "state.duckdb");
for (let r = 0; r < 3; r++) {
  let t0 = performance.now();
  await saveState(path, AT + r * DAY, states, AT - 30 * DAY);
  saves.push(performance.now() - t0);
  t0 = performance.now();
  const back = await loadState(path);
  loads.push(performance.now() - t0);
  if (back.states.size !== n) throw new Error(`read ${back.states.size} states`);
  const b = await baseline(join(dir, `base-${r}.duckdb`));
  base.write.push(b.write);
  base.read.push(b.read);
}
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
console.log(`state file, ${n} customers: save median ${s(med(saves))}, load median ${s(med(loads))}`);
console.log(`  baseline (appender into a plain table / read the strings back): ${s(med(base.write))} / ${s(med(base.read))} → save/baseline ${(med(saves) / med(base.write)).toFixed(2)}×, load/baseline ${(med(loads) / med(base.read)).toFixed(2)}×`);
rmSync(dir, { recursive: true, force: true });
