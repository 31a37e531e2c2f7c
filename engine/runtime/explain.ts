/**
 * `playbook explain`: why each rule did or did not reach one customer.
 *
 * The explanation is not a second implementation of the rules: it replays
 * the customer through the same decision loop (`advance`) with a tracer
 * attached, so every check it prints is the check the engine made, with the
 * values it saw. The replay starts `lookback` before `--at` (default 30 days,
 * longer than any usual cap window) to rebuild the contact history; the
 * candidates shown are those decided in the day ending at `--at`, which is
 * what `run --at` without a state file decides.
 */
import { isoInstant, isoSeconds } from "../decision.ts";
import { advance, sourceOf, type CustomerInput, type TimedDecision } from "./customer.ts";
import { localTime, hhmm } from "./timezone.ts";
import type { Program } from "./program.ts";
import { emptyState, type Pending } from "./state.ts";

const DAY = 86_400_000;
const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/** What to explain. */
export interface ExplainOptions {
  at: number;
  rule?: string;
  /** How far back the replay starts (ms); default 30 days. */
  lookback?: number;
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
  events_up_to_at: number;
  messages_last_7d: { rule: string; step: number; channel: string; at: string }[];
  rules: ExplainedRule[];
}

/** The explanation as data, rules in arbitration order. */
export function explanationOf(p: Program, c: CustomerInput, o: ExplainOptions): Explanation {
  const lookback = o.lookback ?? 30 * DAY;
  const from = o.at - (o.window ?? DAY);
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
  const decisions: TimedDecision[] = advance(p, c, state, o.at - lookback, o.at, { reportDeferred: true, trace });
  const lt = localTime(o.at, c.tz);
  const rules = o.rule ? p.rules.filter((r) => r.id === o.rule) : p.rules;
  return {
    customer: c.id,
    at: isoInstant(o.at),
    zone: c.tz,
    local_time: `${WEEKDAYS[lt.weekday]} ${lt.year}-${String(lt.month).padStart(2, "0")}-${String(lt.day).padStart(2, "0")} ${hhmm(lt.minuteOfDay)}`,
    window: { from: isoInstant(from), to: isoInstant(o.at) },
    history_from: isoInstant(o.at - lookback),
    events_up_to_at: c.events.filter((e) => e.ts <= o.at).length,
    messages_last_7d: state.history.filter((h) => h.ts > o.at - 7 * DAY).map((h) => ({ rule: h.rule, step: h.step, channel: h.channel, at: isoInstant(h.ts) })),
    rules: rules.map((rule) => {
      const candidates = [...visits.values()].filter((v) => v.rule === rule.id).map(({ rule: _r, ...v }) => v);
      return {
        rule: rule.id,
        priority: rule.priority,
        cadence_steps: rule.isCadence ? rule.steps.length : null,
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
    `window (${x.window.from}, ${x.window.to}]; contact history rebuilt from ${x.history_from}`,
    `events: ${x.events_up_to_at} up to --at; messages in the last 7 days: ${x.messages_last_7d.map((h) => `${h.rule}#${h.step} ${h.channel} ${h.at}`).join(", ") || "none"}`,
    "",
  ];
  for (const r of x.rules) {
    out.push(`rule ${r.rule} (priority ${r.priority}${r.cadence_steps !== null ? `, cadence of ${r.cadence_steps} steps` : ""}): on ${r.on}`);
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
