/**
 * `npm run bench -- report`: the report for 25 rules over 1M entries and 5M
 * outcome events (issue 5: ≤ 5 s). Synthetic and seeded: 400k customers,
 * entries over 30 days with a 10% holdout, goal events over 60 days, written
 * to a temporary folder as the files `playbook report` reads.
 *
 * Measured (median of BENCH_RUNS, default 3):
 *  - the command's path: DuckDB reads the decision log (JSONL) and the events
 *    (CSV), joins and aggregates; JS computes the statistics — from files to
 *    the finished report. Each run is a fresh process, as `playbook report`
 *    is: not this one, whose heap holds the generated data;
 *  - the in-memory path (library, tests, demo) on the same data already in
 *    memory, for comparison.
 * Baseline in the same run, also in a fresh process each time: DuckDB only
 * counting the rows of both files (the floor of anything that reads them).
 */
import seedrandom from "seedrandom";
import { createWriteStream, mkdtempSync, rmSync, statSync } from "node:fs";
import { once as onceEvent } from "node:events";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { DuckDBInstance } from "@duckdb/node-api";
import { decisionToJson, isoSeconds } from "../engine/decision.ts";
import type { ReportConfig } from "../experiments/config.ts";
import { newEntryTable } from "../experiments/entries.ts";
import { EventCollector } from "../experiments/pipeline.ts";
import { addDecisionLine, type BadRow } from "../experiments/read.ts";
import { aggregateWithDuckDB } from "../experiments/sql/aggregate.ts";
import { buildReport } from "../experiments/report.ts";

// BENCH_SCALE=0.1 for a quick look while working; figures are quoted at 1.
const SCALE = Number(process.env.BENCH_SCALE ?? 1);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const RULES = 25;
const ENTRIES = Math.round(1_000_000 * SCALE);
const EVENTS = Math.round(5_000_000 * SCALE);
const CUSTOMERS = Math.round(400_000 * SCALE);
const DAY = 86_400_000;
const T0 = Date.parse("2026-09-01T00:00:00Z");

const rules = Array.from({ length: RULES }, (_, i) => `rule_${String(i).padStart(2, "0")}`);
const cfg: ReportConfig = {
  attribution: 7 * DAY, goal: "order_placed", revenueProp: "amount",
  channelCost: new Map([["email", 0.002], ["push", 0.001]]), offers: new Map([["rule_00", new Map([[1, 150]])]]),
  holdout: new Map(rules.map((r) => [r, 0.1])), globalHoldout: 0, alerts: {}, rules,
};

/** DuckDB only counting the rows of both files: the floor of anything that reads them. */
async function baseline(decisionsPath: string, eventsPath: string): Promise<number> {
  const t = performance.now();
  const db = await DuckDBInstance.create(":memory:");
  const con = await db.connect();
  await con.runAndReadAll(`SELECT (SELECT count(*) FROM read_json('${decisionsPath}', format = 'newline_delimited')), (SELECT count(*) FROM read_csv('${eventsPath}', header = true, all_varchar = true))`);
  con.closeSync();
  db.closeSync();
  return performance.now() - t;
}

/** The command's path, from the files to the finished report. */
async function fromFiles(decisionsPath: string, eventsPath: string): Promise<number> {
  const t = performance.now();
  const agg = await aggregateWithDuckDB(cfg, decisionsPath, eventsPath);
  if (!agg) throw new Error("DuckDB refused the bench's files");
  const rep = buildReport(cfg, agg);
  if (rep.rules.length !== RULES) throw new Error("wrong rule count");
  return performance.now() - t;
}

const child = process.env.BENCH_REPORT_CHILD;
if (child) {
  // One measurement in a fresh process: the baseline or the command's path.
  const measure = process.env.BENCH_REPORT_PART === "base" ? baseline : fromFiles;
  console.log(JSON.stringify(await measure(join(child, "decisions.jsonl"), join(child, "events.csv"))));
  process.exit(0);
}

/** Milliseconds of one measurement in its own process. */
function inChild(part: "base" | "files"): number {
  const run = spawnSync(process.execPath, [...process.execArgv, import.meta.filename], {
    env: { ...process.env, BENCH_REPORT_CHILD: dir, BENCH_REPORT_PART: part }, encoding: "utf8",
  });
  if (run.status !== 0) throw new Error(`report bench (${part}) failed:\n${run.stderr}`);
  return Number(run.stdout.trim().split("\n").pop());
}

const rng = seedrandom("report-bench");
const dir = mkdtempSync(join(tmpdir(), "report-bench-"));
const decisionsPath = join(dir, "decisions.jsonl");
const eventsPath = join(dir, "events.csv");

console.log(`generating ${ENTRIES.toLocaleString("en")} decision lines and ${EVENTS.toLocaleString("en")} goal events in ${dir}…`);
const lines: string[] = new Array(ENTRIES);
for (let i = 0; i < ENTRIES; i++) {
  const c = `c${Math.floor(rng() * CUSTOMERS)}`;
  const rule = rules[i % RULES]!;
  const at = isoSeconds(T0 + 30 * DAY + Math.floor(rng() * 30 * 24) * 3_600_000);
  const treated = rng() >= 0.1;
  lines[i] = decisionToJson({
    customer_id: c, rule, step: 1, entry_id: `${rule}:${c}:${at}`, entered_at: at, variant: treated ? "treatment" : "holdout",
    status: treated ? "send" : "ghost", channel: rng() < 0.5 ? "email" : "push", template: "t", topic: rule, send_at: at, reason: null, playbook: "bench",
  });
}
const evCustomer: string[] = new Array(EVENTS);
const evTs = new Float64Array(EVENTS);
const evAmount = new Float64Array(EVENTS);
for (let i = 0; i < EVENTS; i++) {
  evCustomer[i] = `c${Math.floor(rng() * CUSTOMERS)}`;
  evTs[i] = T0 + Math.floor(rng() * 60 * DAY);
  evAmount[i] = Math.round(100 + rng() * 3000);
}

async function write(path: string, count: number, line: (i: number) => string, header?: string): Promise<void> {
  const w = createWriteStream(path);
  if (header) w.write(header + "\n");
  for (let i = 0; i < count; i += 10_000) {
    const chunk: string[] = [];
    for (let k = i; k < Math.min(count, i + 10_000); k++) chunk.push(line(k));
    if (!w.write(chunk.join("\n") + "\n")) await onceEvent(w, "drain");
  }
  w.end();
  await onceEvent(w, "finish");
}
await write(decisionsPath, ENTRIES, (i) => lines[i]!);
await write(eventsPath, EVENTS, (i) => `${evCustomer[i]},order_placed,${isoSeconds(evTs[i]!)},${evAmount[i]}`, "customer_id,event,ts,amount");
const mb = (p: string) => `${(statSync(p).size / 2 ** 20).toFixed(0)} MB`;
const logSize = mb(decisionsPath);
const evSize = mb(eventsPath);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function inMemory(): number {
  const t = performance.now();
  const table = newEntryTable(cfg.offers);
  const bad: BadRow[] = [];
  for (let i = 0; i < ENTRIES; i++) addDecisionLine(table, lines[i]!, "bench.jsonl", i + 1, bad);
  const col = new EventCollector(cfg, table);
  for (let i = 0; i < EVENTS; i++) col.addGoal(evCustomer[i]!, evTs[i]!, evAmount[i]!);
  col.finish({});
  return performance.now() - t;
}

const files: number[] = [];
const memory: number[] = [];
const base: number[] = [];
for (let r = 0; r < RUNS; r++) {
  base.push(inChild("base"));
  files.push(inChild("files"));
  memory.push(inMemory());
}
if (process.env.BENCH_KEEP) console.log(`kept ${dir}`);
else rmSync(dir, { recursive: true, force: true });
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
console.log(`report: ${RULES} rules, ${ENTRIES.toLocaleString("en")} entries, ${EVENTS.toLocaleString("en")} goal events (decision log JSONL ${logSize}, events CSV ${evSize}); median of ${RUNS}`);
console.log(`  playbook report path (DuckDB from the files → report, fresh process)  ${s(median(files))}  (runs: ${files.map(s).join(", ")})   target ≤ 5 s`);
console.log(`  baseline: DuckDB only counting the rows of both files   ${s(median(base))}   → report = ${(median(files) / median(base)).toFixed(1)}× baseline`);
console.log(`  in-memory path (lines and events already in memory)    ${s(median(memory))}`);
console.log(`  RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB`);
