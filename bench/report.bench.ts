/**
 * `npm run bench -- report`: the report for 25 rules over 1M entries and 5M
 * outcome events (issue 5: ≤ 5 s). Synthetic, seeded: 400k customers, entries
 * spread over 30 days with a 10% holdout, goal events over 60 days.
 *
 * Measured (median of 3): parsing and checking the decision log lines (JSON),
 * feeding the events through the report's collector (rows as a reader hands
 * them over), and building the report. Reading the events file itself is the
 * data readers' job and is benchmarked there. Baseline in the same run: one
 * plain loop over the same events and entries (the floor of any report).
 */
import seedrandom from "seedrandom";
import { decisionToJson, isoSeconds } from "../engine/decision.ts";
import type { ReportConfig } from "../experiments/config.ts";
import { newEntryTable } from "../experiments/entries.ts";
import { EventCollector } from "../experiments/pipeline.ts";
import { addDecisionLine, type BadRow } from "../experiments/read.ts";

const RULES = 25;
// BENCH_SCALE=0.1 for a quick look while working; figures are quoted at 1.
const SCALE = Number(process.env.BENCH_SCALE ?? 1);
const ENTRIES = Math.round(1_000_000 * SCALE);
const EVENTS = Math.round(5_000_000 * SCALE);
const CUSTOMERS = Math.round(400_000 * SCALE);
const DAY = 86_400_000;
const T0 = Date.parse("2026-09-01T00:00:00Z");

const rng = seedrandom("report-bench");
const rules = Array.from({ length: RULES }, (_, i) => `rule_${String(i).padStart(2, "0")}`);
const cfg: ReportConfig = {
  attribution: 7 * DAY, goal: "order_placed", revenueProp: "amount",
  channelCost: new Map([["email", 0.002], ["push", 0.001]]), offers: new Map([["rule_00", new Map([[1, 150]])]]),
  holdout: new Map(rules.map((r) => [r, 0.1])), globalHoldout: 0, alerts: {}, rules,
};

console.log(`generating ${ENTRIES.toLocaleString("en")} decision lines and ${EVENTS.toLocaleString("en")} goal events…`);
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

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function baseline(): number {
  const t = performance.now();
  let sum = 0;
  let chars = 0;
  for (let i = 0; i < ENTRIES; i++) chars += lines[i]!.length;
  for (let i = 0; i < EVENTS; i++) if (evTs[i]! > T0) sum += evAmount[i]! + evCustomer[i]!.length;
  if (sum + chars < 0) console.log("impossible");
  return performance.now() - t;
}

function once(): { parse: number; events: number; build: number; total: number; rules: number } {
  const t0 = performance.now();
  const table = newEntryTable(cfg.offers);
  const bad: BadRow[] = [];
  for (let i = 0; i < ENTRIES; i++) addDecisionLine(table, lines[i]!, "bench.jsonl", i + 1, bad);
  if (bad.length) throw new Error(`bench produced bad lines: ${bad[0]!.reason}`);
  const t1 = performance.now();
  const col = new EventCollector(cfg, table);
  for (let i = 0; i < EVENTS; i++) col.addGoal(evCustomer[i]!, evTs[i]!, evAmount[i]!);
  const t2 = performance.now();
  const rep = col.finish({});
  const t3 = performance.now();
  return { parse: t1 - t0, events: t2 - t1, build: t3 - t2, total: t3 - t0, rules: rep.rules.length };
}

const runs = Array.from({ length: Number(process.env.BENCH_RUNS ?? 3) }, once);
const base = median([baseline(), baseline(), baseline()]);
const m = (k: "parse" | "events" | "build" | "total") => median(runs.map((r) => r[k]));
const rss = process.memoryUsage().rss / 2 ** 20;
console.log(`report: ${runs[0]!.rules} rules, ${ENTRIES.toLocaleString("en")} entries, ${EVENTS.toLocaleString("en")} goal events (median of ${runs.length})`);
console.log(`  decision log lines parsed + checked  ${(m("parse") / 1000).toFixed(2)} s`);
console.log(`  events through the collector        ${(m("events") / 1000).toFixed(2)} s`);
console.log(`  report built (windows, stats, q)    ${(m("build") / 1000).toFixed(2)} s`);
console.log(`  total                               ${(m("total") / 1000).toFixed(2)} s   (target ≤ 5 s)`);
console.log(`  baseline: one plain loop over the same lines and events ${(base / 1000).toFixed(3)} s → report = ${(m("total") / base).toFixed(1)}× baseline`);
console.log(`  peak-ish RSS ${rss.toFixed(0)} MB`);
