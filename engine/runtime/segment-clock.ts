/**
 * When a segment's membership can change by time alone (issue 16 item 2;
 * docs/language.md "Semantics notes", "Segment transitions happen at their
 * instant"). Between the customer's events, a segment reads `now` only
 * through
 *
 * - `days_since(X)` / `hours_since(X)`: with X fixed, the value steps at
 *   X + k·unit, so the next change after `at` is computed from X at `at`
 *   (`nextTimeChange`);
 * - `within D` of an event set: an event leaves the window at ts + D (the
 *   trigger code adds those instants);
 * - RFM scores, which are a snapshot at 00:00 UTC of each day (rfm-days.ts):
 *   they change at UTC midnights.
 *
 * A `days_since`/`hours_since` inside an event set's `where` reads the event
 * under scan, not one value: such a segment is re-read at every UTC midnight
 * (days) or every UTC hour (hours) instead — the one form whose instant is
 * not exact (documented as the exception).
 */
import type { CallExpr, Expr, Workspace } from "../../language/ast.ts";
import type { EvalEnv } from "../../language/values.ts";
import { DAY_MS, HOUR_MS } from "../../language/evaluator.ts";
import type { ExprRunner } from "./expr.ts";

/** What makes one segment change by time alone. */
export interface SegmentClock {
  /** `days_since`/`hours_since` calls outside any `where`: exact instants. */
  exact: CallExpr[];
  /** Re-read at every UTC midnight (RFM, `days_since` inside a `where`). */
  midnights: boolean;
  /** Re-read at every UTC hour (`hours_since` inside a `where`). */
  hours: boolean;
}

const cache = new WeakMap<Workspace, Map<string, SegmentClock>>();

/** The clock of segment `name` (other segments it names included), computed once per workspace. */
export function segmentClock(ws: Workspace, name: string): SegmentClock {
  let byName = cache.get(ws);
  if (!byName) cache.set(ws, (byName = new Map()));
  let c = byName.get(name);
  if (!c) {
    c = { exact: [], midnights: false, hours: false };
    walkSegment(ws, name, c, new Set());
    byName.set(name, c);
  }
  return c;
}

function walkSegment(ws: Workspace, name: string, c: SegmentClock, seen: Set<string>): void {
  const seg = ws.segments.get(name);
  if (!seg || seen.has(name)) return;
  seen.add(name);
  walk(ws, seg.expr, c, false, seen);
}

function walk(ws: Workspace, n: unknown, c: SegmentClock, inWhere: boolean, seen: Set<string>): void {
  if (!n || typeof n !== "object") return;
  if (Array.isArray(n)) return n.forEach((x) => walk(ws, x, c, inWhere, seen));
  const o = n as Record<string, unknown>;
  if (o.kind === "name") {
    const ref = o.ref as { kind: string; name?: string } | undefined;
    // A mini scenario workspace leaves names unresolved: a name that is a segment is one.
    if (ref?.kind === "segment" || (!ref && ws.segments.has(o.name as string))) walkSegment(ws, (ref?.name ?? o.name) as string, c, seen);
    else if (ref?.kind === "rfm" || (!ref && o.name === "rfm")) c.midnights = true;
    return;
  }
  if (o.kind === "call" && (o.fn === "days_since" || o.fn === "hours_since")) {
    if (!inWhere) c.exact.push(o as unknown as CallExpr);
    else if (o.fn === "days_since") c.midnights = true;
    else c.hours = true;
  }
  for (const [k, v] of Object.entries(o)) {
    if (k === "span" || k === "type" || k === "ref") continue;
    walk(ws, v, c, inWhere || ((o.kind === "agg" || o.kind === "exists") && k === "where"), seen);
  }
}

/**
 * The first instant after `at` at which one of the clock's exact calls steps,
 * their arguments read at `at` (they change only at the customer's events and
 * window ends, which are checkpoints of their own), or Infinity.
 */
export function nextTimeChange(c: SegmentClock, exprs: ExprRunner, env: EvalEnv, at: number): number {
  let next = Infinity;
  for (const call of c.exact) {
    const t = exprs.value(call.args[0] as Expr, env);
    if (typeof t !== "number") continue;
    const unit = call.fn === "days_since" ? DAY_MS : HOUR_MS;
    const b = t + (Math.floor((at - t) / unit) + 1) * unit;
    if (b < next) next = b;
  }
  return next;
}
