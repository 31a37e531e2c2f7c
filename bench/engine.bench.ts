/**
 * Engine benchmarks (issue 4, "Speed"):
 *  1. a day's `run` for 1M customers, 20M events, 25 rules — wall and peak RSS
 *     (targets ≤ 30 s, ≤ 4 GB), read from Parquet through the command path;
 *  2. `decide()` per event with 25 rules on a warmed engine — p50/p99
 *     (target p99 ≤ 0.2 ms);
 *  3. `simulate` of 90 days for 100k customers (target ≤ 60 s).
 * Baseline in the same run: DuckDB alone reading the same events file,
 * parsing every time and counting per customer (the floor of any run over
 * this file), so the figures can be read against the machine's speed. Sizes scale with BENCH_SCALE (default 1).
 *
 * The workspace is the example shop workspace (playbooks/shop) plus 15
 * generated rules, loaded and checked as `playbook run` does and compiled by
 * `compileExpr`, with RFM scored as the commands do.
 */
import { copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { spawnSync } from "node:child_process";
import { DuckDBInstance } from "@duckdb/node-api";
import type { Workspace } from "../language/ast.ts";
import type { EventRecord, Value } from "../language/values.ts";
import { compileExpr } from "../engine/compile/closure.ts";
import { buildProgram } from "../engine/runtime/program.ts";
import { decideFromFiles, loadProgram } from "../engine/runtime/inputs.ts";
import { writeLog } from "../engine/runtime/log-file.ts";
import { stripTime } from "../engine/runtime/order.ts";
import { createEngine } from "../engine/api.ts";
import { generate } from "./gen/shop.ts";

const SCALE = Number(process.env.BENCH_SCALE ?? "1");
const AT = Date.parse("2026-11-20T00:00:00Z");
const DAY = 86_400_000;
const CACHE = process.env.BENCH_CACHE ?? "/tmp/pb-bench-engine";

/** The example workspace (playbooks/shop) plus generated rules up to 25, loaded and checked like `playbook run` does. */
export async function benchWorkspace(): Promise<Workspace> {
  const dir = join(CACHE, "workspace");
  mkdirSync(dir, { recursive: true });
  const shop = join(import.meta.dirname, "..", "playbooks", "shop");
  for (const f of readdirSync(shop)) if (f.endsWith(".yaml")) copyFileSync(join(shop, f), join(dir, f));
  const events = ["order_placed", "cart_abandoned", "product_viewed", "app_open", "order_delivered"];
  const rules: string[] = ["rules:"];
  for (let i = 0; i < 15; i++) {
    const ev = events[i % events.length]!;
    rules.push(
      `  gen_${i}:`,
      `    on: ${i % 3 === 0 ? `${1 + (i % 5)}d after ${ev}` : ev}`,
      `    who: count(${ev} within ${7 * (1 + (i % 4))}d) >= ${1 + (i % 3)}`,
      `    priority: ${5 + ((i * 7) % 90)}`,
      `    send: { channel: ${i % 2 ? "[push, email]" : "[email, sms]"}, template: weekly_digest, topic: topic_${i % 4} }`,
    );
  }
  writeFileSync(join(dir, "generated.yaml"), rules.join("\n") + "\n");
  const { program } = await loadProgram(dir);
  if (program.ws.rules.size !== 25) throw new Error(`expected 25 rules, got ${program.ws.rules.size}`);
  return program.ws;
}

const rssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);

/** The machine's floor for this file: DuckDB alone reads every event, parses its time and counts per customer. */
async function baselineScan(dir: string): Promise<number> {
  const db = await DuckDBInstance.create(":memory:");
  const con = await db.connect();
  const t0 = performance.now();
  await con.runAndReadAll(`SELECT count(*), sum(n) FROM (SELECT customer_id, count(TRY_CAST(ts AS TIMESTAMPTZ)) AS n FROM read_parquet('${dir}/events.parquet') GROUP BY customer_id)`);
  const ms = performance.now() - t0;
  con.closeSync();
  db.closeSync();
  return ms;
}

async function benchRun(ws: Workspace): Promise<void> {
  const customers = Math.round(1_000_000 * SCALE);
  const events = Math.round(20_000_000 * SCALE);
  const dir = join(CACHE, `run-${customers}-${events}`);
  const tg = performance.now();
  await generate(dir, customers, events, 365);
  console.log(`data: ${customers} customers, ${events} events (generated/cached in ${((performance.now() - tg) / 1000).toFixed(1)} s)`);
  const p = buildProgram(ws, (e) => compileExpr(e, ws));
  const t0 = performance.now();
  const r = await decideFromFiles(p, { customers: join(dir, "customers.parquet"), events: join(dir, "events.parquet") }, new Map(), AT - DAY, AT, true, undefined, { keepStates: false });
  const out = join(dir, "decisions.jsonl");
  await writeLog(out, r.decisions.map(stripTime));
  const wall = performance.now() - t0;
  // Peak RSS is read before the baseline runs, so it is the run's own (plus generation, if any).
  console.log(`run (1 day, 25 rules): ${(wall / 1000).toFixed(1)} s wall, ${r.decisions.length} decisions, peak RSS ${rssMb()} MB  (targets: 30 s, 4096 MB)`);
  const base = await baselineScan(dir);
  console.log(`  baseline: DuckDB alone reading the events, parsing every time, counting per customer: ${(base / 1000).toFixed(1)} s → run/baseline ${(wall / base).toFixed(2)}×`);
  rmSync(out, { force: true });
}

function benchDecide(ws: Workspace): void {
  const customers = Math.round(10_000 * Math.max(SCALE, 0.1));
  const attrs = new Map<string, Record<string, Value>>();
  for (let i = 0; i < customers; i++) {
    attrs.set(`c${i}`, { customer_id: `c${i}`, first_name: "N", email: "e@x", consent_email: true, consent_push: i % 2 === 0, consent_sms: false, consent_telegram: false, is_employee: false, timezone: "Europe/Moscow" });
  }
  const engine = createEngine(ws, { customers: attrs });
  const names = ["product_viewed", "app_open", "cart_abandoned", "order_placed", "order_delivered", "back_in_stock"];
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const evAt = (now: number): EventRecord => {
    const name = names[Math.floor(rnd() * names.length)]!;
    return { name, ts: now, props: { cart_value: Math.round(rnd() * 3000), amount: 100, product_id: "p1", category: "c", order_id: "o" } };
  };
  let now = AT - 30 * DAY;
  const step = (30 * DAY) / (customers * 20);
  // Warm: 20 events per customer over 30 days.
  for (let i = 0; i < customers * 20; i++) {
    now += step;
    const id = `c${Math.floor(rnd() * customers)}`;
    engine.decide(id, evAt(Math.round(now)), Math.round(now));
  }
  // A backend ticks idle customers for scheduled triggers (every/anniversary/inactivity); so does the bench
  // before measuring, so that a measured call decides what is due since the customer's previous call.
  for (let i = 0; i < customers; i++) engine.decide(`c${i}`, null, Math.round(now));
  now = Math.round(now);
  const times: number[] = [];
  for (let i = 0; i < 100_000; i++) {
    now += 1000;
    const id = `c${Math.floor(rnd() * customers)}`;
    const t0 = performance.now();
    engine.decide(id, evAt(now), now);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const q = (x: number) => times[Math.floor(times.length * x)]!.toFixed(4);
  console.log(`decide() with 25 rules, warmed and ticked (${customers} customers, ~20 events each, then 100k events 1 s apart): p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${times[times.length - 1]!.toFixed(3)} ms  (target p99 0.2 ms)`);
}

async function benchSimulate(ws: Workspace): Promise<void> {
  const customers = Math.round(100_000 * SCALE);
  const events = customers * 30;
  const dir = join(CACHE, `sim-${customers}-${events}`);
  await generate(dir, customers, events, 180);
  const p = buildProgram(ws, (e) => compileExpr(e, ws));
  const t0 = performance.now();
  const r = await decideFromFiles(p, { customers: join(dir, "customers.parquet"), events: join(dir, "events.parquet") }, new Map(), AT - 90 * DAY, AT, true);
  const wall = performance.now() - t0;
  console.log(`simulate 90 days: ${customers} customers, ${events} events: ${(wall / 1000).toFixed(1)} s, ${r.decisions.length} decisions  (target 60 s)`);
}

const which = process.env.BENCH_ENGINE;
if (which === undefined) {
  // Each part in its own process (same flags), so that memory and heap state do not carry over.
  for (const part of ["decide", "simulate", "run"]) {
    spawnSync(process.execPath, [...process.execArgv, import.meta.filename], { stdio: "inherit", env: { ...process.env, BENCH_ENGINE: part } });
  }
} else {
  const ws = await benchWorkspace();
  if (which.includes("decide")) benchDecide(ws);
  if (which.includes("simulate")) await benchSimulate(ws);
  if (which.includes("run")) await benchRun(ws);
}
