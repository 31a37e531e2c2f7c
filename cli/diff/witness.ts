/**
 * Witness search: for every changed boolean expression, one customer on whom
 * the old form (evaluated in the old workspace) and the new form (in the new
 * workspace) disagree. First from the data, in customer-id order; otherwise
 * synthesized from the expressions' constants: each attribute compared with a
 * literal is tried at the literal and just either side of it (the boundaries
 * are where `>` and `>=` differ), event counts at n−1, n, n+1, and the
 * combinations of those, deterministically.
 */
import type { Expr, Workspace } from "../../language/ast.ts";
import type { EvalEnv, EventRecord, Value } from "../../language/values.ts";
import type { Change } from "./compare.ts";
import type { Population } from "./data.ts";
import type { NoWitness, Witness } from "./result.ts";

/** The reference evaluator's signature. */
export type Evaluate = (expr: Expr, env: EvalEnv, ws: Workspace) => Value;

const DAY = 86_400_000, HOUR = 3_600_000;
/** Most combinations tried per expression pair before falling back to one-at-a-time variation. */
const MAX_COMBOS = 4096;

/** The expression behind a diff field, in one workspace. */
export function exprAt(ws: Workspace, kind: Change["kind"], name: string, field: string): Expr | undefined {
  if (kind === "segment") return ws.segments.get(name)?.expr;
  if (kind === "channel") return ws.channels.get(name)?.requires;
  if (kind === "suppress") return ws.suppress;
  if (kind !== "rule") return undefined;
  const r = ws.rules.get(name);
  if (!r) return undefined;
  if (field === "on") return r.on.kind === "event" || r.on.kind === "after" ? r.on.where : undefined;
  if (field === "who") return r.who;
  if (field === "unless") return r.unless;
  const m = /^step (\d+)\.(if|unless)$/.exec(field);
  if (m) {
    const st = r.steps[Number(m[1]) - 1];
    return m[2] === "if" ? st?.if : st?.unless;
  }
  return undefined;
}

/** A default the field has when it is not written (`who` true, `unless` false, `requires` true). */
function fieldDefault(field: string): boolean {
  return !/unless$/.test(field);
}

function envOf(attrs: Record<string, Value>, events: readonly EventRecord[], now: number): EvalEnv {
  return { now, customer: attrs, events, rfm: null, segments: {} };
}

/** Truth of a boolean expression the way rules use it: null and errors are false. */
function truth(ev: Evaluate, e: Expr | undefined, dflt: boolean, env: EvalEnv, ws: Workspace): boolean | "error" {
  if (!e) return dflt;
  try {
    return ev(e, { ...env, segments: {} }, ws) === true;
  } catch {
    return "error";
  }
}

// ───────────── synthesized customers ─────────────

type Var = { key: string; kind: "attr"; name: string; values: Value[] }
  | { key: string; kind: "tprop"; prop: string; values: Value[] }
  | { key: string; kind: "count"; event: string; values: number[] }
  | { key: string; kind: "prop"; event: string; prop: string; values: Value[] };

function literal(e: Expr): { value: Value; unit: "num" | "time" | "other" } | null {
  switch (e.kind) {
    case "number": case "percent": return { value: e.value, unit: "num" };
    case "duration": return { value: e.ms, unit: "num" };
    case "date": case "datetime": return { value: e.ms, unit: "time" };
    case "string": return { value: e.value, unit: "other" };
    case "bool": return { value: e.value, unit: "other" };
    case "null": return { value: null, unit: "other" };
    case "unary": return e.op === "-" && e.operand.kind === "number" ? { value: -e.operand.value, unit: "num" } : null;
    default: return null;
  }
}

function around(l: { value: Value; unit: string }): Value[] {
  if (typeof l.value !== "number") return l.value === null ? [null] : [l.value, typeof l.value === "string" ? `${l.value}_other` : !l.value, null];
  const step = l.unit === "time" ? DAY : Number.isInteger(l.value) ? 1 : Math.abs(l.value) / 10 || 0.1;
  return [l.value - step, l.value, l.value + step];
}

/** One non-null value of a type, for `x != null` tests. */
function sampleOf(base: string | undefined, now: number): Value[] {
  switch (base) {
    case "string": return ["x"];
    case "number": case "duration": return [1];
    case "bool": return [true];
    case "date": case "datetime": return [now - DAY];
    default: return [];
  }
}

class Collector {
  readonly vars = new Map<string, Var>();
  constructor(private readonly ws: Workspace, private readonly now: number) {}

  add(v: Var): void {
    const old = this.vars.get(v.key);
    if (!old) this.vars.set(v.key, v);
    else for (const x of v.values as Value[]) if (!(old.values as Value[]).some((y) => y === x)) (old.values as Value[]).push(x);
  }

  attr(name: string, values: Value[]): void {
    if (name === "customer_id") return;
    // `x != null` alone gives no non-null value to try: add one of the attribute's type.
    const sample = values.every((v) => v === null) ? sampleOf(this.ws.schema.customer.get(name)?.type.base, this.now) : [];
    this.add({ key: `attr:${name}`, kind: "attr", name, values: [...values, ...sample, null] });
  }

  count(event: string, values: number[]): void {
    this.add({ key: `count:${event}`, kind: "count", event, values: [0, ...values.filter((n) => n >= 0)] });
  }

  /** The probe on one side of a comparison with a literal on the other. */
  probe(e: Expr, vals: Value[], lit: { unit: string }, whereEvent: string | null): void {
    if (e.kind === "name") {
      const ref = e.ref;
      if (ref?.kind === "prop" && ref.scope === "trigger") this.add({ key: `tprop:${ref.prop}`, kind: "tprop", prop: ref.prop, values: vals });
      else if (ref?.kind === "prop" && ref.scope === "where") this.add({ key: `prop:${ref.event}.${ref.prop}`, kind: "prop", event: ref.event, prop: ref.prop, values: vals });
      else if (!ref && whereEvent && this.ws.schema.events.get(whereEvent)?.props.has(e.name)) this.add({ key: `prop:${whereEvent}.${e.name}`, kind: "prop", event: whereEvent, prop: e.name, values: vals });
      else if (!ref || ref.kind === "attribute") this.attr(e.name, vals);
    } else if (e.kind === "member" && e.object.kind === "name" && e.object.ref?.kind === "trigger_event") {
      this.add({ key: `tprop:${e.prop}`, kind: "tprop", prop: e.prop, values: vals });
    } else if (e.kind === "call" && (e.fn === "days_since" || e.fn === "hours_since") && e.args[0]?.kind === "name" && lit.unit === "num") {
      const unit = e.fn === "days_since" ? DAY : HOUR;
      this.attr(e.args[0].name, vals.filter((v): v is number => typeof v === "number").map((k) => this.now - k * unit - unit / 2));
    } else if (e.kind === "call" && e.fn === "lower" && e.args[0]) {
      this.probe(e.args[0], vals, lit, whereEvent);
    } else if (e.kind === "agg") {
      const nums = vals.filter((v): v is number => typeof v === "number");
      if (e.fn === "count") this.count(e.event, nums.map((n) => Math.round(n)));
      else if (e.prop) {
        this.count(e.event, [1]);
        this.add({ key: `prop:${e.event}.${e.prop}`, kind: "prop", event: e.event, prop: e.prop, values: nums });
      }
      if (e.where) this.walk(e.where, e.event, 0);
    }
  }

  walk(e: Expr, whereEvent: string | null, depth: number): void {
    if (depth > 8) return;
    switch (e.kind) {
      case "binary": {
        const l = literal(e.right), r = literal(e.left);
        if (l && ["==", "!=", "<", "<=", ">", ">="].includes(e.op)) this.probe(e.left, around(l), l, whereEvent);
        else if (r && ["==", "!=", "<", "<=", ">", ">="].includes(e.op)) this.probe(e.right, around(r), r, whereEvent);
        this.walk(e.left, whereEvent, depth + 1);
        this.walk(e.right, whereEvent, depth + 1);
        return;
      }
      case "between": {
        const lo = literal(e.low), hi = literal(e.high);
        if (lo && hi) this.probe(e.value, [...around(lo), ...around(hi)], lo, whereEvent);
        return;
      }
      case "in": {
        if (e.right.kind === "list") {
          const vals = e.right.items.map(literal).filter((x) => x !== null).map((x) => x!.value);
          this.probe(e.left, [...vals, typeof vals[0] === "string" ? `${vals[0]}_other` : null], { unit: "other" }, whereEvent);
        }
        return;
      }
      case "unary": return this.walk(e.operand, whereEvent, depth + 1);
      case "name": {
        const ref = e.ref;
        // An attribute alone is a condition only when it is a bool; elsewhere the comparison around it supplied its values.
        if ((ref?.kind === "attribute" || !ref) && this.ws.schema.customer.get(e.name)?.type.base === "bool") this.attr(e.name, [true, false]);
        else if (ref?.kind === "event") this.count(ref.name, [1]);
        else if (ref?.kind === "segment") {
          const seg = this.ws.segments.get(ref.name);
          if (seg) this.walk(seg.expr, null, depth + 1);
        }
        return;
      }
      case "exists":
        this.count(e.event, [1]);
        if (e.where) this.walk(e.where, e.event, depth + 1);
        return;
      case "agg":
        this.count(e.event, [1, 2]);
        if (e.where) this.walk(e.where, e.event, depth + 1);
        return;
      case "call": for (const a of e.args) this.walk(a, whereEvent, depth + 1); return;
      case "member": return this.walk(e.object, whereEvent, depth + 1);
      default:
    }
  }
}

function build(vars: Var[], pick: number[], now: number): { attrs: Record<string, Value>; events: EventRecord[]; shown: Witness["customer"]; evs: Witness["events"]; tprops: Record<string, Value> } {
  const attrs: Record<string, Value> = { customer_id: "synthesized" };
  const tprops: Record<string, Value> = {};
  const counts = new Map<string, number>(), props = new Map<string, Record<string, Value>>();
  const shown: Record<string, unknown> = {};
  vars.forEach((v, i) => {
    const x = v.values[pick[i]!]!;
    if (v.kind === "attr") {
      attrs[v.name] = x as Value;
      if (x !== null) shown[v.name] = x;
    } else if (v.kind === "tprop") tprops[v.prop] = x as Value;
    else if (v.kind === "count") counts.set(v.event, x as number);
    else props.set(v.event, { ...(props.get(v.event) ?? {}), [v.prop]: x as Value });
  });
  const events: EventRecord[] = [];
  const evs: Witness["events"] = [];
  for (const [ev, n] of [...counts].sort()) {
    for (let k = 0; k < n; k++) {
      // Inside any `within` window: one minute apart, ending a minute before now.
      events.push({ name: ev, ts: now - (k + 1) * 60_000, props: props.get(ev) ?? {} });
      evs.push({ event: ev, ago: `${k + 1}m`, props: props.get(ev) ?? {} });
    }
  }
  return { attrs, events: events.sort((a, b) => a.ts - b.ts), shown, evs, tprops };
}

/** Combinations to try: all of them when few, else each variable alone then each pair. */
function* combos(sizes: number[]): Generator<number[]> {
  const total = sizes.reduce((a, b) => a * b, 1);
  if (total <= MAX_COMBOS) {
    for (let n = 0; n < total; n++) {
      let r = n;
      yield sizes.map((s) => { const i = r % s; r = Math.floor(r / s); return i; });
    }
    return;
  }
  const zero = sizes.map(() => 0);
  for (let i = 0; i < sizes.length; i++) for (let a = 1; a < sizes[i]!; a++) yield zero.map((z, k) => (k === i ? a : z));
  for (let i = 0; i < sizes.length; i++) for (let j = i + 1; j < sizes.length; j++)
    for (let a = 1; a < sizes[i]!; a++) for (let b = 1; b < sizes[j]!; b++) yield zero.map((z, k) => (k === i ? a : k === j ? b : z));
}

/** Witnesses for every changed expression of `changes`. */
export function findWitnesses(changes: Change[], base: Workspace, head: Workspace, ev: Evaluate, pop: Population | null, now: number): { witnesses: Witness[]; none: NoWitness[] } {
  const witnesses: Witness[] = [], none: NoWitness[] = [];
  for (const c of changes) for (const f of c.fields) {
    if (!f.expr || f.before === null || f.after === null) continue;
    const a = exprAt(base, c.kind, c.name, f.field), b = exprAt(head, c.kind, c.name, f.field);
    const d = fieldDefault(f.field);
    const at = { kind: c.kind, name: c.name, field: f.field };
    let found: Witness | null = null;
    let trig: string | null = null;
    if (f.field === "on") {
      const ta = triggerEvent(base, c.name), tb = triggerEvent(head, c.name);
      if (!ta || ta !== tb) {
        none.push({ ...at, why: "the trigger's event changed: old and new conditions apply to different events" });
        continue;
      }
      trig = ta;
      found = pop ? dataTriggerWitness(at, a, b, ta, base, head, ev, pop, now) : null;
    } else if (pop) {
      for (const cu of pop.customers) {
        const env = envOf(cu.attrs, pop.events.get(cu.id) ?? [], now);
        const x = truth(ev, a, d, env, base), y = truth(ev, b, d, env, head);
        if (x !== "error" && y !== "error" && x !== y) {
          const names = new Set([...namesIn(a), ...namesIn(b)]);
          const shown = Object.fromEntries(Object.entries(cu.attrs).filter(([k]) => names.has(k)));
          found = { ...at, source: "data", customer_id: cu.id, customer: shown, events: [], before: x, after: y };
          break;
        }
      }
    }
    if (!found) {
      const col = new Collector(head, now);
      for (const e of [a, b]) if (e) col.walk(e, null, 0);
      const colB = new Collector(base, now);
      for (const e of [a, b]) if (e) colB.walk(e, null, 0);
      for (const v of colB.vars.values()) col.add(v);
      const vars = [...col.vars.values()].sort((p, q) => (p.key < q.key ? -1 : 1));
      for (const pick of combos(vars.map((v) => v.values.length))) {
        const s = build(vars, pick, now);
        const env: EvalEnv = { ...envOf(s.attrs, s.events, now), ...(trig ? { trigger: { name: trig, ts: now, props: s.tprops } } : {}) };
        const x = truth(ev, a, d, env, base), y = truth(ev, b, d, env, head);
        if (x !== "error" && y !== "error" && x !== y) {
          found = { ...at, source: "synthesized", customer_id: null, customer: s.shown, events: s.evs, ...(trig ? { trigger: { event: trig, ts: new Date(now).toISOString(), props: s.tprops } } : {}), before: x, after: y };
          break;
        }
      }
    }
    if (found) witnesses.push(found);
    else none.push({ ...at, why: pop ? "no customer in the data and no boundary value of the constants tells them apart (they may be equivalent)" : "no boundary value of the constants tells them apart (they may be equivalent)" });
  }
  return { witnesses, none };
}

/** The event a rule's trigger fires on, for `EVENT [where]` and `D after EVENT [where]` triggers. */
function triggerEvent(ws: Workspace, rule: string): string | null {
  const on = ws.rules.get(rule)?.on;
  return on && (on.kind === "event" || on.kind === "after") ? on.event : null;
}

/** The first customer (by id) and event of theirs (in time order) on which the old and new trigger conditions disagree. */
function dataTriggerWitness(at: { kind: Change["kind"]; name: string; field: string }, a: Expr | undefined, b: Expr | undefined, event: string, base: Workspace, head: Workspace, ev: Evaluate, pop: Population, now: number): Witness | null {
  for (const cu of pop.customers) {
    const evs = pop.events.get(cu.id) ?? [];
    for (let i = 0; i < evs.length; i++) {
      const t = evs[i]!;
      if (t.ts > now) break;
      if (t.name !== event) continue;
      const env: EvalEnv = { ...envOf(cu.attrs, evs.slice(0, i + 1), t.ts), trigger: t };
      const x = truth(ev, a, true, env, base), y = truth(ev, b, true, env, head);
      if (x !== "error" && y !== "error" && x !== y) {
        return { ...at, source: "data", customer_id: cu.id, customer: {}, events: [], trigger: { event, ts: new Date(t.ts).toISOString(), props: Object.fromEntries(Object.entries(t.props).filter(([, v]) => v !== null)) }, before: x, after: y };
      }
    }
  }
  return null;
}

/** Attribute names an expression reads (for showing a witness's relevant attributes). */
function namesIn(e: Expr | undefined, out = new Set<string>()): Set<string> {
  if (!e) return out;
  for (const v of Object.values(e)) {
    if (v && typeof v === "object") {
      if (Array.isArray(v)) v.forEach((x) => x && typeof x === "object" && "kind" in x && namesIn(x as Expr, out));
      else if ("kind" in v && "span" in v) namesIn(v as Expr, out);
    }
  }
  if (e.kind === "name") out.add(e.name);
  return out;
}
