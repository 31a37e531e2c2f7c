/**
 * Compiled predicates on 1M in-memory customers (seeded), 5-clause predicate
 * `age >= 30 and city in ["London", "Paris"] and consent_email and rfm_m >= 3
 * and orders_90d > 2` with features precomputed as row fields. Measures
 * evaluations/s of (a) our compiled row predicate, (b) json-logic-js `apply`
 * on our JSON Logic export, (c) a hand-written JS loop — medians of 5 runs in
 * this process — and prints ratios. Targets (issue 2): ≥ 30M eval/s, ≥ 25× json-logic-js,
 * within 2× of hand-written. Also checks the three agree on the count of matches.
 */
import seedrandom from "seedrandom";
import jsonLogic from "json-logic-js";
import { compileExpr, compileRowPredicate } from "../engine/compile/closure.ts";
import { toJsonLogic } from "../engine/compile/jsonlogic.ts";
import { evaluate } from "../language/evaluator.ts";
import { B, BASE, DAY, testWorkspace } from "../test/support/arbitraries.ts";
import type { EvalEnv, EventRecord } from "../language/values.ts";

const N = 1_000_000;
const RUNS = 5;
const rng = seedrandom("predicate-bench");
const CITIES = ["London", "Paris", "Berlin", "Madrid", "Rome", "Oslo"];

interface Row {
  age: number | null;
  city: string | null;
  consent_email: boolean | null;
  rfm_m: number | null;
  orders_90d: number;
}
const rows: Row[] = new Array(N);
for (let i = 0; i < N; i++) {
  rows[i] = {
    age: rng() < 0.05 ? null : 18 + Math.floor(rng() * 50),
    city: rng() < 0.05 ? null : CITIES[Math.floor(rng() * CITIES.length)]!,
    consent_email: rng() < 0.05 ? null : rng() < 0.7,
    rfm_m: rng() < 0.1 ? null : 1 + Math.floor(rng() * 5),
    orders_90d: Math.floor(rng() * 6),
  };
}

const ws = testWorkspace();
const clause = [
  B.bin(">=", B.attr("age"), B.num(30)),
  B.in(B.attr("city"), B.list(B.str("London"), B.str("Paris"))),
  B.attr("consent_email"),
  B.bin(">=", B.attr("rfm_m"), B.num(3)),
  B.bin(">", B.attr("orders_90d"), B.num(2)),
];
const expr = clause.reduce((l, r) => B.bin("and", l, r));

const compiled = compileRowPredicate(expr, ws);
const rule = toJsonLogic(expr, ws);
const hand = (r: Row): boolean =>
  r.age !== null && r.age >= 30 && (r.city === "London" || r.city === "Paris") && r.consent_email === true && r.rfm_m !== null && r.rfm_m >= 3 && r.orders_90d > 2;

/** A fresh loop per contender (own type feedback), counting matches over `n` rows. */
function loopFor(pred: (r: Row, now: number) => unknown): (n: number) => number {
  const loop = new Function("pred", "rows", "now", "n", "let c = 0; for (let i = 0; i < n; i++) if (pred(rows[i], now) === true) c++; return c;") as (
    p: typeof pred, rs: Row[], now: number, n: number) => number;
  return (n) => loop(pred, rows, BASE, n);
}

function measure(name: string, run: (n: number) => number, n: number, total = N): { name: string; perSec: number; matches: number } {
  run(Math.min(n, 50_000)); // warm-up
  const times: number[] = [];
  let matches = 0;
  for (let k = 0; k < RUNS; k++) {
    const t0 = process.hrtime.bigint();
    matches = run(n);
    times.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(RUNS / 2)]!;
  return { name: n === total ? name : `${name} (first ${n / 1000}k rows)`, perSec: n / median, matches };
}

const results = [
  measure("hand-written JS loop", loopFor(hand), N),
  measure("compiled (compileRowPredicate)", loopFor(compiled), N),
  measure("json-logic-js apply(toJsonLogic)", loopFor((r) => jsonLogic.apply(rule as never, r as never)), N),
  measure("reference evaluator", loopFor((r) => evaluate(expr, { now: BASE, customer: r as never, events: [], rfm: null }, ws)), 200_000),
];

const fmt = (x: number) => (x / 1e6).toFixed(1).padStart(7) + "M eval/s";
console.log(`predicate: ${N.toLocaleString("en")} customers, 5 clauses, median of ${RUNS} runs (load average ${(await import("node:os")).loadavg()[0]!.toFixed(1)} on ${(await import("node:os")).cpus().length} cores)`);
for (const r of results) console.log(`  ${r.name.padEnd(46)} ${fmt(r.perSec)}   matches ${r.matches}`);
const [handR, ours, jl] = results as [typeof results[0], typeof results[0], typeof results[0]];
console.log(`  compiled vs json-logic-js: ${(ours.perSec / jl.perSec).toFixed(1)}×  (target ≥ 25×)`);
console.log(`  hand-written vs compiled:  ${(handR.perSec / ours.perSec).toFixed(2)}×  (target ≤ 2×)`);
console.log(`  compiled ≥ 30M eval/s: ${ours.perSec >= 30e6 ? "yes" : "no"}`);
if (new Set(results.slice(0, 3).map((r) => r.matches)).size !== 1) {
  console.log("  MISMATCH: the contenders disagree on the number of matches");
  process.exitCode = 1;
}

// Per-customer mode (what the engine runs): aggregates scanned from each customer's events.
const M = 100_000;
const envs: EvalEnv[] = new Array(M);
for (let i = 0; i < M; i++) {
  const events: EventRecord[] = [];
  const k = Math.floor(rng() * 12);
  for (let j = 0; j < k; j++) events.push({ name: rng() < 0.6 ? "order_placed" : "page_viewed", ts: BASE - Math.floor(rng() * 90 * DAY), props: { amount: Math.floor(rng() * 80), category: "shoes" } });
  events.sort((a, b) => a.ts - b.ts);
  envs[i] = { now: BASE, customer: rows[i] as never, events, rfm: null };
}
const envExpr = B.bin("and", B.bin(">=", B.agg("count", "order_placed", { within: 30 * DAY }), B.num(2)), B.bin(">", B.agg("sum", "order_placed", { prop: "amount", within: 90 * DAY }), B.num(100)));
const envCompiled = compileExpr(envExpr, ws);
function envLoop(f: (e: EvalEnv) => unknown): (n: number) => number {
  const loop = new Function("f", "envs", "n", "let c = 0; for (let i = 0; i < n; i++) if (f(envs[i]) === true) c++; return c;") as (f: unknown, e: EvalEnv[], n: number) => number;
  return (n) => loop(f, envs, n);
}
const envResults = [measure("compiled closure (compileExpr)", envLoop(envCompiled), M, M), measure("reference evaluator", envLoop((e) => evaluate(envExpr, e, ws)), M, M)];
console.log(`per-customer: ${M.toLocaleString("en")} customers, 0-11 events each, count(… within 30d) >= 2 and sum(… within 90d) > 100`);
for (const r of envResults) console.log(`  ${r.name.padEnd(46)} ${fmt(r.perSec)}   matches ${r.matches}`);
console.log(`  compiled vs evaluator: ${(envResults[0]!.perSec / envResults[1]!.perSec).toFixed(1)}×`);
if (envResults[0]!.matches !== envResults[1]!.matches) process.exitCode = 1;
