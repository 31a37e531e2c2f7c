/**
 * Synthesized customers for the witness search: the variables an expression
 * reads, each with the values where its truth can flip, and the customers
 * built from a choice of one value per variable.
 *
 * Every kind of name an expression can read is a variable: attributes,
 * `rfm.r`/`f`/`m` (and whether the customer has scores at all), event counts,
 * event props (of `where`, of `sum(E.p)`, of `last(E).p`), the age of an
 * event's latest occurrence (`days_since(last(E).ts)`, `within` windows),
 * trigger props, `in_cadence()` and the feedback on the previous step. A
 * comparison with a literal gives the literal and one step either side;
 * `days_since(x) op N` gives x = now − (N ± 1) days − half a day; arithmetic
 * with a literal is inverted; a comparison of two names gives both an equal
 * and an unequal pair; segments are followed into their bodies.
 */
import type { Expr, Workspace } from "../../language/ast.ts";
import type { EvalEnv, EventRecord, RfmScores, Value } from "../../language/values.ts";
import type { Witness } from "./result.ts";

const DAY = 86_400_000, HOUR = 3_600_000, MINUTE = 60_000;

/** One thing a synthesized customer can vary, with the values to try (the first is the default). */
export type Var = { key: string; kind: "attr"; name: string; values: Value[] }
  | { key: string; kind: "tprop"; prop: string; values: Value[] }
  | { key: string; kind: "count"; event: string; values: Value[] }
  | { key: string; kind: "ago"; event: string; values: Value[] }
  | { key: string; kind: "prop"; event: string; prop: string; values: Value[] }
  /** The events of a name before its latest: a prop or (prop null) their age, SAME for "as the latest". */
  | { key: string; kind: "rest"; event: string; prop: string | null; values: Value[] }
  | { key: string; kind: "rfm"; part: "r" | "f" | "m"; values: Value[] }
  | { key: string; kind: "unscored"; values: Value[] }
  | { key: string; kind: "flag"; flag: "in_cadence" | "delivered" | "opened" | "clicked"; values: Value[] };

type Lit = { value: Value; unit: "num" | "time" | "other" };

function literal(e: Expr): Lit | null {
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

function around(l: Lit): Value[] {
  if (typeof l.value !== "number") return l.value === null ? [null] : [l.value, typeof l.value === "string" ? `${l.value}_other` : !l.value, null];
  const step = l.unit === "time" ? DAY : Number.isInteger(l.value) ? 1 : Math.abs(l.value) / 10 || 0.1;
  return [l.value - step, l.value, l.value + step];
}

/** One non-null value of a type, for `x != null` tests; two for comparisons of two names. */
function samplesOf(base: string | undefined, now: number): Value[] {
  switch (base) {
    case "string": return ["a", "b"];
    case "number": case "duration": case "percent": return [1, 2];
    case "bool": return [true, false];
    case "date": case "datetime": return [now - DAY, now - 2 * DAY];
    default: return [];
  }
}

/** A `rest` value meaning "like the latest event" (a string no data or literal holds). */
const SAME = "\u0000same";

const COMPARE = new Set(["==", "!=", "<", "<=", ">", ">="]);
const nums = (vals: Value[]) => vals.filter((v): v is number => typeof v === "number" && Number.isFinite(v));

/** Collects the variables of one or more expressions (in one workspace, for its schema and segments). */
export class Collector {
  readonly vars = new Map<string, Var>();
  /** Totals a `sum(E.p)` is compared with, by `E.p`: the earlier events get what the latest leaves of them. */
  readonly sums = new Map<string, Set<number>>();
  constructor(private readonly ws: Workspace, private readonly now: number) {}

  /** Adds what another collector found (the other side's schema and segments). */
  merge(o: Collector): void {
    for (const v of o.vars.values()) this.add(v);
    for (const [k, xs] of o.sums) for (const x of xs) (this.sums.get(k) ?? this.sums.set(k, new Set()).get(k)!).add(x);
  }

  /** The variables, in a fixed order, with the sums' remainders added to the earlier events' values. */
  finish(): Var[] {
    for (const [k, totals] of this.sums) {
      const latest = this.vars.get(`prop:${k}`), rest = this.vars.get(`rest:${k}`);
      if (!latest || !rest) continue;
      for (const t of totals) for (const x of nums(latest.values)) if (!rest.values.includes(t - x)) rest.values.push(t - x);
    }
    return [...this.vars.values()].sort((p, q) => (p.key < q.key ? -1 : 1));
  }

  add(v: Var): void {
    const old = this.vars.get(v.key);
    if (!old) this.vars.set(v.key, { ...v, values: [...v.values] } as Var);
    else for (const x of v.values) if (!old.values.some((y) => y === x)) old.values.push(x);
  }

  attr(name: string, values: Value[]): void {
    if (name === "customer_id") return;
    const sample = values.every((v) => v === null) ? samplesOf(this.ws.schema.customer.get(name)?.type.base, this.now).slice(0, 1) : [];
    this.add({ key: `attr:${name}`, kind: "attr", name, values: [...values, ...sample, null] });
  }

  count(event: string, values: number[]): void {
    this.add({ key: `count:${event}`, kind: "count", event, values: [0, ...values.filter((n) => n >= 0).map(Math.round)] });
  }

  /** How long ago the latest `event` happened: a minute by default, else each age given (times are turned into ages). */
  ago(event: string, ages: number[]): void {
    this.count(event, [1]);
    const a = ages.filter((x) => x > 0);
    this.add({ key: `ago:${event}`, kind: "ago", event, values: [MINUTE, ...a] });
    // The earlier events may be older than the latest: inside one window and not another.
    if (a.length) this.add({ key: `rest:${event}`, kind: "rest", event, prop: null, values: [SAME, ...a] });
  }

  prop(event: string, prop: string, values: Value[]): void {
    this.count(event, [1, 2]);
    this.add({ key: `prop:${event}.${prop}`, kind: "prop", event, prop, values: [...values, null] });
    // The earlier events may carry other values than the latest (a sum of several, `last` against the rest).
    this.add({ key: `rest:${event}.${prop}`, kind: "rest", event, prop, values: [SAME, ...values, null] });
  }

  /** An RFM score (clamped to the scores a customer can have) and whether the customer is scored at all. */
  rfm(part: "r" | "f" | "m" | null, values: Value[]): void {
    this.add({ key: "rfm:unscored", kind: "unscored", values: [false, true] });
    if (!part) return;
    const top = this.ws.rfm?.scores ?? 5;
    const scores = nums(values).map(Math.round).filter((n) => n >= 1 && n <= top);
    this.add({ key: `rfm:${part}`, kind: "rfm", part, values: scores.length ? scores : [1] });
  }

  /** The probe on one side of a comparison whose other side takes the values `vals`. */
  probe(e: Expr, vals: Value[], unit: Lit["unit"], whereEvent: string | null): void {
    switch (e.kind) {
      case "name": {
        const ref = e.ref;
        if (ref?.kind === "prop" && ref.scope === "trigger") this.add({ key: `tprop:${ref.prop}`, kind: "tprop", prop: ref.prop, values: [...vals, null] });
        else if (ref?.kind === "prop") this.prop(ref.event, ref.prop, vals);
        else if (!ref && whereEvent && this.ws.schema.events.get(whereEvent)?.props.has(e.name)) this.prop(whereEvent, e.name, vals);
        else if (!ref || ref.kind === "attribute") this.attr(e.name, vals);
        else if (ref.kind === "event") this.count(ref.name, [1]);
        return;
      }
      case "member": {
        const o = e.object;
        if (o.kind === "name" && o.ref?.kind === "trigger_event") this.add({ key: `tprop:${e.prop}`, kind: "tprop", prop: e.prop, values: [...vals, null] });
        else if (o.kind === "name" && o.ref?.kind === "rfm") {
          if (e.prop === "cell") for (const v of vals) if (typeof v === "string" && /^\d{3}$/.test(v)) (["r", "f", "m"] as const).forEach((p, i) => this.rfm(p, [Number(v[i])]));
          if (e.prop === "r" || e.prop === "f" || e.prop === "m") this.rfm(e.prop, vals);
          this.rfm(null, []);
        } else if (o.kind === "agg" && (o.fn === "last" || o.fn === "first")) {
          if (e.prop === "ts") this.ago(o.event, nums(vals).map((t) => this.now - t));
          else this.prop(o.event, e.prop, vals);
          this.walk(o, whereEvent, 1);
        } else this.walk(o, whereEvent, 1);
        return;
      }
      case "call":
        if ((e.fn === "days_since" || e.fn === "hours_since") && e.args[0]) {
          const u = e.fn === "days_since" ? DAY : HOUR;
          this.probe(e.args[0], nums(vals).map((k) => this.now - k * u - u / 2), "time", whereEvent);
        } else if (e.fn === "lower" && e.args[0]) this.probe(e.args[0], vals.map((v) => (typeof v === "string" ? v.toLowerCase() : v)), unit, whereEvent);
        else this.walk(e, whereEvent, 1);
        return;
      case "agg":
        if (e.fn === "count") this.count(e.event, nums(vals));
        else if (e.prop) {
          this.count(e.event, [1, 2]);
          // 0 too: the neutral event of a sum, so that one event can carry the whole total.
          this.prop(e.event, e.prop, [...nums(vals), ...(e.fn === "sum" ? [0] : [])]);
          if (e.fn === "sum") for (const t of nums(vals)) (this.sums.get(`${e.event}.${e.prop}`) ?? this.sums.set(`${e.event}.${e.prop}`, new Set()).get(`${e.event}.${e.prop}`)!).add(t);
        } else this.count(e.event, [1]);
        this.walk(e, whereEvent, 1);
        return;
      case "binary": {
        // Arithmetic with a literal: invert it onto the other operand.
        const r = literal(e.right), l = literal(e.left);
        const c = typeof r?.value === "number" ? r.value : typeof l?.value === "number" ? l.value : null;
        const other = typeof r?.value === "number" ? e.left : e.right;
        const onLeft = typeof r?.value === "number";
        const inv: Record<string, (v: number, c: number) => number | null> = {
          "+": (v, k) => v - k,
          "-": (v, k) => (onLeft ? v + k : k - v),
          "*": (v, k) => (k === 0 ? null : v / k),
          "/": (v, k) => (onLeft ? v * k : v === 0 ? null : k / v),
        };
        if (e.op === "??") {
          this.probe(e.left, vals, unit, whereEvent);
          this.probe(e.right, vals, unit, whereEvent);
        } else if (c !== null && inv[e.op]) {
          this.probe(other, nums(vals).map((v) => inv[e.op]!(v, c)).filter((v): v is number => v !== null), unit, whereEvent);
        } else this.walk(e, whereEvent, 1);
        return;
      }
      default:
        this.walk(e, whereEvent, 1);
    }
  }

  walk(e: Expr, whereEvent: string | null, depth: number): void {
    if (depth > 12) return;
    switch (e.kind) {
      case "binary": {
        const l = literal(e.right), r = literal(e.left);
        if (COMPARE.has(e.op)) {
          if (l) this.probe(e.left, around(l), l.unit, whereEvent);
          else if (r) this.probe(e.right, around(r), r.unit, whereEvent);
          else {
            // Two names compared: an equal pair and an unequal one.
            const s = samplesOf(e.left.type?.base ?? e.right.type?.base, this.now);
            this.probe(e.left, s, "other", whereEvent);
            this.probe(e.right, s.slice(0, 1), "other", whereEvent);
          }
        }
        this.walk(e.left, whereEvent, depth + 1);
        this.walk(e.right, whereEvent, depth + 1);
        return;
      }
      case "between": {
        const lo = literal(e.low), hi = literal(e.high);
        if (lo && hi) this.probe(e.value, [...around(lo), ...around(hi)], lo.unit, whereEvent);
        else this.walk(e.value, whereEvent, depth + 1);
        return;
      }
      case "in": {
        if (e.right.kind === "list") {
          const vals = e.right.items.map(literal).filter((x) => x !== null).map((x) => x!.value);
          this.probe(e.left, [...vals, typeof vals[0] === "string" ? `${vals[0]}_other` : typeof vals[0] === "number" ? Math.max(...nums(vals)) + 1 : null], "other", whereEvent);
        } else this.walk(e.left, whereEvent, depth + 1);
        return;
      }
      case "unary": return this.walk(e.operand, whereEvent, depth + 1);
      case "name": {
        const ref = e.ref;
        const isBool = e.type?.base === "bool" || this.ws.schema.customer.get(e.name)?.type.base === "bool";
        if (ref?.kind === "segment") {
          const seg = this.ws.segments.get(ref.name);
          if (seg) this.walk(seg.expr, null, depth + 1);
        } else if (ref?.kind === "event") this.count(ref.name, [1]);
        else if (ref?.kind === "rfm") this.rfm(null, []);
        else if (isBool) this.probe(e, [true, false], "other", whereEvent);
        return;
      }
      case "exists":
      case "agg": {
        this.count(e.event, e.kind === "agg" && e.fn === "count" ? [1, 2] : [1]);
        if (e.within) this.ago(e.event, [e.within.ms + HOUR]);
        if (e.where) this.walk(e.where, e.event, depth + 1);
        return;
      }
      case "call":
        if (e.fn === "in_cadence" || e.fn === "delivered" || e.fn === "opened" || e.fn === "clicked") this.add({ key: `flag:${e.fn}`, kind: "flag", flag: e.fn, values: [false, true] });
        for (const a of e.args) this.walk(a, whereEvent, depth + 1);
        return;
      case "member": return this.walk(e.object, whereEvent, depth + 1);
      case "list": for (const x of e.items) this.walk(x, whereEvent, depth + 1); return;
      default:
    }
  }
}

/** A synthesized customer: the evaluation environment and what the witness shows of it. */
export interface Synthesized {
  env: EvalEnv;
  shown: Witness["customer"];
  evs: Witness["events"];
  tprops: Record<string, Value>;
  /** Present when the expressions read RFM scores; null: the customer has none. */
  rfm?: RfmScores | null;
  /** in_cadence() and the previous step's feedback, as tried. */
  flags: Record<string, boolean>;
}

function ago(ms: number): string {
  return ms % DAY === 0 ? `${ms / DAY}d` : ms % HOUR === 0 ? `${ms / HOUR}h` : ms % MINUTE === 0 ? `${ms / MINUTE}m` : `${Math.round(ms / 1000)}s`;
}

/** The customer for one choice of value per variable (`pick[i]` indexes `vars[i].values`), with a trigger event when `trigger` names it. */
export function build(vars: Var[], pick: number[], now: number, trigger: string | null): Synthesized {
  const attrs: Record<string, Value> = { customer_id: "synthesized" };
  const tprops: Record<string, Value> = {};
  const counts = new Map<string, number>(), ages = new Map<string, number>(), props = new Map<string, Record<string, Value>>();
  const restAges = new Map<string, number>(), restProps = new Map<string, Record<string, Value>>();
  const shown: Record<string, unknown> = {};
  const rfm: Partial<RfmScores> = {};
  let unscored = false;
  const flags: Record<string, boolean> = {};
  vars.forEach((v, i) => {
    const x = v.values[pick[i]!]!;
    if (v.kind === "attr") {
      attrs[v.name] = x;
      if (x !== null) shown[v.name] = x;
    } else if (v.kind === "tprop") tprops[v.prop] = x;
    else if (v.kind === "count") counts.set(v.event, x as number);
    else if (v.kind === "ago") ages.set(v.event, x as number);
    else if (v.kind === "prop") props.set(v.event, { ...(props.get(v.event) ?? {}), [v.prop]: x });
    else if (v.kind === "rest") {
      if (x === SAME) return;
      if (v.prop === null) restAges.set(v.event, x as number);
      else restProps.set(v.event, { ...(restProps.get(v.event) ?? {}), [v.prop]: x });
    }
    else if (v.kind === "rfm") rfm[v.part] = x as number;
    else if (v.kind === "unscored") unscored = x === true;
    else flags[v.flag] = x === true;
  });
  let scores: RfmScores | null = null;
  const readsRfm = vars.some((v) => v.kind === "unscored");
  if (readsRfm && !unscored) {
    const [r, f, m] = [rfm.r ?? 1, rfm.f ?? 1, rfm.m ?? 1];
    scores = { r, f, m, cell: `${r}${f}${m}` };
  }
  const events: EventRecord[] = [];
  const evs: Witness["events"] = [];
  for (const [ev, n] of [...counts].sort()) {
    const first = ages.get(ev) ?? MINUTE;
    const rest = Math.max(restAges.get(ev) ?? first, first) + MINUTE;
    const latest = props.get(ev) ?? {}, others = { ...latest, ...restProps.get(ev) };
    // The latest at its age; the others a minute apart before it, or from their own age on.
    for (let k = 0; k < n; k++) {
      const a = k === 0 ? first : rest + (k - 1) * MINUTE;
      const p = k === 0 ? latest : others;
      events.push({ name: ev, ts: now - a, props: p });
      evs.push({ event: ev, ago: ago(a), ts: new Date(now - a).toISOString(), props: p });
    }
  }
  const env: EvalEnv = {
    now, customer: attrs, events: events.sort((a, b) => a.ts - b.ts), rfm: scores, segments: {},
    ...(trigger ? { trigger: { name: trigger, ts: now, props: tprops } } : {}),
    ...(flags.in_cadence !== undefined ? { inCadence: flags.in_cadence } : {}),
    ...(["delivered", "opened", "clicked"].some((k) => k in flags) ? { previous: { delivered: !!flags.delivered, opened: !!flags.opened, clicked: !!flags.clicked } } : {}),
  };
  return { env, shown, evs, tprops, ...(readsRfm ? { rfm: scores } : {}), flags };
}
