/**
 * The statistics' promises on the demo world run through the real engine
 * (compiled closures, ghosts, caps machinery), with eight one-message rules
 * on everyday triggers, each with its own true effect acting only through
 * the engine's sends. The truth is exact per run (`experiments/demo/truth.ts`).
 *
 * Seeds (each 150 customers × 21 days): 125 for coverage → 1,000 intervals
 * (coverage SE 0.7 points, so 93–97% is about ±3 SE); 60 for the A/A check →
 * 480 rules; 12 (300 customers) with tampered assignment for SRM.
 */
import { describe, expect, it } from "vitest";
import { createEngine } from "../../engine/api.ts";
import { compileExpr } from "../../engine/compile/closure.ts";
import type { Expr } from "../../language/ast.ts";
import { checkWorkspace } from "../../language/check.ts";
import { buildWorkspace, type MiniRule } from "../engine/scenarios/mini-workspace.ts";
import { simulate, worldHistory, type DecideEngine } from "../../experiments/demo/simulate.ts";
import { truthOf } from "../../experiments/demo/truth.ts";
import type { WorldOptions } from "../../experiments/demo/world.ts";
import { addDecision, newEntryTable } from "../../experiments/entries.ts";
import { EventCollector } from "../../experiments/pipeline.ts";
import type { ReportConfig } from "../../experiments/config.ts";

/** ~35 s alone on the 2-core machine; the margin is for a machine shared with other work. */
const HEAVY = 240_000;

const TRIGGERS = ["cart_abandoned", "product_viewed", "app_open", "cart_abandoned", "product_viewed", "app_open", "cart_abandoned", "product_viewed"];
const RULES = TRIGGERS.map((_, i) => `r${i}`);
const rules: Record<string, MiniRule> = Object.fromEntries(
  TRIGGERS.map((on, i) => [`r${i}`, { on, holdout: 0.5, exit: "none", send: { channel: i % 2 ? "push" : "email" } } satisfies MiniRule]),
);
const { ws } = buildWorkspace({ attributes: {}, defaults: { holdout: 0.5, expires: "1d" }, channels: { email: null, push: null }, rules });
const span = { file: "demo", start: 0, end: 0, line: 1, col: 1, endLine: 1, endCol: 1 };
const prop = (name: string, base: "string" | "number") => [name, { name, span, type: { base, nullable: false } }] as const;
for (const [name, props] of Object.entries({
  order_placed: [prop("order_id", "string"), prop("amount", "number")],
  order_delivered: [prop("order_id", "string")],
  cart_abandoned: [prop("cart_value", "number")],
  product_viewed: [prop("product_id", "string"), prop("category", "string")],
  back_in_stock: [prop("product_id", "string")],
  app_open: [],
  signed_up: [],
})) ws.schema.events.set(name, { name, span, builtin: false, props: new Map(props) });
const checkErrors = checkWorkspace(ws).filter((d) => d.severity === "error");

const cfg: ReportConfig = {
  attribution: ws.defaults.attribution, goal: "order_placed", revenueProp: "amount", channelCost: new Map(), offers: new Map(),
  holdout: new Map(RULES.map((r) => [r, 0.5])), globalHoldout: 0, alerts: {}, rules: RULES,
};

/** Wraps an engine so a share of held-out decisions is logged as treated: a broken assignment. */
function tampered(engine: DecideEngine, share: number): DecideEngine {
  return {
    decide(id, e, now) {
      return engine.decide(id, e, now).map((d) => {
        // Per customer and rule, so an entry's lines agree with each other.
        const flip = d.variant === "holdout" && ((id.charCodeAt(id.length - 1) + d.rule.charCodeAt(1)) % 10) / 10 < share;
        return flip ? { ...d, variant: "treatment" as const } : d;
      });
    },
  };
}

function run(seed: string, effects: Record<string, number>, customers = 150, tamper = 0) {
  const o: WorldOptions = { customers, days: 21, seed, start: Date.parse("2026-09-01T00:00:00Z"), historyDays: 14 };
  const { customers: cs, history } = worldHistory(o);
  let engine: DecideEngine = createEngine(ws, { compile: (e: Expr) => compileExpr(e, ws), customers: new Map(cs.map((c) => [c.id, c.attrs])), events: history });
  if (tamper) engine = tampered(engine, tamper);
  const sim = simulate(o, cs, history, engine, effects, cfg.attribution);
  const table = newEntryTable();
  for (const d of sim.decisions) addDecision(table, d);
  const col = new EventCollector(cfg, table);
  for (const { customer_id, event } of sim.events) col.add({ customer_id, event: event.name, ts: event.ts, props: event.props as never });
  return { truth: truthOf(sim.decisions, sim.orders, sim.draws, effects, cfg.attribution), report: col.finish({}) };
}

describe("the demo world through the real engine, over many seeds", () => {
  it("uses a workspace the checker accepts", () => {
    expect(checkErrors.map((d) => `${d.code} ${d.message}`)).toEqual([]);
  });

  it("has 95% intervals cover the true lift 93–97% of the time (125 seeds × 8 rules)", () => {
    const deltas = [0, 0.05, 0.1, -0.05, 0, 0.03, 0, -0.1];
    const effects = Object.fromEntries(RULES.map((r, i) => [r, deltas[i]!]));
    let covered = 0;
    let total = 0;
    for (let s = 0; s < 125; s++) {
      const { truth, report } = run(`cov-${s}`, effects);
      for (const t of truth) {
        const c = report.rules.find((r) => r.rule === t.rule)!.conversion;
        if (c.ci_low === null) continue;
        total++;
        if (c.ci_low <= t.conversion_lift && t.conversion_lift <= c.ci_high!) covered++;
      }
    }
    if (process.env.CALIBRATION_LOG) console.log(`engine coverage ${covered}/${total} = ${covered / total}`);
    expect(total).toBeGreaterThanOrEqual(950);
    expect(covered / total).toBeGreaterThanOrEqual(0.93);
    expect(covered / total).toBeLessThanOrEqual(0.97);
  }, HEAVY);

  it("with every effect zero, at most about 5% of rules come out significant at q < 0.05 (60 seeds × 8 rules)", () => {
    let sig = 0;
    let rawSig = 0;
    let total = 0;
    for (let s = 0; s < 60; s++) {
      for (const r of run(`aa-${s}`, {}).report.rules) {
        if (r.conversion.p === null) continue;
        total++;
        if (r.conversion.q! < 0.05) sig++;
        if (r.conversion.p < 0.05) rawSig++;
      }
    }
    if (process.env.CALIBRATION_LOG) console.log(`engine A/A: q<0.05 ${sig}/${total}, p<0.05 ${rawSig}/${total}`);
    expect(total).toBeGreaterThanOrEqual(450);
    expect(sig / total).toBeLessThanOrEqual(0.05);
    expect(rawSig / total).toBeLessThanOrEqual(0.08);
  }, HEAVY);

  it("fires SRM when 40% of held-out customers are logged as treated, and not on the clean log (12 seeds × 8 rules)", () => {
    let fired = 0;
    let clean = 0;
    let n = 0;
    for (let s = 0; s < 12; s++) {
      for (const r of run(`srm-${s}`, {}, 300, 0.4).report.rules) {
        n++;
        if (r.srm_flag) fired++;
      }
      for (const r of run(`srm-${s}`, {}, 300).report.rules) if (r.srm_flag) clean++;
    }
    if (process.env.CALIBRATION_LOG) console.log(`engine SRM: tampered ${fired}/${n}, clean ${clean}/${n}`);
    expect(fired / n).toBeGreaterThanOrEqual(0.9);
    expect(clean).toBeLessThanOrEqual(1);
  }, HEAVY);
});
