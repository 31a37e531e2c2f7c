/**
 * The decision loop for one customer over a window `(from, to]` (language.md,
 * "Order of a decision"). `run`, `simulate` and the API all come here: a run
 * is one window per customer, a simulation one long window from an empty
 * state, the API one short window per incoming event.
 *
 * Rather than ticking every minute, the loop keeps an agenda of candidates
 * (trigger firings, later cadence steps, messages put back by the queue or by
 * send hours) and always takes the earliest; candidates due at the same
 * instant go in arbitration order (priority descending, ties by rule id).
 * Each candidate ends in exactly one status, or is put back with a later due
 * time, or stays pending past `to` (and is then `deferred` when it was
 * already waiting).
 */
import type { Expr, Rule, Step, Trigger } from "../../language/ast.ts";
import { printExpr, printTrigger } from "../../language/printer.ts";
import type { EvalEnv, EventRecord, RfmScores, Value } from "../../language/values.ts";
import { type Decision, type DecisionStatus } from "../decision.ts";
import { isoInstant, isoSeconds } from "./iso.ts";
import { capText, firstBlockingCap, nextFreeTime, type CapQuery } from "./caps.ts";
import type { Cap } from "../../language/ast.ts";
import { assign, holdoutBucket } from "./holdout.ts";
import { armBucket, armOf, basisPoints, ruleArmSalt } from "./arm-hash.ts";
import { armsOf, stepsOf } from "../../language/variants.ts";
import { deadlinesOf, exitOf, exitTest, type Program } from "./program.ts";
import type { CustomerState, Pending } from "./state.ts";
import { nextSendTime } from "./timezone.ts";
import { firings, lowerBound, type TriggerContext } from "./triggers.ts";
import { formatWait } from "./wait.ts";
import { nameRecord } from "./records.ts";

/** One customer as the loop sees them. */
export interface CustomerInput {
  id: string;
  attrs: Record<string, Value>;
  /** Sorted by ts ascending. */
  events: readonly EventRecord[];
  /** IANA zone already resolved (see `resolveTimezone`). */
  tz: string;
  rfm: RfmScores | null;
  /**
   * RFM as of a decision instant (the snapshot at 00:00 UTC of its day, inputs.ts `rfmSnapshots`);
   * when set it wins over `rfm`, so a decision never reads scores from after it.
   */
  rfmAt?: (now: number) => RfmScores | null;
  /** Partial all-time aggregates when `events` start late (see EvalEnv.base). */
  base?: EvalEnv["base"];
}

/** A decision with the instant it was taken, for ordering the log. */
export interface TimedDecision extends Decision {
  at: number;
}

/** How a window ends: `deferred` lines for waiting candidates, or silence (API). */
export interface AdvanceOptions {
  reportDeferred: boolean;
  /**
   * Only this event may fire triggers (the API, for a second event at the
   * instant already decided: the window's other firings were taken already).
   */
  onlyEvent?: EventRecord;
  /** Receives each check of each candidate with the values it saw (`playbook explain`). */
  trace?: (x: Pending, at: number, check: string, detail: string) => void;
}

/** Feedback that stops a channel for good, and the word the log's reason uses for it. */
const FEEDBACK_STOP = new Map([["message_unsubscribed", "unsubscribed"], ["message_complained", "complained"]]);

/** Decides everything due for one customer in `(from, to]`, updating `state` in place. */
export function advance(p: Program, c: CustomerInput, state: CustomerState, from: number, to: number, opts: AdvanceOptions): TimedDecision[] {
  return new Advance(p, c, state, to, opts).run(from);
}

/**
 * One `advance` call. A class rather than closures inside a function: the
 * runtime is loaded through tsx, whose esbuild `keepNames` wraps every named
 * closure in an `Object.defineProperty` each time it is created — measurable
 * when a run creates them for a million customers. Methods are created once.
 */
class Advance {
  readonly out: TimedDecision[] = [];
  readonly trigger: TriggerContext;

  constructor(
    readonly p: Program,
    readonly c: CustomerInput,
    readonly state: CustomerState,
    readonly to: number,
    readonly opts: AdvanceOptions,
  ) {
    this.trigger = { ws: p.ws, exprs: p.exprs, customer: c.attrs, events: c.events, tz: c.tz, envAt: this, segmentBaseline: state.segments };
  }

  /** The evaluation environment at an instant (also the trigger context's `envAt`). */
  at(now: number, trigger?: EventRecord, previous?: EvalEnv["previous"]): EvalEnv {
    const { c } = this;
    const env: EvalEnv = { now, customer: c.attrs, events: c.events, rfm: c.rfmAt ? c.rfmAt(now) : c.rfm, trigger, previous, inCadence: this.state.activeCadence !== null, segments: nameRecord<boolean>() };
    if (c.base) env.base = c.base;
    return env;
  }

  run(from: number): TimedDecision[] {
    const { p, c, state, to, opts } = this;
    // New entries from triggers in the window.
    const segmentsOut = nameRecord<boolean>();
    for (const rule of p.rules) {
      if (opts.onlyEvent && rule.on.kind !== "event") continue;
      for (const f of firings(rule, this.trigger, from, to, segmentsOut)) {
        if (opts.onlyEvent && f.event !== opts.onlyEvent) continue;
        const arm = armOf(rule, c.id);
        const due = f.at + (stepsOf(rule, arm)[0]?.after?.ms ?? 0);
        const pend: Pending = {
          rule: rule.id, step: 1, enteredAt: f.at, variant: assign(p.ws, rule, c.id).variant, due, planned: due,
          entered: false, waiting: null, queued: false, prevSentAt: null,
        };
        if (arm !== null) pend.arm = arm;
        if (f.event) pend.trigger = f.event;
        state.pending.push(pend);
      }
    }
    Object.assign(state.segments, segmentsOut);
    // The agenda is kept sorted (earliest due, then arbitration order; stable, so ties keep their
    // arrival order): taking the next candidate is taking the first.
    const pending = state.pending;
    pending.sort((a, b) => cmpPending(p, a, b));
    while (pending.length > 0 && pending[0]!.due <= to) this.decideOne(pending.shift()!);
    if (opts.reportDeferred) {
      for (const x of [...state.pending].sort((a, b) => cmpPending(p, a, b))) {
        if (x.waiting !== null && x.planned <= to && !x.deferredLogged && (x.deferredLogged = true)) this.emit(x, "deferred", to, { sendAt: x.due, reason: x.waiting === "blocked" ? "blocked" : x.waiting === "queue" ? "queue" : "send hours" });
      }
    }
    return this.out;
  }

  emit(x: Pending, status: DecisionStatus, at: number, extra: { channel?: string | null; reason?: string | null; sendAt?: number | null } = {}): void {
    const { p, c } = this;
    const rule = p.ws.rules.get(x.rule)!;
    const step = stepsOf(rule, x.arm)[x.step - 1]!;
    this.opts.trace?.(x, at, "status", `${status}${extra.channel ? ` via ${extra.channel}` : ""}${extra.sendAt != null ? ` at ${isoInstant(extra.sendAt)}` : ""}${extra.reason ? ` (${extra.reason})` : ""}`);
    this.out.push({
      at,
      customer_id: c.id, rule: x.rule, step: x.step, entry_id: `${x.rule}:${c.id}:${isoInstant(x.enteredAt)}`,
      entered_at: isoInstant(x.enteredAt), variant: x.variant, arm: x.arm ?? null, status, channel: extra.channel ?? null,
      template: templateOf(step, x.arm)?.name ?? null, topic: step.topic, send_at: extra.sendAt == null ? null : isoInstant(extra.sendAt),
      reason: extra.reason ?? null, playbook: p.hash,
    });
  }

  endEntry(x: Pending, at: number): void {
    const { state } = this;
    if (isEntry(state.activeCadence, x, this.c.id)) {
      state.activeCadence = null;
      // Entries blocked by this cadence may go now, if their queue time is not over.
      let moved = false;
      for (const w of state.pending) if (w.waiting === "blocked" && w.due > at) (w.due = at), (moved = true);
      if (moved) state.pending.sort((a, b) => cmpPending(this.p, a, b));
    }
  }

  /** Puts a candidate on the agenda in order (after any equal one). */
  enqueue(x: Pending): void {
    const list = this.state.pending;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cmpPending(this.p, list[mid]!, x) <= 0) lo = mid + 1;
      else hi = mid;
    }
    list.splice(lo, 0, x);
  }

  nextStep(x: Pending, rule: Rule, at: number, sentAt: number | null): void {
    const s = stepsOf(rule, x.arm)[x.step];
    if (!s) return this.endEntry(x, at);
    const due = at + (s.after?.ms ?? 0);
    const next: Pending = { ...x, step: x.step + 1, due, planned: due, waiting: null, queued: false, prevSentAt: sentAt };
    // A new candidate: the previous step's `deferred` line is not this one's (it gets its own).
    delete next.deferredLogged;
    this.enqueue(next);
  }

  /** Evaluates a condition, tracing it for explain. */
  test(check: string, e: Expr, env: EvalEnv, x: Pending, t: number): boolean {
    const v = this.p.exprs.test(e, env);
    if (this.opts.trace) this.opts.trace(x, t, check, `${sourceOf(this.p, e)} → ${v}`);
    return v;
  }

  decideOne(x: Pending): void {
    const { p, c, state, opts } = this;
    const t = x.due;
    const rule = p.ws.rules.get(x.rule)!;
    const step = stepsOf(rule, x.arm)[x.step - 1]!;
    const cadence = isCadenceOf(rule, x.arm);
    const env = this.at(t, x.trigger, previousOf(c.events, x, t));
    const tr = opts.trace;
    if (tr) {
      tr(x, t, "candidate", `step ${x.step}, entered ${isoInstant(x.enteredAt)}, due ${isoInstant(x.planned)}${dueFrom(x, step)}${x.waiting ? `, waited (${x.waiting})` : ""}`);
      if (env.previous && x.step > 1) tr?.(x, t, "previous", `delivered ${env.previous.delivered}, opened ${env.previous.opened}, clicked ${env.previous.clicked}`);
    }
    // suppression → (trigger) → expires → who → unless → exit → (holdout, assigned at entry)
    if (p.ws.suppress && this.test("suppress", p.ws.suppress, env, x, t)) return (this.emit(x, "suppressed", t, { reason: "suppress" }), this.endEntry(x, t));
    const { capDeadline, hoursDeadline, bound } = deadlinesOf(p, rule, x);
    if (tr) tr(x, t, "expires", `latest ${isoInstant(hoursDeadline)}, ${bound} (queue until ${isoInstant(capDeadline)})`);
    if (t > hoursDeadline) return (this.emit(x, "expired", t, { reason: "expires" }), this.nextStep(x, rule, t, null));
    // Once per entry, at the first step's due time: an entry blocked by another cadence and tried
    // again later is not re-checked (else it could vanish without a line after its `deferred` one).
    if (!x.entered && !x.admitted) {
      if (rule.who && !this.test("who", rule.who, env, x, t)) return;
      if (rule.unless && this.test("unless", rule.unless, env, x, t)) return;
      x.admitted = true;
    }
    const exit = exitEvent(p, rule, c.events, x.enteredAt, t, env);
    if (tr) tr(x, t, "exit", exit ? `${exit.name} at ${isoInstant(exit.ts)}, after entry` : `no ${exitOf(p, rule).map((e) => (e.where ? `${e.event} where ${printExpr(e.where)}` : e.event)).join(" / ") || "exit event (none)"} after entry`);
    if (exit) return (this.emit(x, "exited", t, { reason: exit.name }), this.endEntry(x, t));
    if (tr) tr(x, t, "holdout", `${x.variant} (bucket ${holdoutBucket(rule.salt || rule.id, c.id).toFixed(4)} under salt "${rule.salt || rule.id}", share ${rule.holdout ?? p.ws.defaults.holdout}${p.ws.defaults.globalHoldout ? `, global ${p.ws.defaults.globalHoldout}` : ""}${rule.holdoutGroup ? `, holdout_group ${rule.holdoutGroup}` : ""})`);
    if (tr && x.arm) tr(x, t, "arm", `${x.arm} (bucket ${armBucket(ruleArmSalt(rule), c.id)} of 10000 under salt "${ruleArmSalt(rule)}"; ${armRanges(rule)})`);
    if (!x.entered) {
      const id = entryId(x, c.id);
      const busy = state.activeCadence !== null && !isEntry(state.activeCadence, x, c.id);
      if (tr && cadence && rule.exclusive) tr(x, t, "exclusive", busy ? `in cadence ${state.activeCadence}` : "free");
      if (cadence && rule.exclusive && busy) {
        if (t < capDeadline) {
          tr?.(x, t, "waits", `blocked: tried again when that cadence ends, until ${isoInstant(capDeadline)} (queue)`);
          return void this.enqueue({ ...x, due: capDeadline, waiting: "blocked", queued: true });
        }
        return void this.emit(x, "blocked", t, { reason: `in cadence ${state.activeCadence!.split(":")[0]}` });
      }
      x.entered = true;
      if (cadence && rule.exclusive) state.activeCadence = id;
    }
    if (step.if && !this.test("step if", step.if, env, x, t)) return (this.emit(x, "suppressed", t, { reason: "if" }), this.nextStep(x, rule, t, null));
    if (step.unless && this.test("step unless", step.unless, env, x, t)) return (this.emit(x, "suppressed", t, { reason: "unless" }), this.nextStep(x, rule, t, null));
    // Channel choice: the first channel whose `requires` holds, not stopped by feedback, within its caps.
    let chosen: string | null = null;
    let reachable = false;
    const stopped: { cap: Cap; q: CapQuery }[] = [];
    const feedbackStops: [kind: string, channel: string][] = [];
    for (const ch of step.channels) {
      const def = p.ws.channels.get(ch.name);
      if (def?.requires && !this.test(`channel ${ch.name} requires`, def.requires, env, x, t)) continue;
      reachable = true;
      const stop = channelStopped(c.events, ch.name, t);
      if (stop) { feedbackStops.push([stop.kind, ch.name]); tr?.(x, t, `channel ${ch.name}`, `stopped: ${stop.kind} at ${isoInstant(stop.ts)}`); continue; }
      const q = { t, channel: ch.name, topic: step.topic, rule: rule.id };
      const cap = firstBlockingCap(p.caps.byChannel.get(ch.name) ?? [], state.history, c.events, q);
      if (tr) tr(x, t, `channel ${ch.name} caps`, cap ? `stopped by ${capText(cap)}` : "within caps");
      if (cap) { stopped.push({ cap, q }); continue; }
      chosen = ch.name;
      break;
    }
    if (!reachable) return (this.emit(x, "no_channel", t), this.nextStep(x, rule, t, null));
    if (chosen === null && stopped.length === 0) {
      return (this.emit(x, "suppressed", t, { reason: feedbackReason(feedbackStops) }), this.nextStep(x, rule, t, null));
    }
    if (chosen !== null) {
      const q = { t, channel: chosen, topic: step.topic, rule: rule.id };
      const cap = firstBlockingCap(p.caps.global, state.history, c.events, q);
      if (tr) tr(x, t, "caps", cap ? `stopped by ${capText(cap)} (${state.history.length} messages in history)` : `within ${p.caps.global.map(capText).join("; ") || "no caps"}`);
      if (cap) stopped.splice(0, stopped.length, { cap, q });
    }
    if (stopped.length > 0 && (chosen === null || stopped[0]!.q.channel === chosen)) {
      const retry = Math.min(...stopped.map((s) => nextFreeTime(s.cap, state.history, c.events, s.q)));
      if (retry <= capDeadline) {
        tr?.(x, t, "waits", `queued: next try ${isoInstant(retry)}, when the cap frees (queue until ${isoInstant(capDeadline)})`);
        return void this.enqueue({ ...x, due: retry, waiting: "queue", queued: true });
      }
      return (this.emit(x, "capped", t, { channel: stopped[0]!.q.channel, reason: capText(stopped[0]!.cap) }), this.nextStep(x, rule, t, null));
    }
    const ch = chosen!;
    const at = nextSendTime(t, c.tz, p.sendHours);
    if (tr) tr(x, t, "send hours", at === t ? `inside (zone ${c.tz})` : `outside (zone ${c.tz}); next allowed ${isoInstant(at)}`);
    if (at > t) {
      if (at <= hoursDeadline) return void this.enqueue({ ...x, due: at, waiting: "hours" });
      return (this.emit(x, "expired", t, { channel: ch, reason: "send hours" }), this.nextStep(x, rule, t, null));
    }
    const missing = missingFields(p, templateOf(step, x.arm), c.attrs);
    if (tr && templateOf(step, x.arm)) tr(x, t, "template", `${templateOf(step, x.arm)!.name}: ${missing ? `missing ${missing}` : "fields present"}`);
    if (missing) return (this.emit(x, "missing_field", t, { channel: ch, reason: missing }), this.nextStep(x, rule, t, null));
    state.history.push({ ts: t, channel: ch, topic: step.topic, rule: rule.id, step: x.step });
    this.emit(x, x.variant === "holdout" ? "ghost" : "send", t, { channel: ch, sendAt: t, reason: x.queued && t > x.planned ? `queued ${formatWait(t - x.planned)}` : null });
    this.nextStep(x, rule, t, t);
  }
}

/**
 * Where a candidate's due time comes from, for explain: the trigger for step 1, the instant the
 * previous step was decided for the others (its send time when send hours or the queue moved
 * it; docs/language.md, "Semantics notes").
 */
function dueFrom(x: Pending, step: Step): string {
  const after = step.after;
  if (!after || after.ms === 0) return x.step === 1 ? " (at the trigger)" : ` (when step ${x.step - 1} was decided)`;
  return x.step === 1 ? ` (${after.raw} after the trigger)` : ` (${after.raw} after step ${x.step - 1} was decided, at ${isoInstant(x.planned - after.ms)})`;
}

/** An expression or trigger in canonical text (language/printer.ts), for traces. */
export function sourceOf(_p: Program, e: Expr | Trigger): string {
  return isTrigger(e) ? printTrigger(e) : printExpr(e);
}

function isTrigger(e: Expr | Trigger): e is Trigger {
  return ["event", "after", "before", "anniversary", "inactivity", "enter", "leave", "every", "once"].includes(e.kind);
}

function entryId(x: Pending, cid: string): string {
  return `${x.rule}:${cid}:${isoInstant(x.enteredAt)}`;
}

/**
 * Whether `active` (the state's cadence in progress) is this entry. A state file written before
 * ids kept milliseconds holds the id at second precision: it is still this entry, or the cadence
 * would never end.
 */
function isEntry(active: string | null, x: Pending, cid: string): boolean {
  return active !== null && (active === entryId(x, cid) || (x.enteredAt % 1000 !== 0 && active === `${x.rule}:${cid}:${isoSeconds(x.enteredAt)}`));
}

function cmpPending(p: Program, a: Pending, b: Pending): number {
  return a.due - b.due || p.rank.get(a.rule)! - p.rank.get(b.rule)! || a.enteredAt - b.enteredAt || a.step - b.step;
}

/** Feedback on the previous step: events of this rule and step since it went out. */
function previousOf(events: readonly EventRecord[], x: Pending, t: number): EvalEnv["previous"] {
  const prev = { delivered: false, opened: false, clicked: false };
  if (x.step === 1 || x.prevSentAt === null) return prev;
  for (let i = lowerBound(events, x.prevSentAt - 1); i < events.length; i++) {
    const e = events[i]!;
    if (e.ts > t) break;
    if (e.props.rule !== x.rule || Number(e.props.step) !== x.step - 1) continue;
    if (e.name === "message_delivered") prev.delivered = true;
    else if (e.name === "message_opened") prev.opened = true;
    else if (e.name === "message_clicked") prev.clicked = true;
  }
  return prev;
}

/**
 * The first unsubscribe, complaint or hard bounce on `channel` at or before `t` (the one that
 * stopped it: later ones change nothing), as the word the log uses, or null.
 */
function channelStopped(events: readonly EventRecord[], channel: string, t: number): { kind: string; ts: number } | null {
  for (const e of events) {
    if (e.ts > t) break;
    if (e.props.channel !== channel) continue;
    const kind = FEEDBACK_STOP.get(e.name) ?? (e.name === "message_bounced" && e.props.hard === true ? "bounced" : undefined);
    if (kind) return { kind, ts: e.ts };
  }
  return null;
}

/** `unsubscribed: email`, `complained: email, push`, `unsubscribed: email; bounced: sms`: channels grouped by what stopped them, in channel order. */
function feedbackReason(stops: [kind: string, channel: string][]): string {
  const by = new Map<string, string[]>();
  for (const [kind, ch] of stops) by.set(kind, [...(by.get(kind) ?? []), ch]);
  return [...by].map(([kind, chs]) => `${kind}: ${chs.join(", ")}`).join("; ");
}

/**
 * The first exit event in `(enteredAt, t]` (the entry's own instant excluded, the decision's
 * included: an exit at the very instant a step is due ends the entry), or null.
 */
function exitEvent(p: Program, rule: Rule, events: readonly EventRecord[], enteredAt: number, t: number, env: EvalEnv): EventRecord | null {
  const exits = exitOf(p, rule);
  if (exits.length === 0) return null;
  for (let i = lowerBound(events, enteredAt); i < events.length; i++) {
    const e = events[i]!;
    if (e.ts > t) break;
    for (const x of exits) {
      if (x.event !== e.name) continue;
      // The rule's trigger stays in scope (W may read its props); segments are memoized per instant.
      const w = exitTest(x);
      if (w && !p.exprs.test(w, { ...env, now: e.ts, segments: nameRecord<boolean>() })) continue;
      return e;
    }
  }
  return null;
}

/** Template fields that are null or empty for the customer, comma-joined, or null when all are there. */
function missingFields(p: Program, template: Step["template"], attrs: Record<string, Value>): string | null {
  const tpl = template ? p.ws.templates.get(template.name) : undefined;
  if (!tpl) return null;
  const miss = tpl.fields.filter((f) => attrs[f.name] == null || attrs[f.name] === "").map((f) => f.name);
  return miss.length > 0 ? miss.join(", ") : null;
}

/** The template a step sends to a customer in `arm`: its content variant's, or its own. */
function templateOf(step: Step, arm: string | null | undefined): Step["template"] {
  return step.variants?.find((v) => v.name === arm)?.template ?? step.template;
}

/** Whether the customer's journey is a cadence (with rule-level arms, the arm's journey decides). */
function isCadenceOf(rule: Rule, arm: string | null | undefined): boolean {
  return rule.arms ? (rule.arms.find((a) => a.name === arm) ?? rule.arms[0]!).isCadence : rule.isCadence;
}

/** The arms' bucket ranges for explain: `push_first [0, 5000), email_only [5000, 10000)`. */
function armRanges(rule: Rule): string {
  let lo = 0;
  return (armsOf(rule) ?? []).map((a) => {
    const hi = lo + basisPoints(a.weight);
    const s = `${a.name} [${lo}, ${hi})`;
    lo = hi;
    return s;
  }).join(", ");
}
