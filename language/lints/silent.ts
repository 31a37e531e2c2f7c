/**
 * Settings that are well-formed and accepted, but whose effect the author
 * probably did not see coming:
 *
 * - PB311 a holdout above 0% and below 1%: a comparison group that small
 *   cannot show a difference; 0.1% is usually 10% written as `0.1%`.
 * - PB312 `send_hours` whose end is before its start (`21:00-09:00`): legal
 *   (a window across midnight), but it sends at night, the opposite of what
 *   such a line usually means.
 * - PB313 rules of equal priority that compete for one topic cap or one
 *   message cap: the engine breaks the tie by rule id (language.md "Order of
 *   a decision"), so renaming a rule silently changes which one sends.
 * - PB314 a rule's own `expires` shorter than its `queue` or than its
 *   cadence's total delay: `expires` bounds every step from the trigger
 *   (language.md "Semantics notes"), so the queue is cut short or the later
 *   steps always end `expired`.
 */
import type { Cap, Rule, Span, Workspace } from "../ast.ts";
import type { Diagnostic } from "../diagnostics.ts";
import { diag } from "../resolver.ts";
import { printCap } from "../printer.ts";

const pct = (x: number) => `${+(x * 100).toPrecision(6)}%`;
/** A duration as written in a playbook, largest unit that divides it (`36h`, `2d`, `90m`). */
const wait = (ms: number) => {
  for (const [unit, size] of [["d", 86_400_000], ["h", 3_600_000], ["m", 60_000], ["s", 1000]] as const) if (ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
};
const clock = (m: number) => `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;

function smallHoldout(value: number | null | undefined, what: string, span: Span | undefined, out: Diagnostic[]): void {
  if (typeof value !== "number" || !(value > 0 && value < 0.01)) return;
  // 0.1% is most often 10% written as a fraction with a percent sign; suggest that only when it lands in the usual range.
  const meant = value * 100 <= 0.2 ? `did you mean ${pct(value * 100)}? ` : "";
  out.push(diag("PB311", `${what} is ${pct(value)}: unusually small, too few customers held out to measure anything`, span, `${meant}holdouts of 5–20% are usual; write 0% for no holdout`));
}

/** The caps two rules both draw on, as text for the message; empty when they share none. */
function sharedCaps(a: Rule, b: Rule, caps: readonly Cap[]): string[] {
  const topics = (r: Rule) => new Set(r.steps.map((s) => s.topic));
  const channels = (r: Rule) => new Set(r.steps.flatMap((s) => s.channels.map((c) => c.name)));
  const ta = topics(a);
  const ca = channels(a);
  const sharedTopic = [...topics(b)].filter((t) => ta.has(t)).sort();
  const sharedChannel = new Set([...channels(b)].filter((c) => ca.has(c)));
  // Most specific first: a topic cap both rules' steps fall under, a cap of a channel both use, then caps on everything.
  const topic: string[] = [];
  const channel: string[] = [];
  const all: string[] = [];
  for (const cap of caps) {
    if (cap.kind === "pause") continue;
    if (cap.kind === "gap" || cap.scope.kind === "all") all.push(`cap "${printCap(cap)}"`);
    else if (cap.scope.kind === "channel" && sharedChannel.has(cap.scope.channel)) channel.push(`cap "${printCap(cap)}"`);
    else if (cap.scope.kind === "topic" && sharedTopic.length) topic.push(`topic "${sharedTopic[0]}" (cap "${printCap(cap)}")`);
  }
  const out = [...topic, ...channel, ...all];
  return out;
}

/** PB314: a rule's own expires that cuts its queue short or outlasts none of its cadence. */
function shortExpires(rule: Rule, out: Diagnostic[]): void {
  if (rule.expires === null) return;
  const total = rule.steps.reduce((sum, s) => sum + (s.after?.ms ?? 0), 0);
  const span = rule.fieldSpans?.expires ?? rule.span;
  const exp = wait(rule.expires);
  if (total > rule.expires) {
    out.push(diag("PB314", `"${rule.id}" expires ${exp} after the trigger, but its steps are due ${wait(total)} after it: the last steps always end expired`, span, `make expires at least ${wait(total)}, or leave it out (defaults.expires then counts from each step's due time)`));
  } else if (rule.queue > rule.expires) {
    out.push(diag("PB314", `"${rule.id}" expires ${exp} after the trigger, sooner than its queue ${wait(rule.queue)}: a capped message waits at most until the expiry`, span, `make expires at least ${wait(rule.queue)}, or shorten the queue`));
  }
}

/** Appends PB311–PB314. */
export function lintSilent(ws: Workspace, out: Diagnostic[]): void {
  const ds = ws.defaults.spans ?? {};
  smallHoldout(ws.defaults.holdout, "defaults.holdout", ds.holdout, out);
  smallHoldout(ws.defaults.globalHoldout, "defaults.global_holdout", ds.global_holdout, out);
  for (const rule of ws.rules.values()) smallHoldout(rule.holdout, `the holdout of "${rule.id}"`, rule.fieldSpans?.holdout ?? rule.span, out);
  for (const rule of ws.rules.values()) shortExpires(rule, out);

  const sh = ws.defaults.sendHours;
  if (sh && sh.from > sh.to) {
    out.push(diag("PB312", `send_hours ${clock(sh.from)}-${clock(sh.to)} runs across midnight: messages go out at night, from ${clock(sh.from)} to ${clock(sh.to)}`, ds.send_hours, `for daytime sending write ${clock(sh.to)}-${clock(sh.from)}`));
  }

  const byPriority = new Map<number, Rule[]>();
  for (const r of ws.rules.values()) byPriority.set(r.priority, [...(byPriority.get(r.priority) ?? []), r]);
  for (const [priority, group] of byPriority) {
    if (group.length < 2) continue;
    const sorted = [...group].sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
    // One warning per rule, against the first rule ahead of it in the tie it competes with.
    for (let j = 1; j < sorted.length; j++) {
      const b = sorted[j]!;
      for (let i = 0; i < j; i++) {
        const a = sorted[i]!;
        const shared = sharedCaps(a, b, ws.caps);
        if (!shared.length) continue;
        out.push(
          diag("PB313", `rules "${a.id}" and "${b.id}" both have priority ${priority} and compete for ${shared[0]}: their rule ids decide, "${a.id}" goes first`, b.fieldSpans?.priority ?? b.span,
            "give the one that matters more a higher priority", [{ message: `"${a.id}" has priority ${priority}`, span: a.fieldSpans?.priority ?? a.span }]),
        );
        break;
      }
    }
  }
}
