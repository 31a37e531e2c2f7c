/**
 * Witness search: for every changed boolean expression, one customer on whom
 * the old form (evaluated in the old workspace) and the new form (in the new
 * workspace) disagree. First from the data, in customer-id order (RFM
 * scored by each side's own `rfm:` section, trigger conditions tried on every
 * trigger event of the customer); otherwise synthesized (synth.ts): every name
 * the expressions read, tried at the values where its truth can flip, in all
 * combinations when there are few, deterministically.
 */
import type { Expr, Workspace } from "../../language/ast.ts";
import type { EvalEnv, EventRecord, Value } from "../../language/values.ts";
import type { Change } from "./compare.ts";
import type { Population } from "./data.ts";
import type { NoWitness, Witness } from "./result.ts";
import { build, Collector } from "./synth.ts";
import { readsRef, type RfmOf } from "./impact.ts";

/** The reference evaluator's signature. */
export type Evaluate = (expr: Expr, env: EvalEnv, ws: Workspace) => Value;

/** Most combinations tried per expression pair before falling back to one-at-a-time variation. */
const MAX_COMBOS = 65_536;
/** Most candidates in all when there are more combinations: each variable alone, then pairs, then triples. */
const BUDGET = 100_000;

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

/**
 * Combinations to try: all of them when few; else each variable moved from
 * its default alone, then each pair, then combinations drawn by a fixed-seed
 * generator (so the same change gives the same witness), up to BUDGET in all.
 */
function* combos(sizes: number[]): Generator<number[]> {
  const total = sizes.reduce((a, b) => a * b, 1);
  if (total <= MAX_COMBOS) {
    for (let n = 0; n < total; n++) {
      let r = n;
      yield sizes.map((s) => { const i = r % s; r = Math.floor(r / s); return i; });
    }
    return;
  }
  let left = BUDGET;
  const zero = sizes.map(() => 0);
  for (let i = 0; i < sizes.length; i++) for (let a = 1; a < sizes[i]!; a++, left--) yield zero.map((z, k) => (k === i ? a : z));
  for (let i = 0; i < sizes.length; i++) for (let j = i + 1; j < sizes.length; j++)
    for (let a = 1; a < sizes[i]!; a++) for (let b = 1; b < sizes[j]!; b++, left--) yield zero.map((z, k) => (k === i ? a : k === j ? b : z));
  // A linear congruential generator: deterministic, and enough to spread draws over the space.
  let seed = 0x9e3779b9;
  const next = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296);
  while (left-- > 0) yield sizes.map((s) => Math.floor(next() * s));
}

/** What the data side of the search needs beyond customers: each side's RFM scorer (its own `rfm:` section). */
export interface WitnessOptions {
  rfm?: [RfmOf | null, RfmOf | null];
}

type At = { kind: Change["kind"]; name: string; field: string };

/** Does the expression read the trigger event (itself or its props)? */
const readsTrigger = (e: Expr | undefined) => readsRef(e, (r) => r.kind === "trigger_event" || (r.kind === "prop" && r.scope === "trigger"));

/**
 * Witnesses for every changed expression of `changes`: the first customer of
 * the data on whom old and new disagree, else the first synthesized one
 * (synth.ts) in a fixed order; "none found" only after that bounded search.
 */
export function findWitnesses(changes: Change[], base: Workspace, head: Workspace, ev: Evaluate, pop: Population | null, now: number, opts: WitnessOptions = {}): { witnesses: Witness[]; none: NoWitness[] } {
  const witnesses: Witness[] = [], none: NoWitness[] = [];
  for (const c of changes) for (const f of c.fields) {
    if (!f.expr || f.before === null || f.after === null) continue;
    const a = exprAt(base, c.kind, c.name, f.field), b = exprAt(head, c.kind, c.name, f.field);
    const d = fieldDefault(f.field);
    const at: At = { kind: c.kind, name: c.name, field: f.field };
    // A trigger condition, or a rule condition that reads the trigger, is evaluated with a trigger event.
    let trig: string | null = null;
    if (c.kind === "rule" && (f.field === "on" || readsTrigger(a) || readsTrigger(b))) {
      const ta = triggerEvent(base, c.name), tb = triggerEvent(head, c.name);
      if (!ta || ta !== tb) {
        none.push({ ...at, why: "the trigger's event changed: old and new conditions apply to different events" });
        continue;
      }
      trig = ta;
    }
    let found: Witness | null = pop ? (trig ? dataTriggerWitness(at, a, b, d, trig, base, head, ev, pop, now, opts) : dataWitness(at, a, b, d, base, head, ev, pop, now, opts)) : null;
    let tried = 0;
    if (!found) {
      const s = synthWitness(at, a, b, d, trig, base, head, ev, now);
      found = s.witness;
      tried = s.tried;
    }
    if (found) witnesses.push(found);
    else none.push({ ...at, why: `${pop ? "no customer of the data and " : ""}${tried} synthesized customer${tried === 1 ? "" : "s"} tried (boundary values of every name the expressions read), none tells them apart: they may be equivalent` });
  }
  return { witnesses, none };
}

function rfmIn(e: Expr | undefined): boolean {
  return readsRef(e, (r) => r.kind === "rfm");
}

/** The first customer by id on whom old and new disagree, RFM scored by each side's own section. */
function dataWitness(at: At, a: Expr | undefined, b: Expr | undefined, d: boolean, base: Workspace, head: Workspace, ev: Evaluate, pop: Population, now: number, opts: WitnessOptions): Witness | null {
  const [ra, rb] = opts.rfm ?? [null, null];
  const names = new Set([...attrsRead(a, base), ...attrsRead(b, head)]);
  const segs = [...names].filter((n) => n.startsWith("segment:")).map((n) => n.slice(8));
  const readsRfm = rfmIn(a) || rfmIn(b) || segs.some((n) => rfmIn(base.segments.get(n)?.expr) || rfmIn(head.segments.get(n)?.expr));
  for (const cu of pop.customers) {
    const evs = pop.events.get(cu.id) ?? [];
    const sa = ra ? ra(cu.id, evs, now) : null, sb = rb ? rb(cu.id, evs, now) : null;
    const x = truth(ev, a, d, { ...envOf(cu.attrs, evs, now), rfm: sa }, base), y = truth(ev, b, d, { ...envOf(cu.attrs, evs, now), rfm: sb }, head);
    if (x !== "error" && y !== "error" && x !== y) {
      const shown = Object.fromEntries(Object.entries(cu.attrs).filter(([k, v]) => names.has(k) && v !== null));
      return { ...at, source: "data", customer_id: cu.id, customer: shown, events: [], ...(readsRfm && (ra || rb) ? { rfm: sb ?? sa } : {}), before: x, after: y };
    }
  }
  return null;
}

/** The bounded search over synthesized customers; `tried` counts the candidates evaluated. */
function synthWitness(at: At, a: Expr | undefined, b: Expr | undefined, d: boolean, trig: string | null, base: Workspace, head: Workspace, ev: Evaluate, now: number): { witness: Witness | null; tried: number } {
  const col = new Collector(head, now), colB = new Collector(base, now);
  for (const e of [a, b]) if (e) (col.walk(e, null, 0), colB.walk(e, null, 0));
  col.merge(colB);
  const vars = col.finish();
  let tried = 0;
  for (const pick of combos(vars.map((v) => v.values.length))) {
    tried++;
    const s = build(vars, pick, now, trig);
    const x = truth(ev, a, d, s.env, base), y = truth(ev, b, d, s.env, head);
    if (x !== "error" && y !== "error" && x !== y) {
      const flags = Object.keys(s.flags).length ? { flags: s.flags } : {};
      const witness: Witness = {
        ...at, source: "synthesized", customer_id: null, customer: s.shown, events: s.evs,
        ...(s.rfm !== undefined ? { rfm: s.rfm } : {}), ...flags,
        ...(trig ? { trigger: { event: trig, ts: new Date(now).toISOString(), props: s.tprops } } : {}),
        before: x, after: y,
      };
      return { witness, tried };
    }
  }
  return { witness: null, tried };
}

/** The event a rule's trigger fires on, for `EVENT [where]` and `D after EVENT [where]` triggers. */
function triggerEvent(ws: Workspace, rule: string): string | null {
  const on = ws.rules.get(rule)?.on;
  return on && (on.kind === "event" || on.kind === "after") ? on.event : null;
}

/** The first customer (by id) and event of theirs (in time order) on which the old and new trigger conditions disagree. */
function dataTriggerWitness(at: At, a: Expr | undefined, b: Expr | undefined, d: boolean, event: string, base: Workspace, head: Workspace, ev: Evaluate, pop: Population, now: number, opts: WitnessOptions): Witness | null {
  const [ra, rb] = opts.rfm ?? [null, null];
  const names = new Set([...attrsRead(a, base), ...attrsRead(b, head)]);
  for (const cu of pop.customers) {
    const evs = pop.events.get(cu.id) ?? [];
    for (let i = 0; i < evs.length; i++) {
      const t = evs[i]!;
      if (t.ts > now) break;
      if (t.name !== event) continue;
      const seen = evs.slice(0, i + 1);
      const env: EvalEnv = { ...envOf(cu.attrs, seen, t.ts), trigger: t };
      const x = truth(ev, a, d, { ...env, rfm: ra ? ra(cu.id, seen, t.ts) : null }, base), y = truth(ev, b, d, { ...env, rfm: rb ? rb(cu.id, seen, t.ts) : null }, head);
      if (x !== "error" && y !== "error" && x !== y) {
        const shown = Object.fromEntries(Object.entries(cu.attrs).filter(([k, v]) => names.has(k) && v !== null));
        return { ...at, source: "data", customer_id: cu.id, customer: shown, events: [], trigger: { event, ts: new Date(t.ts).toISOString(), props: Object.fromEntries(Object.entries(t.props).filter(([, v]) => v !== null)) }, before: x, after: y };
      }
    }
  }
  return null;
}

/** Attribute names an expression reads, following segments into their bodies (segments as `segment:NAME`). */
function attrsRead(e: unknown, ws: Workspace, out = new Set<string>(), depth = 0): Set<string> {
  if (!e || typeof e !== "object" || depth > 50) return out;
  const n = e as { kind?: string; name?: string; ref?: { kind: string; name?: string } };
  if (n.kind === "name" && (!n.ref || n.ref.kind === "attribute")) out.add(n.name!);
  if (n.kind === "name" && n.ref?.kind === "segment" && !out.has(`segment:${n.ref.name}`)) {
    out.add(`segment:${n.ref.name}`);
    attrsRead(ws.segments.get(n.ref.name!)?.expr, ws, out, depth + 1);
  }
  for (const [k, v] of Object.entries(e)) {
    if (k === "span" || k === "type" || k === "ref") continue;
    if (Array.isArray(v)) v.forEach((x) => attrsRead(x, ws, out, depth + 1));
    else if (v && typeof v === "object") attrsRead(v, ws, out, depth + 1);
  }
  return out;
}
