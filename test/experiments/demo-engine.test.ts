/**
 * The demo world through the real engine (`createEngine` + compiled closures)
 * on a small workspace built with the engine's scenario builder (the YAML
 * front end is not needed for it): decisions flow, effects act through the
 * engine's sends only, and the report's intervals cover the world's truth.
 */
import { describe, expect, it } from "vitest";
import { createEngine } from "../../engine/api.ts";
import { compileExpr } from "../../engine/compile/closure.ts";
import type { Expr } from "../../language/ast.ts";
import { buildWorkspace } from "../engine/scenarios/mini-workspace.ts";
import { checkWorkspace } from "../../language/check.ts";
import { simulate, worldHistory } from "../../experiments/demo/simulate.ts";
import { truthOf } from "../../experiments/demo/truth.ts";
import type { WorldOptions } from "../../experiments/demo/world.ts";
import { addDecision, newEntryTable } from "../../experiments/entries.ts";
import { EventCollector } from "../../experiments/pipeline.ts";
import type { ReportConfig } from "../../experiments/config.ts";

const DAY = 86_400_000;
const { ws } = buildWorkspace({
  attributes: { consent_email: "bool", consent_push: "bool" },
  defaults: { holdout: 0.5, exit: ["order_placed"], expires: "1d" },
  channels: { email: "consent_email", push: "consent_push" },
  caps: ["max 2 per 1d"],
  rules: {
    cart_recovery: { on: "cart_abandoned", holdout: 0.5, steps: [{ after: "1h", channel: ["push", "email"] }, { after: "1d", channel: "email" }] },
    welcome: { on: "signed_up", holdout: 0.5, send: { channel: "email" } },
    app_nudge: { on: "no app_open for 14d", holdout: 0.5, send: { channel: ["push", "email"] } },
  },
});
// The world's events, as the shop's schema declares them; then names are resolved by the project's checker.
const span = { file: "demo", start: 0, end: 0, line: 1, col: 1, endLine: 1, endCol: 1 };
const prop = (name: string, base: "string" | "number" | "bool") => [name, { name, span, type: { base, nullable: false } }] as const;
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

const effects = { cart_recovery: 0.1, welcome: 0, app_nudge: -0.1 };
const rules = ["cart_recovery", "welcome", "app_nudge"];
const cfg: ReportConfig = {
  attribution: ws.defaults.attribution, goal: "order_placed", revenueProp: "amount", channelCost: new Map(), offers: new Map(),
  holdout: new Map(rules.map((r) => [r, 0.5])), globalHoldout: 0, alerts: {}, rules,
};

function run(seed: string) {
  const o: WorldOptions = { customers: 250, days: 30, seed, start: Date.parse("2026-09-01T00:00:00Z"), historyDays: 30 };
  const { customers, history } = worldHistory(o);
  const engine = createEngine(ws, { compile: (e: Expr) => compileExpr(e, ws), customers: new Map(customers.map((c) => [c.id, c.attrs])), events: history });
  const sim = simulate(o, customers, history, engine, effects, cfg.attribution);
  const table = newEntryTable();
  for (const d of sim.decisions) addDecision(table, d);
  const col = new EventCollector(cfg, table);
  for (const { customer_id, event } of sim.events) col.add({ customer_id, event: event.name, ts: event.ts, props: event.props as never });
  return { sim, truth: truthOf(sim.decisions, sim.orders, sim.draws, effects, cfg.attribution), report: col.finish({}) };
}

describe("demo world through the real engine", () => {
  it("uses a workspace the checker accepts", () => {
    expect(checkErrors.map((d) => `${d.code} ${d.message}`)).toEqual([]);
  });

  it("produces sends and ghosts, and extra orders only from the engine's sends", () => {
    const { sim } = run("engine-1");
    const statuses = new Set(sim.decisions.map((d) => d.status));
    expect(statuses.has("send")).toBe(true);
    expect(statuses.has("ghost")).toBe(true);
    const sent = new Set(sim.decisions.filter((d) => d.status === "send").map((d) => d.entry_id));
    const extra = sim.orders.filter((o) => o.causedBy);
    expect(extra.length).toBeGreaterThan(0);
    for (const o of extra) expect(sent.has(o.causedBy!)).toBe(true);
  });

  it("has the report's 95% intervals cover the world's true lifts over 12 seeds", () => {
    let covered = 0;
    let total = 0;
    for (let s = 0; s < 12; s++) {
      const { truth, report } = run(`engine-cov-${s}`);
      for (const t of truth) {
        const c = report.rules.find((r) => r.rule === t.rule)?.conversion;
        if (!c || c.ci_low === null) continue;
        total++;
        if (c.ci_low <= t.conversion_lift && t.conversion_lift <= c.ci_high!) covered++;
      }
    }
    if (process.env.CALIBRATION_LOG) console.log(`engine demo coverage ${covered}/${total}`);
    expect(total).toBeGreaterThanOrEqual(24);
    // ~36 intervals: binomial SD ~3.6 points around 95%; 80% is 4 SD below.
    expect(covered / total).toBeGreaterThanOrEqual(0.8);
  });
});
