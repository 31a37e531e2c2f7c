/**
 * Runs one golden scenario through the three callers of the runtime:
 * `simulate` (one window from an empty state), `run` (windows split at the
 * scenario's `runs` instants, the state going through its JSON form between
 * runs as the `--state` file stores it) and the API (`createEngine`, fed the
 * events one at a time). Decisions are compared in a compact one-line form.
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import type { EventRecord, Value } from "../../../language/values.ts";
import { createEngine } from "../../../engine/api.ts";
import { settledDecisions, type Decision } from "../../../engine/decision.ts";
import { decideWindow, type BatchData } from "../../../engine/runtime/batch.ts";
import { buildProgram, type Program } from "../../../engine/runtime/program.ts";
import { checkWorkspace } from "../../../language/check.ts";
import { compileExpr } from "../../../engine/compile/closure.ts";
import type { CustomerState } from "../../../engine/runtime/state.ts";
import { buildWorkspace, type MiniWorkspace } from "./mini-workspace.ts";
import { durationMs, miniCompile } from "./mini-expr.ts";

/** A scenario file. */
export interface Scenario {
  name: string;
  workspace: MiniWorkspace;
  customers: Record<string, Value>[];
  /** `[customer_id, event, ts, props?]` */
  events?: [string, string, string, Record<string, Value>?][];
  from: string;
  to: string;
  /** Extra run boundaries for the `run` path (each run decides `(previous, this]`). */
  runs?: string[];
  /** `customer rule#step status variant channel send_at reason`, in log order. */
  expect: string[];
  /**
   * Each run's own log, as `playbook run --state` writes it (every run reports its
   * `deferred` lines, not only the last): one list per run of `runs` and then `to`.
   * Read in order, with the deferred lines a later run settles set aside
   * (`settledDecisions`), they give `expect`.
   */
  run_logs?: string[][];
  /**
   * Other run schedules that must give `expect` too (run path, state carried,
   * every run reporting deferred lines, settled): `every D from T` runs at T,
   * T + D, … inside `(from, to)`, and at `to`.
   */
  schedules?: string[];
  /** Event props to declare even when no event in the data carries them (`{ visit: { amount: number } }`). */
  event_props?: Record<string, Record<string, "number" | "string" | "bool">>;
  /** Paths that cannot reproduce this scenario, with the reason. */
  skip?: { run?: string; api?: string };
}

/** The scenario with `runs` at the instants of a schedule (`every 1h from 2026-03-09T00:00:00Z`). */
export function withSchedule(s: Scenario, schedule: string): Scenario {
  const m = /^every (\S+) from (\S+)$/.exec(schedule);
  if (!m) throw new Error(`bad schedule ${schedule}`);
  const step = durationMs(m[1]!);
  const [from, to] = [Date.parse(s.from), Date.parse(s.to)];
  const runs: string[] = [];
  for (let t = Date.parse(m[2]!); t < to; t += step) if (t > from) runs.push(new Date(t).toISOString());
  return { ...s, runs };
}

/** Loads a scenario file. */
export function loadScenario(path: string): Scenario {
  return parse(readFileSync(path, "utf8")) as Scenario;
}

/** The compact line of a decision. */
export function compact(d: Decision): string {
  return [d.customer_id, `${d.rule}#${d.step}`, d.status, d.variant, d.channel ?? "-", d.send_at ?? "-", d.reason ?? "-"].join(" ");
}

function setup(s: Scenario) {
  const { ws, segments } = buildWorkspace(s.workspace);
  // The mini workspace declares only what expressions need; the reader keeps schema columns only.
  const attrTypes = s.workspace.attributes ?? {};
  for (const c of s.customers) {
    for (const [k, v] of Object.entries(c)) {
      if (k === "customer_id" || ws.schema.customer.has(k)) continue;
      const base = attrTypes[k] ?? (typeof v === "boolean" ? "bool" : typeof v === "number" ? "number" : typeof v === "string" && v.endsWith("@") ? "datetime" : "string");
      ws.schema.customer.set(k, { name: k, span: ws.rules.values().next().value!.span, type: { base: base as "string", nullable: true } });
    }
  }
  for (const [, name, , props] of s.events ?? []) {
    const def = ws.schema.events.get(name) ?? { name, props: new Map(), span: ws.rules.values().next().value!.span, builtin: false };
    for (const [k, v] of Object.entries(props ?? {})) {
      if (!def.props.has(k)) def.props.set(k, { name: k, span: def.span, type: { base: typeof v === "boolean" ? "bool" : typeof v === "number" ? "number" : "string", nullable: true } });
    }
    ws.schema.events.set(name, def);
  }

  for (const [name, props] of Object.entries(s.event_props ?? {})) {
    const def = ws.schema.events.get(name) ?? { name, props: new Map(), span: ws.rules.values().next().value!.span, builtin: false };
    for (const [k, base] of Object.entries(props)) if (!def.props.has(k)) def.props.set(k, { name: k, span: def.span, type: { base, nullable: true } });
    ws.schema.events.set(name, def);
  }
  const eventNames = new Set([...(s.events ?? []).map((e) => e[1]), ...Object.keys(s.event_props ?? {})]);
  const compile = miniCompile(segments, eventNames);
  const customers = new Map<string, Record<string, Value>>();
  for (const c of s.customers) customers.set(String(c.customer_id), { ...c, ...dates(c) });
  const events = new Map<string, EventRecord[]>();
  for (const [cid, name, ts, props] of s.events ?? []) {
    const list = events.get(cid) ?? [];
    list.push({ name, ts: Date.parse(ts), props: props ?? {} });
    events.set(cid, list);
  }
  for (const l of events.values()) l.sort((a, b) => a.ts - b.ts);
  return { ws, compile, customers, events };
}

/** Attributes written as ISO strings ending in `@` are dates/datetimes: turned into epoch ms. */
function dates(c: Record<string, Value>): Record<string, Value> {
  const out: Record<string, Value> = {};
  for (const [k, v] of Object.entries(c)) if (typeof v === "string" && v.endsWith("@")) out[k] = Date.parse(v.slice(0, -1));
  return out;
}

/**
 * The scenario's program and data in memory: `mini` runs the mini evaluator,
 * `closure` the project's checker (names resolved; its errors returned) and the
 * compiled closures the commands use.
 */
export function scenarioProgram(s: Scenario, how: "mini" | "closure"): { p: Program; data: BatchData; errors: string[] } {
  const { ws, compile, customers, events } = setup(s);
  if (how === "mini") return { p: buildProgram(ws, compile), data: { customers, events }, errors: [] };
  const errors = checkWorkspace(ws).filter((d) => d.severity === "error").map((d) => `${d.code} ${d.message}`);
  return { p: buildProgram(ws, (e) => compileExpr(e, ws)), data: { customers, events }, errors };
}

/**
 * The scenario through `simulate` with the project's checker and reference
 * evaluator instead of the mini evaluator: names resolved by
 * `checkWorkspace`, expressions run by `evaluate`. Returns the checker's
 * errors too, which must be none.
 */
export async function viaReference(s: Scenario, how: "evaluate" | "closure" = "evaluate"): Promise<{ log: string[]; errors: string[] }> {
  const { ws, customers, events } = setup(s);
  const { checkWorkspace } = await import("../../../language/check.ts");
  const { evaluate } = await import("../../../language/evaluator.ts");
  const { compileExpr } = await import("../../../engine/compile/closure.ts");
  const errors = checkWorkspace(ws).filter((d) => d.severity === "error").map((d) => `${d.code} ${d.message}`);
  const p = buildProgram(ws, how === "closure" ? (e) => compileExpr(e, ws) : (e) => (env) => evaluate(e, env, ws));
  return { log: decideWindow(p, { customers, events }, new Map(), Date.parse(s.from), Date.parse(s.to), true).decisions.map(compact), errors };
}

/** The scenario through `simulate`: one window from an empty state. */
export function viaSimulate(s: Scenario): string[] {
  const { ws, compile, customers, events } = setup(s);
  const p = buildProgram(ws, compile);
  return decideWindow(p, { customers, events }, new Map(), Date.parse(s.from), Date.parse(s.to), true).decisions.map(compact);
}

/** The scenario through `run`: windows split at `runs`, state serialized between them. */
export function viaRun(s: Scenario): string[] {
  return runLogs(s, false).flat().map(compact);
}

/** Each run's log as `playbook run --state` writes it: every run reports what still waits (`deferred`). */
export function viaRunLogs(s: Scenario): string[][] {
  return runLogs(s, true).map((l) => l.map(compact));
}

/** Every run's log read in order, the deferred lines a later run settled set aside (`settledDecisions`). */
export function viaRunSettled(s: Scenario): string[] {
  return settledDecisions(runLogs(s, true).flat()).map(compact);
}

function runLogs(s: Scenario, everyRun: boolean): Decision[][] {
  const { ws, compile, customers, events } = setup(s);
  const p = buildProgram(ws, compile);
  const bounds = [...(s.runs ?? []), s.to].map(Date.parse);
  let from = Date.parse(s.from);
  let stored = "{}";
  const out: Decision[][] = [];
  for (const to of bounds) {
    const states = new Map<string, CustomerState>(Object.entries(JSON.parse(stored) as Record<string, CustomerState>));
    const r = decideWindow(p, { customers, events }, states, from, to, everyRun || to === bounds[bounds.length - 1]);
    out.push(r.decisions);
    stored = JSON.stringify(Object.fromEntries(states));
    from = to;
  }
  return out;
}

/** The scenario through the API: events fed one at a time in time order; sorted like the log for comparison. */
export function viaApi(s: Scenario): string[] {
  const { ws, compile, customers, events } = setup(s);
  const from = Date.parse(s.from);
  const to = Date.parse(s.to);
  const before = new Map<string, EventRecord[]>();
  const feed: [string, EventRecord][] = [];
  for (const [cid, list] of events) {
    before.set(cid, list.filter((e) => e.ts <= from));
    for (const e of list) if (e.ts > from && e.ts <= to) feed.push([cid, e]);
  }
  feed.sort((a, b) => a[1].ts - b[1].ts || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const engine = createEngine(ws, { compile, customers, events: before });
  const ids = [...customers.keys()].sort();
  for (const id of ids) engine.decide(id, null, from);
  const got: Decision[] = [];
  for (const [cid, e] of feed) got.push(...engine.decide(cid, e, e.ts));
  for (const id of ids) got.push(...engine.decide(id, null, to));
  for (const id of ids) got.push(...engine.pending(id, to));
  return got.map(compact);
}

/**
 * The scenario through the command path: customers and events written as
 * JSONL files, read back by the engine's reader, decided by
 * `decideFromFiles`, with the state going through the DuckDB `--state` file
 * between the `runs` (what `playbook run --state` does after loading the
 * workspace).
 */
export async function viaFiles(s: Scenario, dir: string): Promise<string[]> {
  return (await viaFileRuns(s, dir, false)).flat();
}

/** The command path, each run's own log (every run reports its `deferred` lines, as `playbook run --state` does). */
export async function viaFileRuns(s: Scenario, dir: string, everyRun: boolean): Promise<string[][]> {
  return (await fileRunDecisions(s, dir, everyRun, "mini")).map((l) => l.map(compact));
}

/** The command path's decisions, each run's own (`closure`: checked and compiled as the commands do). */
export async function fileRunDecisions(s: Scenario, dir: string, everyRun: boolean, how: "mini" | "closure"): Promise<Decision[][]> {
  const { p } = scenarioProgram(s, how);
  const { writeFileSync } = await import("node:fs");
  const { join } = await import("node:path");
  const strip = (c: Record<string, Value>) => Object.fromEntries(Object.entries(c).map(([k, v]) => [k, typeof v === "string" && v.endsWith("@") ? v.slice(0, -1) : v]));
  writeFileSync(join(dir, "customers.jsonl"), s.customers.map((c) => JSON.stringify(strip(c))).join("\n") + "\n");
  if ((s.events ?? []).length) writeFileSync(join(dir, "events.jsonl"), (s.events ?? []).map(([customer_id, event, ts, props]) => JSON.stringify({ customer_id, event, ts, ...(props ?? {}) })).join("\n") + "\n");
  const { decideFromFiles } = await import("../../../engine/runtime/inputs.ts");
  const { loadState, saveState } = await import("../../../engine/state/store.ts");
  const statePath = join(dir, "state.duckdb");
  const bounds = [...(s.runs ?? []), s.to].map(Date.parse);
  let from = Date.parse(s.from);
  const out: Decision[][] = [];
  for (const to of bounds) {
    const stored = await loadState(statePath);
    const r = await decideFromFiles(p, { dir }, stored.states, stored.lastAt ?? from, to, everyRun || to === bounds[bounds.length - 1]);
    if (r.bad.length) throw new Error(`bad rows: ${JSON.stringify(r.bad)}`);
    out.push(r.decisions);
    await saveState(statePath, to, stored.states, -Infinity);
    from = to;
  }
  return out;
}
