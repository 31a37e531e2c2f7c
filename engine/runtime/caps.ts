/**
 * Caps over the contact history (language.md, "Caps"). Every window is the
 * half-open `(t − D, t]` ending at the send time; held-out (ghost) messages
 * are in the history and count exactly like sends, so both groups see the
 * same contact pressure.
 *
 * Besides "is this allowed at t", the queue needs "when could it be allowed
 * next": `nextFreeTimes` lists the instants at which some record or pause
 * event leaves a window, the only instants at which a verdict can change.
 */
import type { Cap, Workspace } from "../../language/ast.ts";
import type { EventRecord } from "../../language/values.ts";

/** One message already decided for the customer (sent or ghost). */
export interface ContactRecord {
  /** Send time, epoch ms. */
  ts: number;
  channel: string;
  topic: string;
  rule: string;
  step: number;
}

/** The cap line as people write it; used as the `reason` of a `capped` decision. */
export function capText(cap: Cap): string {
  switch (cap.kind) {
    case "gap":
      return `gap ${cap.duration.raw} between messages`;
    case "pause":
      return `pause ${cap.duration.raw} after ${cap.event}`;
    case "max": {
      const scope = cap.scope.kind === "all" ? "" : cap.scope.kind === "channel" ? `${cap.scope.channel}: ` : `${cap.scope.kind}: `;
      return `${scope}max ${cap.count} per ${cap.per.raw}`;
    }
  }
}

/** The message a cap is asked about. */
export interface CapQuery {
  t: number;
  channel: string;
  topic: string;
  rule: string;
}

function counts(cap: Cap & { kind: "max" }, r: ContactRecord, q: CapQuery): boolean {
  switch (cap.scope.kind) {
    case "all":
      return true;
    case "channel":
      return r.channel === cap.scope.channel;
    // Topic caps count other rules only: one cadence's steps are a designed sequence.
    case "topic":
      return r.topic === q.topic && r.rule !== q.rule;
    case "rule":
      return r.rule === q.rule;
  }
}

/** Records in `(t − d, t]`, scanning from the newest (history is in time order). */
function inWindow(history: readonly ContactRecord[], t: number, d: number, pred: (r: ContactRecord) => boolean): ContactRecord[] {
  const out: ContactRecord[] = [];
  for (let i = history.length - 1; i >= 0; i--) {
    const r = history[i]!;
    if (r.ts <= t - d) break;
    if (r.ts <= t && pred(r)) out.push(r);
  }
  return out;
}

/** Whether a cap applies to a channel at all (channel caps only to their own channel). */
export function isChannelCap(cap: Cap): boolean {
  return cap.kind === "max" && cap.scope.kind === "channel";
}

/**
 * The first cap of `caps` (in workspace order) that stops the message, or null.
 * `events` are the customer's events (for `pause … after EVENT`), sorted by ts.
 */
export function firstBlockingCap(
  caps: readonly Cap[],
  history: readonly ContactRecord[],
  events: readonly EventRecord[],
  q: CapQuery,
): Cap | null {
  for (const cap of caps) if (blocks(cap, history, events, q)) return cap;
  return null;
}

function blocks(cap: Cap, history: readonly ContactRecord[], events: readonly EventRecord[], q: CapQuery): boolean {
  switch (cap.kind) {
    case "max": {
      // Counted without building the window: this runs for every candidate and cap.
      let n = 0;
      for (let i = history.length - 1; i >= 0; i--) {
        const r = history[i]!;
        if (r.ts <= q.t - cap.per.ms) break;
        if (r.ts <= q.t && counts(cap, r, q) && ++n >= cap.count) return true;
      }
      return false;
    }
    case "gap":
      for (let i = history.length - 1; i >= 0; i--) {
        const r = history[i]!;
        if (r.ts <= q.t - cap.duration.ms) return false;
        if (r.ts <= q.t) return true;
      }
      return false;
    case "pause":
      return lastEventIn(events, cap.event, q.t - cap.duration.ms, q.t) !== null;
  }
}

function lastEventIn(events: readonly EventRecord[], name: string, after: number, upTo: number): EventRecord | null {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i]!;
    if (e.ts > upTo) continue;
    if (e.ts <= after) return null;
    if (e.name === name) return e;
  }
  return null;
}

/**
 * The earliest instant after `q.t` at which `cap` may stop blocking: when
 * enough records (or the pause event) have left its window. Exact for one cap;
 * the queue re-checks every cap at that instant, so several caps simply take
 * several hops.
 */
export function nextFreeTime(cap: Cap, history: readonly ContactRecord[], events: readonly EventRecord[], q: CapQuery): number {
  switch (cap.kind) {
    case "max": {
      const w = inWindow(history, q.t, cap.per.ms, (r) => counts(cap, r, q)); // newest first
      const oldestToDrop = w[cap.count - 1] ?? w[w.length - 1]!;
      return oldestToDrop.ts + cap.per.ms;
    }
    case "gap": {
      const w = inWindow(history, q.t, cap.duration.ms, () => true);
      return w[0]!.ts + cap.duration.ms;
    }
    case "pause": {
      const e = lastEventIn(events, cap.event, q.t - cap.duration.ms, q.t)!;
      return e.ts + cap.duration.ms;
    }
  }
}

/** Caps split once per workspace: the channel caps by channel, and the rest in order. */
export interface CapPlan {
  byChannel: Map<string, Cap[]>;
  global: Cap[];
}

/** Groups the workspace's caps for the decision order (channel caps decide the channel; the rest follow). */
export function planCaps(ws: Workspace): CapPlan {
  const byChannel = new Map<string, Cap[]>();
  const global: Cap[] = [];
  for (const cap of ws.caps) {
    if (cap.kind === "max" && cap.scope.kind === "channel") {
      const list = byChannel.get(cap.scope.channel) ?? [];
      list.push(cap);
      byChannel.set(cap.scope.channel, list);
    } else global.push(cap);
  }
  return { byChannel, global };
}
