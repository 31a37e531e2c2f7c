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

interface Traced {
  key: string;
  rule: string;
  lines: string[];
}

/** The explanation as text, one block per rule in arbitration order. */
export function explainCustomer(p: Program, c: CustomerInput, o: ExplainOptions): string {
  const lookback = o.lookback ?? 30 * DAY;
  const from = o.at - (o.window ?? DAY);
  const groups = new Map<string, Traced>();
  const trace = (x: Pending, at: number, check: string, detail: string) => {
    if (at <= from) return;
    const key = `${x.rule}|${x.enteredAt}|${x.step}|${at}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { key, rule: x.rule, lines: [`at ${isoInstant(at)}:`] }));
    g.lines.push(`    ${check.padEnd(24)} ${detail}`);
  };
  const state = emptyState();
  const decisions: TimedDecision[] = advance(p, c, state, o.at - lookback, o.at, { reportDeferred: true, trace });
  const lt = localTime(o.at, c.tz);
  const out: string[] = [
    `customer ${c.id} at ${isoSeconds(o.at)} (zone ${c.tz}: ${WEEKDAYS[lt.weekday]} ${lt.year}-${String(lt.month).padStart(2, "0")}-${String(lt.day).padStart(2, "0")} ${hhmm(lt.minuteOfDay)})`,
    `window (${isoSeconds(from)}, ${isoSeconds(o.at)}]; contact history rebuilt from ${isoSeconds(o.at - lookback)}`,
    `events: ${c.events.filter((e) => e.ts <= o.at).length} up to --at; messages in the last 7 days: ${state.history.filter((h) => h.ts > o.at - 7 * DAY).map((h) => `${h.rule}#${h.step} ${h.channel} ${isoSeconds(h.ts)}`).join(", ") || "none"}`,
    "",
  ];
  const rules = o.rule ? p.rules.filter((r) => r.id === o.rule) : p.rules;
  for (const rule of rules) {
    out.push(`rule ${rule.id} (priority ${rule.priority}${rule.isCadence ? `, cadence of ${rule.steps.length} steps` : ""}): on ${sourceOf(p, rule.on)}`);
    const mine = [...groups.values()].filter((g) => g.rule === rule.id);
    if (mine.length === 0) {
      out.push(`  no candidate in the window: ${whyNoCandidate(p, c, rule.id, from, o.at)}`);
    }
    for (const g of mine) out.push(`  ${g.lines[0]}`, ...g.lines.slice(1));
    const sent = decisions.filter((d) => d.rule === rule.id && d.at > from && (d.status === "send" || d.status === "ghost"));
    for (const d of sent) out.push(`  → would send step ${d.step}: template ${d.template ?? "-"} via ${d.channel} at ${d.send_at} (${d.status})`);
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
