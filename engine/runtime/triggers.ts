/**
 * When each trigger form of language.md ("Triggers") fires for one customer
 * inside a window `(from, to]`. Triggers are computed from the customer's
 * events and attributes alone, so they can be listed up front for a whole
 * window; everything that depends on what was already decided (caps,
 * exclusive cadences) happens later, in `customer.ts`.
 *
 * Decisions where the spec is silent are in engine/README.md: `no EVENT for D`
 * fires once per silence (D after the last such event, if none follows within
 * D); `enter`/`leave` compare membership at the window start with membership
 * after each of the customer's events, when an event leaves a segment's
 * `within` window, at the instant a `days_since`/`hours_since` steps
 * (segment-clock.ts), at UTC midnights for RFM, and at the window end; `every` and
 * `once` without an offset are wall-clock times of the customer's zone.
 */
import type { Rule, Trigger, Workspace } from "../../language/ast.ts";
import type { EvalEnv, EventRecord, Value } from "../../language/values.ts";
import type { ExprRunner } from "./expr.ts";
import { localTime, localToUtc } from "./timezone.ts";
import { nextTimeChange, segmentClock } from "./segment-clock.ts";

const DAY = 86_400_000;
const HOUR = 3_600_000;
const WEEKDAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];

/** One firing of a rule's trigger. */
export interface Firing {
  rule: string;
  /** The trigger instant: `entered_at`. */
  at: number;
  /** The event whose props are in scope (event and `after` forms). */
  event?: EventRecord;
}

/** What trigger detection needs to know about one customer. */
export interface TriggerContext {
  ws: Workspace;
  exprs: ExprRunner;
  customer: Record<string, Value>;
  events: readonly EventRecord[];
  tz: string;
  /** Builds the evaluation environment at an instant (for `where` and segments). */
  envAt: { at(now: number, trigger?: EventRecord): EvalEnv };
  /** Segment membership at the window start, when remembered from an earlier run. */
  segmentBaseline: Record<string, boolean>;
}

/** All firings of `rule` in `(from, to]`, ascending. `segmentsOut` receives membership at `to` for enter/leave. */
export function firings(rule: Rule, ctx: TriggerContext, from: number, to: number, segmentsOut: Record<string, boolean>): Firing[] {
  const t = rule.on;
  const out: Firing[] = [];
  // (No inner closures here: see the note on `Advance` in customer.ts.)
  switch (t.kind) {
    case "event":
    case "after": {
      const delay = t.kind === "after" ? t.delay.ms : 0;
      const evs = ctx.events;
      // Events are sorted: start at the first that can fire inside the window.
      for (let i = lowerBound(evs, from - delay); i < evs.length; i++) {
        const e = evs[i]!;
        const at = e.ts + delay;
        if (at > to) break;
        if (e.name !== t.event || at <= from) continue;
        if (t.where && !ctx.exprs.test(t.where, ctx.envAt.at(e.ts, e))) continue;
        push(out, rule, from, to, at, e);
      }
      break;
    }
    case "before": {
      const v = ctx.customer[t.attribute];
      if (typeof v === "number") push(out, rule, from, to, attributeInstant(ctx, t.attribute, v) - t.lead.ms);
      break;
    }
    case "anniversary": {
      const v = ctx.customer[t.attribute];
      if (typeof v !== "number") break;
      // A date is a calendar day already; a datetime's day is the one it falls on in the customer's
      // zone (language.md "Semantics notes": 23:30Z on 1 March is 2 March in Berlin).
      const isDate = ctx.ws.schema.customer.get(t.attribute)?.type.base === "date";
      const d = new Date(isDate ? v : localTime(v, ctx.tz).localDayMs);
      const [m, day] = [d.getUTCMonth(), d.getUTCDate()];
      const y0 = localTime(from, ctx.tz).year;
      const y1 = localTime(to, ctx.tz).year;
      for (let y = y0; y <= y1; y++) {
        if (y <= d.getUTCFullYear()) continue; // the date itself is not an anniversary
        // 29 February is celebrated on 28 February in other years.
        const dd = m === 1 && day === 29 && !isLeap(y) ? 28 : day;
        push(out, rule, from, to, localToUtc(Date.UTC(y, m, dd), ctx.tz));
      }
      break;
    }
    case "inactivity": {
      for (let i = lowerBound(ctx.events, from - t.duration.ms); i < ctx.events.length; i++) {
        const e = ctx.events[i]!;
        const at = e.ts + t.duration.ms;
        if (at > to) break;
        if (e.name !== t.event || at <= from) continue;
        let next: EventRecord | undefined;
        for (let j = i + 1; j < ctx.events.length; j++) if (ctx.events[j]!.name === t.event) { next = ctx.events[j]; break; }
        if (!next || next.ts > at) push(out, rule, from, to, at);
      }
      break;
    }
    case "enter":
    case "leave": {
      const seg = ctx.ws.segments.get(t.segment);
      if (!seg) break;
      // With nothing remembered (a new state, a simulation's start) the customer is taken as they
      // were at `from`: members already in do not "enter". `include_current: true` takes them as
      // outside instead, so current members enter at the first checkpoint (language.md "Semantics notes").
      const remembered = ctx.segmentBaseline[t.segment];
      let prev = remembered ?? (t.kind === "enter" && rule.includeCurrent ? false : ctx.exprs.test(seg.expr, ctx.envAt.at(from)));
      // After each event; when an event leaves a `within D` window (at ts + D); at the instant a
      // `days_since`/`hours_since` steps (segment-clock.ts); at UTC midnights only when the segment
      // reads RFM (or a `days_since` inside a `where`); and at the end.
      const points = new Set<number>([to]);
      const spans = windowsOf(ctx.ws);
      const longest = spans.length ? Math.max(...spans) : 0;
      for (let i = lowerBound(ctx.events, from - longest); i < ctx.events.length; i++) {
        const e = ctx.events[i]!;
        if (e.ts > to) break;
        if (e.ts > from) points.add(e.ts);
        for (const d of spans) if (e.ts + d > from && e.ts + d <= to) points.add(e.ts + d);
      }
      const clock = segmentClock(ctx.ws, t.segment);
      // include_current with nothing remembered keeps the UTC midnights too: current members enter at
      // the first instant membership is re-read (language.md, "The first run").
      const step = clock.hours ? HOUR : clock.midnights || (remembered === undefined && t.kind === "enter" && rule.includeCurrent) ? DAY : 0;
      if (step) for (let m = Math.floor(from / step) * step + step; m < to; m += step) points.add(m);
      const checkpoints = [...points].sort((a, b) => a - b);
      let k = 0;
      let timeNext = clock.exact.length ? nextTimeChange(clock, ctx.exprs, ctx.envAt.at(from), from) : Infinity;
      while (k < checkpoints.length) {
        // The next checkpoint: a listed one, or the next step of a days_since/hours_since.
        const at = timeNext < checkpoints[k]! ? timeNext : checkpoints[k++]!;
        const env = ctx.envAt.at(at);
        const now = ctx.exprs.test(seg.expr, env);
        if (now !== prev && now === (t.kind === "enter")) push(out, rule, from, to, at);
        prev = now;
        if (clock.exact.length) timeNext = nextTimeChange(clock, ctx.exprs, env, at);
      }
      segmentsOut[t.segment] = prev;
      break;
    }
    case "every": {
      for (let day = localTime(from, ctx.tz).localDayMs; day <= localTime(to, ctx.tz).localDayMs; day += DAY) {
        if (t.day !== "day" && WEEKDAYS[new Date(day).getUTCDay()] !== t.day) continue;
        push(out, rule, from, to, localToUtc(day + t.minuteOfDay * 60_000, ctx.tz));
      }
      break;
    }
    case "once": {
      push(out, rule, from, to, t.utcMs ?? localToUtc(parseLocal(t.local), ctx.tz));
      break;
    }
  }
  return out;
}

/** Adds a firing at `at` when it falls in `(from, to]`. */
function push(out: Firing[], rule: Rule, from: number, to: number, at: number, event?: EventRecord): void {
  if (at > from && at <= to) out.push(event ? { rule: rule.id, at, event } : { rule: rule.id, at });
}

/** Index of the first event with ts > t (events sorted by ts). */
export function lowerBound(events: readonly EventRecord[], t: number): number {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (events[mid]!.ts <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const windowCache = new WeakMap<Workspace, number[]>();

/** Every `within D` of the workspace's segments (membership can change when an event leaves such a window). */
function windowsOf(ws: Workspace): number[] {
  let w = windowCache.get(ws);
  if (!w) {
    const found = new Set<number>();
    const walk = (n: unknown): void => {
      if (!n || typeof n !== "object") return;
      if (Array.isArray(n)) return n.forEach(walk);
      const o = n as Record<string, unknown>;
      if ((o.kind === "agg" || o.kind === "exists") && o.within) found.add((o.within as { ms: number }).ms);
      for (const [k, v] of Object.entries(o)) if (k !== "span" && k !== "type" && k !== "ref") walk(v);
    };
    for (const seg of ws.segments.values()) walk(seg.expr);
    windowCache.set(ws, (w = [...found]));
  }
  return w;
}

/** A `date` attribute is the customer's local midnight; a `datetime` is the instant itself. */
function attributeInstant(ctx: TriggerContext, name: string, v: number): number {
  const def = ctx.ws.schema.customer.get(name);
  return def?.type.base === "date" ? localToUtc(v, ctx.tz) : v;
}

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

/** `YYYY-MM-DDTHH:MM[:SS]` read as if UTC (a local wall-clock time). */
function parseLocal(s: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(s);
  if (!m) throw new Error(`bug: once at ${s} was not validated`);
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0));
}

/** Which event names a trigger reads, for loading only the events that matter. */
export function triggerEvents(t: Trigger): string[] {
  return t.kind === "event" || t.kind === "after" || t.kind === "inactivity" ? [t.event] : [];
}
