/**
 * Audience impact of a change on real data (`--data D --at TIME`): customers
 * entering and leaving every segment and every rule's audience at TIME, and
 * the messages per day per channel the engine would send over the week before
 * TIME under each side, with how often each cap stops one (a cap that starts
 * stopping messages "starts to bite").
 *
 * A rule's audience: for a rule started by an event, the customers it fired
 * for in the REPLAY_DAYS before TIME (trigger `where`, `suppress`, `who` and
 * `unless` at the instant it fires, with the event as the trigger); for any
 * other rule, those for whom `suppress` is false, `who` true and `unless`
 * false at TIME. RFM scores come from each side's own `rfm:` section.
 */
import { rfmScorer } from "../../engine/rfm.ts";
import type { Expr, Workspace } from "../../language/ast.ts";
import type { EventRecord, RfmScores } from "../../language/values.ts";
import type { Population } from "./data.ts";
import type { AudienceDelta, Impact, MessageProjection } from "./result.ts";
import type { Evaluate } from "./witness.ts";

/** Days of history replayed through the engine for the message projection. */
export const REPLAY_DAYS = 7;
const SAMPLE = 5;

type Truth = boolean | "error";

/** RFM scores of a customer at an instant (null: none, or no `rfm:` section). */
export type RfmOf = (id: string, events: readonly EventRecord[], now: number) => RfmScores | null;

/**
 * The RFM scorer for one side's `rfm:` section, fitted on the population at
 * `at`: the engine's scorer (engine/rfm.ts, language.md's definition).
 * Null when the side has no `rfm:`.
 */
export async function rfmFor(ws: Workspace, pop: Population, at: number): Promise<RfmOf | null> {
  if (!ws.rfm) return null;
  return rfmScorer(ws.rfm, pop.events.values(), at);
}

function truthOf(ev: Evaluate, e: Expr | undefined, dflt: boolean, ws: Workspace, attrs: Record<string, unknown>, events: readonly EventRecord[], now: number, rfm: RfmOf | null = null): Truth {
  if (!e) return dflt;
  try {
    const scores = rfm ? rfm(String(attrs.customer_id), events, now) : null;
    return ev(e, { now, customer: attrs as never, events, rfm: scores, segments: {} }, ws) === true;
  } catch {
    return "error";
  }
}

function membership(pop: Population, at: number, test: (attrs: Record<string, unknown>, events: readonly EventRecord[]) => Truth): { set: Set<string>; errors: number } {
  const set = new Set<string>();
  let errors = 0;
  for (const c of pop.customers) {
    const t = test(c.attrs, (pop.events.get(c.id) ?? []).filter((e) => e.ts <= at));
    if (t === "error") errors++;
    else if (t) set.add(c.id);
  }
  return { set, errors };
}

function delta(kind: AudienceDelta["kind"], name: string, a: Set<string> | null, b: Set<string> | null): AudienceDelta {
  const entering = [...(b ?? [])].filter((x) => !a?.has(x)).sort();
  const leaving = [...(a ?? [])].filter((x) => !b?.has(x)).sort();
  return { kind, name, before: a ? a.size : null, after: b ? b.size : null, entering: entering.length, leaving: leaving.length, entering_sample: entering.slice(0, SAMPLE), leaving_sample: leaving.slice(0, SAMPLE) };
}

type Ref = { kind: string; scope?: string };

/** True when some name in the expression has a reference passing `test`. */
export function readsRef(e: unknown, test: (r: Ref) => boolean): boolean {
  if (!e || typeof e !== "object") return false;
  const n = e as { kind?: string; ref?: Ref };
  if (n.kind === "name" && n.ref && test(n.ref)) return true;
  for (const [k, v] of Object.entries(e)) {
    if (k === "span" || k === "type" || k === "ref") continue;
    if (Array.isArray(v) ? v.some((x) => readsRef(x, test)) : typeof v === "object" && readsRef(v, test)) return true;
  }
  return false;
}

/** The trigger event (itself or its props): an audience count has no value for it. */
const TRIGGER = (r: Ref) => r.kind === "trigger_event" || (r.kind === "prop" && r.scope === "trigger");

/** Is the rule started by an event (`on: E [where]`, `D after E [where]`)? Its audience is then who was triggered. */
function eventTriggered(ws: Workspace, id: string): boolean {
  const k = ws.rules.get(id)?.on.kind;
  return k === "event" || k === "after";
}

/**
 * The customers a rule would take at TIME: for a rule started by an event,
 * those with at least one trigger event in the REPLAY_DAYS before TIME on
 * which the trigger's `where`, `suppress`, `who` and `unless` agree (each
 * evaluated at the instant the rule fires, with that event as the trigger);
 * for any other rule, those for whom `suppress` is false, `who` true and
 * `unless` false at TIME.
 */
function ruleAudience(ev: Evaluate, ws: Workspace, id: string, pop: Population, at: number, rfm: RfmOf | null): { set: Set<string>; errors: number } | null {
  const r = ws.rules.get(id);
  if (!r) return null;
  const on = r.on;
  if (on.kind === "event" || on.kind === "after") {
    const delay = on.kind === "after" ? on.delay.ms : 0;
    const from = at - REPLAY_DAYS * 86_400_000;
    const set = new Set<string>();
    let errors = 0;
    for (const c of pop.customers) {
      const evs = pop.events.get(c.id) ?? [];
      for (let i = 0; i < evs.length; i++) {
        const t = evs[i]!;
        const fire = t.ts + delay;
        if (t.name !== on.event || fire <= from || fire > at) continue;
        const seen = evs.filter((e) => e.ts <= fire);
        const scores = rfm ? rfm(c.id, seen, fire) : null;
        const test = (e: Expr | undefined, dflt: boolean): Truth => {
          if (!e) return dflt;
          try {
            return ev(e, { now: fire, customer: c.attrs, events: seen, rfm: scores, segments: {}, trigger: t }, ws) === true;
          } catch {
            return "error";
          }
        };
        const parts = [test(on.where, true), test(ws.suppress, false), test(r.who, true), test(r.unless, false)];
        if (parts.includes("error")) {
          errors++;
          break;
        }
        if (parts[0] && !parts[1] && parts[2] && !parts[3]) {
          set.add(c.id);
          break;
        }
      }
    }
    return { set, errors };
  }
  return membership(pop, at, (attrs, events) => {
    const sup = truthOf(ev, ws.suppress, false, ws, attrs, events, at, rfm);
    const who = truthOf(ev, r.who, true, ws, attrs, events, at, rfm);
    const unless = truthOf(ev, r.unless, false, ws, attrs, events, at, rfm);
    if (sup === "error" || who === "error" || unless === "error") return "error";
    return !sup && who && !unless;
  });
}

/** Sends per channel and caps hit, replaying the last REPLAY_DAYS days through the engine. */
async function replay(ws: Workspace, ev: Evaluate, pop: Population, at: number, rfm: RfmOf | null): Promise<{ sends: Map<string, number>; capped: Map<string, number> }> {
  const { createEngine } = await import("../../engine/api.ts");
  const from = at - REPLAY_DAYS * 86_400_000;
  const customers = new Map(pop.customers.map((c) => [c.id, c.attrs]));
  const before = new Map<string, EventRecord[]>();
  for (const [id, list] of pop.events) before.set(id, list.filter((e) => e.ts <= from));
  const engine = createEngine(ws, { compile: (expr) => (env) => ev(expr, env, ws), customers, events: before, ...(rfm ? { rfm } : {}) });
  const sends = new Map<string, number>(), capped = new Map<string, number>();
  const count = (ds: { status: string; channel: string | null; reason: string | null }[]) => {
    for (const d of ds) {
      if (d.status === "send" && d.channel) sends.set(d.channel, (sends.get(d.channel) ?? 0) + 1);
      if (d.status === "capped") capped.set(d.reason ?? "cap", (capped.get(d.reason ?? "cap") ?? 0) + 1);
    }
  };
  for (const c of pop.customers) {
    count(engine.decide(c.id, null, from));
    for (const e of pop.events.get(c.id) ?? []) if (e.ts > from && e.ts <= at) count(engine.decide(c.id, e, e.ts));
    count(engine.decide(c.id, null, at));
  }
  return { sends, capped };
}

/** The impact of going from `base` to `head` on `pop` at `at`. */
export async function audienceImpact(base: Workspace, head: Workspace, ev: Evaluate, pop: Population, at: number): Promise<Impact> {
  const missing: string[] = [];
  const [rfmA, rfmB] = [await rfmFor(base, pop, at), await rfmFor(head, pop, at)];
  const exprs = (ws: Workspace) => [ws.suppress, ...[...ws.segments.values()].map((x) => x.expr), ...[...ws.rules.values()].flatMap((r) => [r.who, r.unless])];
  if ([...exprs(base), ...exprs(head)].some((e) => readsRef(e, (r) => r.kind === "rfm")) && !((rfmA || !base.rfm) && (rfmB || !head.rfm)))
    missing.push("RFM scores could not be computed (no scorer in this build): rfm.* reads null and audiences using them are understated");
  const audiences: AudienceDelta[] = [];
  const segs = [...new Set([...base.segments.keys(), ...head.segments.keys()])].sort();
  for (const name of segs) {
    const side = (ws: Workspace) => {
      const s = ws.segments.get(name);
      return s ? membership(pop, at, (attrs, events) => truthOf(ev, s.expr, false, ws, attrs, events, at, ws === base ? rfmA : rfmB)).set : null;
    };
    audiences.push(delta("segment", name, side(base), side(head)));
  }
  const rules = [...new Set([...base.rules.keys(), ...head.rules.keys()])].sort();
  for (const id of rules) {
    // Without a trigger event to read, conditions on the trigger have no value: only event-started rules have one.
    const uses = (ws: Workspace) => !eventTriggered(ws, id) && [ws.rules.get(id)?.who, ws.rules.get(id)?.unless].some((e) => readsRef(e, TRIGGER));
    if (uses(base) || uses(head)) {
      missing.push(`rule ${id}: its conditions read the trigger event, which an audience count has no value for; audience not estimated`);
      continue;
    }
    const a = ruleAudience(ev, base, id, pop, at, rfmA), b = ruleAudience(ev, head, id, pop, at, rfmB);
    if ((a?.errors ?? 0) > 0 || (b?.errors ?? 0) > 0) {
      missing.push(`rule ${id}: its conditions could not be evaluated for ${Math.max(a?.errors ?? 0, b?.errors ?? 0)} customers; audience not estimated`);
      continue;
    }
    const d = delta("rule", id, a?.set ?? null, b?.set ?? null);
    audiences.push(eventTriggered(head.rules.has(id) ? head : base, id) ? { ...d, basis: "triggered" } : d);
  }
  let messages: MessageProjection | null = null;
  try {
    const [x, y] = [await replay(base, ev, pop, at, rfmA), await replay(head, ev, pop, at, rfmB)];
    const chans = [...new Set([...x.sends.keys(), ...y.sends.keys()])].sort();
    const reasons = [...new Set([...x.capped.keys(), ...y.capped.keys()])].sort();
    messages = {
      days: REPLAY_DAYS,
      per_day: chans.map((c) => ({ channel: c, before: (x.sends.get(c) ?? 0) / REPLAY_DAYS, after: (y.sends.get(c) ?? 0) / REPLAY_DAYS })),
      capped: reasons.map((r) => ({ reason: r, before: x.capped.get(r) ?? 0, after: y.capped.get(r) ?? 0 })),
    };
  } catch (e) {
    missing.push(`messages per day: the engine replay failed (${(e as Error).message.split("\n")[0]})`);
  }
  return { at: new Date(at).toISOString(), customers: pop.customers.length, audiences, messages, missing };
}
