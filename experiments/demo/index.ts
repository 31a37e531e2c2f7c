/**
 * `playbook demo`: builds the synthetic shop, simulates it through the real
 * engine with the example workspace (`playbooks/shop`), writes the data, the
 * decision log and the ground truth, and reports. The engine and the language
 * front end are loaded at run time: the demo needs the whole pipeline and
 * says what is missing when a part is not there.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { decisionToJson, isoSeconds, type Decision } from "../../engine/decision.ts";
import type { Expr, Workspace } from "../../language/ast.ts";
import type { EventRecord, Value } from "../../language/values.ts";
import { simulate, worldHistory, type DecideEngine, type SimResult } from "./simulate.ts";
import { rfmScorer } from "../../engine/rfm.ts";
import { createEngine } from "../../engine/api.ts";
import { compileExpr } from "../../engine/compile/closure.ts";
import { loadWorkspace } from "../../language/index.ts";
import { checkWorkspace } from "../../language/check.ts";
import { truthOf, type RuleTruth } from "./truth.ts";
import type { WorldOptions } from "./world.ts";

const here = dirname(fileURLToPath(import.meta.url));
/** The example workspace the demo runs. */
export const SHOP = resolve(here, "../../playbooks/shop");

/**
 * True effects of the example's rules on the chance to order within the
 * attribution window, per send: two large (cart recovery, restock alert),
 * three small, several zero, one negative (`winback_at_risk`: the discount
 * mail that annoys at-risk customers). Sized for the demo's shop
 * (`DEMO_SIZE`, README "Size"): with the example's 10–20% holdouts an effect
 * is found at 80% power only when it is several points on thousands of entries,
 * so the rules that reach most customers carry effects the report can find,
 * and the rules that reach a few hundred (sign-ups, birthdays, renewals)
 * carry small ones, below 3 pp — what a report honestly cannot yet tell
 * from zero, and the power column says so.
 */
export const DEFAULT_EFFECTS: Record<string, number> = {
  welcome: 0.01,
  cart_recovery: 0.12,
  birthday: 0.02,
  review_request: 0,
  restock_alert: 0.07,
  app_comeback: 0,
  renewal: 0.03,
  vip_preview: 0,
  winback_at_risk: -0.03,
  hibernating_nudge: 0,
};

/**
 * The size of `playbook demo` (and so of `npm start`) by default. Chosen by
 * measurement (experiments/demo/README.md, "Size"): the most customers that
 * keep the whole demo as fast as the 1,000 × 60 of before, on the 2-core
 * machine; two weeks rather than two months because most rules count a
 * customer once (first entries), so customers buy power and days mostly cost time.
 */
export const DEMO_SIZE = { customers: 6000, days: 14 } as const;

/** Options of a demo run. */
export interface DemoOptions {
  customers: number;
  days: number;
  seed: string;
  effects?: Record<string, number>;
  /** First simulated day; default 2026-09-01. */
  start?: number;
  /** Told how many customers are simulated so far, of how many (the CLI's progress bar). */
  onProgress?: (done: number, total: number) => void;
}

/** A finished simulation plus its truth. */
export interface DemoRun {
  ws: Workspace;
  sim: SimResult;
  truth: RuleTruth[];
  world: WorldOptions;
}

type Loaded = {
  ws: Workspace;
  engine: (ws: Workspace, customers: Map<string, Record<string, Value>>, history: Map<string, EventRecord[]>, start: number) => DecideEngine;
};

/** Loads and checks the workspace; `missing` says why it cannot be used (errors in it). */
export async function loadPipeline(dir = SHOP): Promise<Loaded | { missing: string }> {
  const { workspace, diagnostics } = await loadWorkspace(dir);
  const all = [...diagnostics, ...(diagnostics.some((d) => d.severity === "error") ? [] : checkWorkspace(workspace))];
  const errors = all.filter((d) => d.severity === "error");
  if (errors.length) return { missing: `a workspace without errors (${errors.length} in ${dir})` };
  return {
    ws: workspace,
    engine: (w, customers, history, start) => {
      const rfm = w.rfm ? rfmScorer(w.rfm, history.values(), start) : undefined;
      return createEngine(w, { compile: (e: Expr) => compileExpr(e, w), customers, events: history, rfm }) as DecideEngine;
    },
  };
}

/** Simulates the world through the engine; no files. */
export function runWorld(p: Loaded, o: DemoOptions): DemoRun {
  const world: WorldOptions = { customers: o.customers, days: o.days, seed: o.seed, start: o.start ?? Date.parse("2026-09-01T00:00:00Z"), historyDays: 200 };
  const { customers, history, carry } = worldHistory(world);
  const engine = p.engine(p.ws, new Map(customers.map((c) => [c.id, c.attrs])), history, world.start);
  const effects = o.effects ?? DEFAULT_EFFECTS;
  const sim = simulate(world, customers, history, engine, effects, p.ws.defaults.attribution, carry, o.onProgress);
  return { ws: p.ws, sim, truth: truthOf(sim.decisions, sim.orders, sim.draws, effects, p.ws.defaults.attribution), world };
}

const cell = (v: Value): string => {
  if (v === null || v === undefined) return "";
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

const EVENT_COLUMNS = ["order_id", "amount", "cart_value", "product_id", "category", "rule", "step", "channel", "hard"];

/** Writes `data/customers.csv`, `data/events.csv`, `decisions.jsonl` and `truth.json` under `out`. */
export function writeDemo(run: DemoRun, out: string): void {
  mkdirSync(join(out, "data"), { recursive: true });
  const attrs = [...run.ws.schema.customer.values()];
  const date = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  const lines = [["customer_id", ...attrs.map((a) => a.name)].join(",")];
  for (const c of run.sim.customers) {
    lines.push([c.id, ...attrs.map((a) => {
      const v = c.attrs[a.name] ?? null;
      if (typeof v === "number" && a.type.base === "date") return date(v);
      if (typeof v === "number" && a.type.base === "datetime") return isoSeconds(v);
      return cell(v);
    })].join(","));
  }
  writeFileSync(join(out, "data/customers.csv"), lines.join("\n") + "\n");
  const ev = [["customer_id", "event", "ts", ...EVENT_COLUMNS].join(",")];
  for (const { customer_id, event } of run.sim.events) {
    ev.push([customer_id, event.name, isoSeconds(event.ts), ...EVENT_COLUMNS.map((k) => cell((event.props[k] ?? null) as Value))].join(","));
  }
  writeFileSync(join(out, "data/events.csv"), ev.join("\n") + "\n");
  writeFileSync(join(out, "decisions.jsonl"), run.sim.decisions.map((d: Decision) => decisionToJson(d)).join("\n") + "\n");
  writeFileSync(join(out, "truth.json"), JSON.stringify({ world: run.world, truth: run.truth }, null, 1) + "\n");
}
