/**
 * How far back a run must see each event name, so that a run ships only the
 * events it can read instead of every event ever (engine/README.md, "What a
 * run reads").
 *
 * Deciding `(from, to]` reads events at instants no earlier than
 * `from − lag`, where `lag` bounds how old a pending entry can be (its exits
 * and cadence feedback are read from its entry on: the sum of its steps'
 * delays and waits) and how far back a trigger's `where` is evaluated (at
 * the event, an `after` delay before the firing).
 * At such an instant an expression reads an event name `E`:
 * - within a window `D` (aggregates, `pause D after E`, `D after E`,
 *   `no E for D`): back to `D` before it;
 * - over all time: aggregates that a scan can compute start from a partial
 *   state up to the cutoff (EvalEnv.base, computed in DuckDB); aggregates
 *   that cannot be (their `where` reads the trigger or an enclosing event)
 *   and unsubscribes, complaints and hard bounces (they stop a channel for
 *   good) need the whole history.
 * Every event name is shipped at least from `from − lag` (enter/leave
 * triggers re-check segments after every event of the window).
 *
 * The result maps each event name to its cutoff: events with `ts > cutoff`
 * (and `ts <= to`) are shipped; `-Infinity` ships the whole history.
 */
import type { Expr, Workspace } from "../../language/ast.ts";
import { childrenOf, workspaceExprs, type FeaturePlan } from "../features/plan.ts";
import { exitTest, expiresOf, type Program } from "./program.ts";

const ALL_HISTORY = ["message_unsubscribed", "message_complained", "message_bounced"];

/** The longest an entry can stay pending from its trigger instant to its last step's deadline. */
export function cadenceLag(p: Program): number {
  let lag = 0;
  for (const r of p.rules) {
    const wait = Math.max(expiresOf(p, r), r.queue);
    // With variants, each arm's journey: the longest counts.
    for (const steps of r.arms ? r.arms.map((a) => a.steps) : [r.steps]) {
      let span = 0;
      for (const s of steps) span += (s.after?.ms ?? 0) + wait;
      lag = Math.max(lag, span);
    }
    // An `after` trigger's where is evaluated at the event, that long before the firing.
    const on = r.on;
    if (on.kind === "after" && on.where) lag = Math.max(lag, on.delay.ms);
  }
  return lag;
}

/** Cutoff per event name of the schema for deciding `(from, to]` (see the file comment). */
export function eventCutoffs(p: Program, plan: FeaturePlan, from: number): Map<string, number> {
  const ws: Workspace = p.ws;
  const lag = cadenceLag(p);
  const back = new Map<string, number>();
  const need = (name: string, ms: number) => back.set(name, Math.max(back.get(name) ?? 0, ms));
  for (const name of ws.schema.events.keys()) need(name, 0);
  for (const name of ALL_HISTORY) need(name, Infinity);
  for (const f of plan.features) {
    if (f.within !== null) need(f.event, f.within);
    else if (f.perDecision !== null) need(f.event, Infinity);
  }
  // Aggregates nested in a where are per decision and read their own windows.
  const nested = (e: Expr): void => {
    if ((e.kind === "agg" || e.kind === "exists") && e.where) {
      const walk = (x: Expr): void => {
        if (x.kind === "agg" || x.kind === "exists") need(x.event, x.within?.ms ?? Infinity);
        for (const c of childrenOf(x)) walk(c);
      };
      walk(e.where);
    }
    for (const c of childrenOf(e)) nested(c);
  };
  for (const { expr } of workspaceExprs(ws)) nested(expr);
  // An exit's where is evaluated inside an event set over the exit event (program.ts `exitTest`):
  // its aggregates are nested, so they scan the shipped events and cannot resume from a partial state.
  for (const x of [...ws.defaults.exit, ...p.rules.flatMap((r) => r.exit ?? [])]) {
    const t = exitTest(x);
    if (t) nested(t);
  }
  for (const cap of ws.caps) if (cap.kind === "pause") need(cap.event, cap.duration.ms);
  for (const r of p.rules) {
    const on = r.on;
    if (on.kind === "after") need(on.event, on.delay.ms);
    if (on.kind === "inactivity") need(on.event, on.duration.ms);
  }
  const out = new Map<string, number>();
  for (const [name, ms] of back) out.set(name, ms === Infinity ? -Infinity : from - lag - ms);
  return out;
}

/**
 * The customer attributes a run can read, and how: `presence` when every use
 * only asks whether it is there (`x != null`, `x == null`, a template field),
 * `value` otherwise. Uses: any expression (segments included), trigger dates
 * (`before`/`anniversary`), template fields and `timezone`. The rest of the
 * customers file is checked but not brought into JS, and presence-only
 * attributes come as a flag (a string crossing into JS costs far more).
 */
export function attributesNeeded(p: Program): Map<string, "value" | "presence"> {
  const ws = p.ws;
  const out = new Map<string, "value" | "presence">([["timezone", "value"]]);
  const use = (name: string, how: "value" | "presence") => {
    if (out.get(name) !== "value") out.set(name, how);
  };
  const isAttr = (e: Expr) => e.kind === "name" && (!e.ref || e.ref.kind === "attribute");
  const walk = (e: Expr): void => {
    if (e.kind === "binary" && (e.op === "==" || e.op === "!=") && (e.left.kind === "null" || e.right.kind === "null")) {
      const other = e.left.kind === "null" ? e.right : e.left;
      if (isAttr(other)) return use((other as { name: string }).name, "presence");
    }
    // An unresolved name (a tree that skipped the resolver) might be an attribute: keep it.
    if (isAttr(e)) use((e as { name: string }).name, "value");
    for (const c of childrenOf(e)) walk(c);
  };
  for (const { expr } of workspaceExprs(ws)) walk(expr);
  for (const r of ws.rules.values()) {
    const on = r.on;
    if (on.kind === "before" || on.kind === "anniversary") use(on.attribute, "value");
  }
  for (const t of ws.templates.values()) for (const f of t.fields) use(f.name, "presence");
  return new Map([...out].filter(([a]) => ws.schema.customer.has(a)).sort((x, y) => (x[0] < y[0] ? -1 : 1)));
}

/**
 * How far before the window it explains `explain` starts its replay without a state file: as far back
 * as every cap (`max … per`, `gap`, `pause`) and every `within` window of an event reaches, plus how
 * long an entry can stay pending (`cadenceLag`), so the contact history a cap counts at the window is
 * rebuilt from the events that could have produced it (those sends' own caps are not chased further
 * back: a replay that must agree with a run exactly reads the run's state, `explain --state`).
 */
export function historyReach(p: Program, plan: FeaturePlan): number {
  let reach = 0;
  for (const cap of p.ws.caps) reach = Math.max(reach, (cap.kind === "max" ? cap.per.ms : cap.duration.ms) + cadenceLag(p));
  // `eventCutoffs` at 0 gives −(lag + window) for every windowed read; the whole-history ones are −∞.
  for (const c of eventCutoffs(p, plan, 0).values()) if (c !== -Infinity) reach = Math.max(reach, -c);
  return reach;
}
