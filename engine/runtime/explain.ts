/**
 * `playbook explain`: why each rule did or did not reach one customer.
 *
 * The explanation is not a second implementation of the rules: it replays
 * the customer through the same decision loop (`advance`) with a tracer
 * attached, so every check it prints is the check the engine made, with the
 * values it saw. The replay starts `lookback` before `--at` (by default at the
 * customer's first event, and at least as far back as every cap, pause and
 * `within` window reaches, horizon.ts `historyReach`: a send the window's caps
 * count depends on the sends before it, transitively) to rebuild the contact
 * history, which is then the one a simulation from before that first event
 * logs; given the
 * contact history of a state file (`history`), the sends before the window are
 * those of the state instead of the replay's, so caps count what the run
 * counted. The candidates shown are those decided in the day ending at
 * `--at`, which is what `run --at` without a state file decides.
 */
import { isoInstant, isoSeconds } from "../decision.ts";
import { advance, sourceOf, type CustomerInput, type TimedDecision } from "./customer.ts";
import { localTime, hhmm } from "./timezone.ts";
import type { Program } from "./program.ts";
import { emptyState, type Pending } from "./state.ts";
import type { ContactRecord } from "./caps.ts";
import { historyReach } from "./horizon.ts";
import { featurePlan } from "../features/index.ts";
import { armOf } from "./arm-hash.ts";

const DAY = 86_400_000;
const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/** What to explain. */
export interface ExplainOptions {
  at: number;
  rule?: string;
  /** How far back the replay starts (ms); default `defaultLookback`. */
  lookback?: number;
  /** The contact history of a state file (`explain --state`): the sends before the window, as the run saw them. */
  history?: readonly ContactRecord[];
  /** The window whose candidates are shown (ms); default 1 day. */
  window?: number;
}

/** One check of a candidate, as the loop made it: its name and what it saw. */
export interface ExplainedCheck {
  check: string;
  detail: string;
}

/**
 * One candidate at one instant it was looked at. `at` is that instant; a
 * candidate still waiting at `--at` (the log's provisional `deferred` line)
 * has `waiting` set on its last visit instead of a visit of its own, since
 * nothing is decided at `--at`.
 */
export interface ExplainedCandidate {
  at: string;
  step: number;
  entered_at: string;
  checks: ExplainedCheck[];
  /** The final status of this visit, or null when the candidate was put back (queue, send hours, blocked). */
  status: string | null;
  /** Still waiting at `--at`: what the log says (`deferred`, its `send_at` and reason). */
  waiting: { send_at: string; reason: string } | null;
}

/** One rule's part of an explanation. */
export interface ExplainedRule {
  rule: string;
  priority: number;
  /** Number of steps for a cadence, null for a one-message rule. */
  cadence_steps: number | null;
  /** The customer's arm when the rule has `variants` (issue 18), else null. */
  arm: string | null;
  on: string;
  candidates: ExplainedCandidate[];
  /** Why there was no candidate in the window, when there was none. */
  no_candidate: string | null;
  /** What went out (send or ghost) in the window. */
  sends: { step: number; template: string | null; channel: string | null; send_at: string | null; status: string }[];
}

/** The whole explanation: the `--format json` form of `playbook explain` (docs/cli.md). */
export interface Explanation {
  customer: string;
  at: string;
  zone: string;
  local_time: string;
  window: { from: string; to: string };
  history_from: string;
  /** Where the sends before the window come from: the state file, or rebuilt by the replay. */
  contact_history: "state" | "rebuilt";
  events_up_to_at: number;
  messages_last_7d: { rule: string; step: number; channel: string; at: string }[];
  rules: ExplainedRule[];
}

/**
 * How far before `at` explain's replay starts by default: back to the customer's first event (1 ms
 * before it), and at least the window plus `historyReach` (time-driven rules fire without events).
 */
export function defaultLookback(p: Program, c: CustomerInput, at: number, window = DAY): number {
  const reach = window + historyReach(p, featurePlan(p.ws));
  const first = c.events.length ? c.events[0]!.ts : Infinity;
  return Math.max(reach, at - first + 1);
}

/** The explanation as data, rules in arbitration order. */
export function explanationOf(p: Program, c: CustomerInput, o: ExplainOptions): Explanation {
  const window = o.window ?? DAY;
  const lookback = o.lookback ?? defaultLookback(p, c, o.at, window);
  const from = o.at - window;
  const visits = new Map<string, ExplainedCandidate & { rule: string }>();
  const ofCandidate = new Map<string, ExplainedCandidate & { rule: string }>();
  const trace = (x: Pending, at: number, check: string, detail: string) => {
    if (at <= from) return;
    const cand = `${x.rule}|${x.enteredAt}|${x.step}`;
    const m = check === "status" ? /^deferred at (\S+) \((.+)\)$/.exec(detail) : null;
    if (m) {
      // The end of the window, not a decision: the candidate is still waiting (the log's deferred line).
      let last = ofCandidate.get(cand);
      if (!last) {
        last = { rule: x.rule, at: isoInstant(at), step: x.step, entered_at: isoInstant(x.enteredAt), checks: [], status: null, waiting: null };
        visits.set(`${cand}|end`, last);
      }
      last.waiting = { send_at: m[1]!, reason: m[2]! };
      return;
    }
    const key = `${cand}|${at}`;
    let v = visits.get(key);
    if (!v) {
      v = { rule: x.rule, at: isoInstant(at), step: x.step, entered_at: isoInstant(x.enteredAt), checks: [], status: null, waiting: null };
      visits.set(key, v);
      ofCandidate.set(cand, v);
    }
    if (check === "status") v.status = detail.split(" ")[0]!;
    v.checks.push({ check, detail });
  };
  const state = emptyState();
  let decisions: TimedDecision[];
  if (o.history) {
    // Pending entries and segments come from the replay; the contact history before the window is the run's.
    advance(p, c, state, o.at - lookback, from, { reportDeferred: false, trace });
    state.history = o.history.filter((h) => h.ts <= from).map((h) => ({ ...h }));
    decisions = advance(p, c, state, from, o.at, { reportDeferred: true, trace });
  } else decisions = advance(p, c, state, o.at - lookback, o.at, { reportDeferred: true, trace });
  const lt = localTime(o.at, c.tz);
  const rules = o.rule ? p.rules.filter((r) => r.id === o.rule) : p.rules;
  return {
    customer: c.id,
    at: isoInstant(o.at),
    zone: c.tz,
    local_time: `${WEEKDAYS[lt.weekday]} ${lt.year}-${String(lt.month).padStart(2, "0")}-${String(lt.day).padStart(2, "0")} ${hhmm(lt.minuteOfDay)}`,
    window: { from: isoInstant(from), to: isoInstant(o.at) },
    history_from: isoInstant(o.at - lookback),
    contact_history: o.history ? "state" : "rebuilt",
    events_up_to_at: c.events.filter((e) => e.ts <= o.at).length,
    messages_last_7d: state.history.filter((h) => h.ts > o.at - 7 * DAY).map((h) => ({ rule: h.rule, step: h.step, channel: h.channel, at: isoInstant(h.ts) })),
    rules: rules.map((rule) => {
      const candidates = [...visits.values()].filter((v) => v.rule === rule.id).map(({ rule: _r, ...v }) => v);
      return {
        rule: rule.id,
        priority: rule.priority,
        cadence_steps: rule.isCadence ? rule.steps.length : null,
        arm: armOf(rule, c.id),
        on: sourceOf(p, rule.on),
        candidates,
        no_candidate: candidates.length === 0 ? whyNoCandidate(p, c, rule.id, from, o.at) : null,
        sends: decisions
          .filter((d) => d.rule === rule.id && d.at > from && (d.status === "send" || d.status === "ghost"))
          .map((d) => ({ step: d.step, template: d.template, channel: d.channel, send_at: d.send_at, status: d.status })),
      };
    }),
  };
}

/** The explanation as text, one block per rule in arbitration order. */
export function explainCustomer(p: Program, c: CustomerInput, o: ExplainOptions): string {
  return renderExplanation(explanationOf(p, c, o));
}

/** The text form of an explanation. */
export function renderExplanation(x: Explanation): string {
  const line = (check: string, detail: string) => `    ${check.padEnd(24)} ${detail}`;
  const out: string[] = [
    `customer ${x.customer} at ${x.at} (zone ${x.zone}: ${x.local_time})`,
    x.contact_history === "state"
      ? `window (${x.window.from}, ${x.window.to}]; contact history from the state file, replayed from ${x.history_from}`
      : `window (${x.window.from}, ${x.window.to}]; contact history rebuilt from ${x.history_from}`,
    `events: ${x.events_up_to_at} up to --at; messages in the last 7 days: ${x.messages_last_7d.map((h) => `${h.rule}#${h.step} ${h.channel} ${h.at}`).join(", ") || "none"}`,
    "",
  ];
  for (const r of x.rules) {
    out.push(`rule ${r.rule} (priority ${r.priority}${r.cadence_steps !== null ? `, cadence of ${r.cadence_steps} steps` : ""}${r.arm ? `, arm ${r.arm}` : ""}): on ${r.on}`);
    if (r.no_candidate !== null) out.push(`  no candidate in the window: ${r.no_candidate}`);
    for (const v of r.candidates) {
      // A candidate first seen waiting at --at has no visit of its own in the window.
      out.push(v.checks.length ? `  at ${v.at}:` : `  still waiting at ${v.at} (step ${v.step}, entered ${v.entered_at}):`);
      for (const ch of v.checks) out.push(line(ch.check, ch.detail));
      if (v.waiting) out.push(line("at --at", `still waiting, nothing decided yet: the log says deferred (send_at ${v.waiting.send_at}, ${v.waiting.reason}), provisional`));
    }
    for (const d of r.sends) out.push(`  → would send step ${d.step}: template ${d.template ?? "-"} via ${d.channel} at ${d.send_at} (${d.status})`);
    out.push("");
  }
  return out.join("\n");
}

/** A one-line account of why a rule's trigger gave no candidate in the window. */
function whyNoCandidate(p: Program, c: CustomerInput, ruleId: string, from: number, at: number): string {
  const t = p.ws.rules.get(ruleId)!.on;
  switch (t.kind) {
    case "event":
    case "after":
    case "inactivity": {
      const last = [...c.events].reverse().find((e) => e.name === t.event && e.ts <= at);
      const what = t.kind === "event" ? "trigger did not fire" : t.kind === "after" ? `no ${t.event} ${t.delay.raw} before a moment of the window` : `no silence of ${t.duration.raw} ending in the window`;
      return `${what}; last ${t.event}: ${last ? isoSeconds(last.ts) : "never"}`;
    }
    case "before":
    case "anniversary":
      return `${t.attribute} = ${fmtValue(c.attrs[t.attribute])}; no date falls in the window`;
    case "enter":
    case "leave":
      return `membership of ${t.segment} did not change that way in the window`;
    case "every":
    case "once":
      return `no scheduled time in the window (zone ${c.tz})`;
  }
}

function fmtValue(v: unknown): string {
  return typeof v === "number" ? isoSeconds(v) : v == null ? "null" : String(v);
}
