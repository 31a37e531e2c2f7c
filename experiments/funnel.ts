/**
 * The engagement funnel of each rule, per step and per channel, from the
 * delivery-feedback events (contract.md): every feedback event is matched to
 * the message it is about — the latest `send` of the same customer, rule,
 * step and channel at or before the event (the earliest one if the event
 * comes before any, e.g. clock skew) — and each message counts once per kind,
 * so three opens of one e-mail are one open.
 *
 * Rates: delivered = delivered / sent; open_rate, ctr, unsubscribe_rate,
 * complaint_rate = kind / delivered; ctor = clicked / opened; bounce_rate =
 * bounced / sent. A rate is null when its denominator is 0 or when the channel
 * never reported that kind anywhere in the data (push without open tracking
 * has no open rate — not an open rate of 0).
 */
import type { Alerts } from "../language/ast.ts";
import type { FunnelCounts } from "./aggregates.ts";
import type { EntryTable, RuleEntries } from "./entries.ts";
import type { Alert, FunnelRow } from "./report-types.ts";

/** Bit of each feedback event kind in `SendRecord.seen`. */
export const FEEDBACK_BITS: Record<string, number> = {
  message_delivered: 1,
  message_opened: 2,
  message_clicked: 4,
  message_unsubscribed: 8,
  message_complained: 16,
  message_bounced: 32,
};

/** One feedback event, as read from the events data. */
export interface FeedbackEvent {
  customer_id: string;
  event: string;
  ts: number;
  rule: string | null;
  step: number | null;
  channel: string | null;
}

/** Feedback matched into a table: which kinds each channel reports at all. */
export interface FeedbackSummary {
  kindsByChannel: Map<string, number>;
  unmatched: number;
}

/** Indexes sends by message key once, then marks each feedback event on its message. */
export class FeedbackMatcher {
  /** message key → [rule's sends, indices sorted by send time]. */
  private byKey: Map<string, [RuleEntries, number[]]> | null = null;
  readonly summary: FeedbackSummary = { kindsByChannel: new Map(), unmatched: 0 };

  constructor(private table: EntryTable) {}

  // Built on the first feedback event: a log without feedback never pays for it.
  private index(): Map<string, [RuleEntries, number[]]> {
    if (this.byKey) return this.byKey;
    this.byKey = new Map();
    for (const r of this.table.rules.values()) {
      const S = r.sends;
      for (let i = 0; i < S.n; i++) {
        const k = `${r.rule}\u0000${S.customer[i]}\u0000${S.step[i]}\u0000${this.table.channels[S.channel[i]!]}`;
        let e = this.byKey.get(k);
        if (!e) this.byKey.set(k, (e = [r, []]));
        e[1].push(i);
      }
    }
    for (const [r, list] of this.byKey.values()) list.sort((a, b) => r.sends.at[a]! - r.sends.at[b]! || a - b);
    return this.byKey;
  }

  /** Marks one feedback event; returns false when no message matches it. */
  add(e: FeedbackEvent): boolean {
    const bit = FEEDBACK_BITS[e.event];
    if (!bit) return false;
    if (e.channel) this.summary.kindsByChannel.set(e.channel, (this.summary.kindsByChannel.get(e.channel) ?? 0) | bit);
    const c = this.table.customerIndex.get(e.customer_id);
    const hit = c === undefined || !e.rule || e.step === null || !e.channel ? undefined : this.index().get(`${e.rule}\u0000${c}\u0000${e.step}\u0000${e.channel}`);
    if (!hit) {
      this.summary.unmatched++;
      return false;
    }
    const [r, list] = hit;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (r.sends.at[list[mid]!]! <= e.ts) lo = mid + 1;
      else hi = mid;
    }
    r.sends.seen[list[Math.max(0, lo - 1)]!]! |= bit;
    return true;
  }
}

function rate(num: number, den: number, reported: boolean): number | null {
  return reported && den > 0 ? num / den : null;
}

function row(step: number, channel: string | null, c: FunnelCounts, reported: number): FunnelRow {
  const [del, open, click, unsub, compl, bounce] = c.kinds;
  const has = (bit: number) => (reported & bit) !== 0;
  return {
    step,
    channel,
    sent: c.sent,
    delivered: rate(del, c.sent, has(1)),
    open_rate: rate(open, del, has(1) && has(2)),
    ctr: rate(click, del, has(1) && has(4)),
    ctor: rate(click, open, has(2) && has(4)),
    unsubscribe_rate: rate(unsub, del, has(1) && has(8)),
    complaint_rate: rate(compl, del, has(1) && has(16)),
    bounce_rate: rate(bounce, c.sent, has(32)),
  };
}

/**
 * Funnel rows of a rule: per step, the step's total (channel null) then one
 * row per channel in name order.
 */
export function funnelRows(cells: Map<number, Map<string, FunnelCounts>>, kindsByChannel: Map<string, number>): FunnelRow[] {
  const out: FunnelRow[] = [];
  for (const step of [...cells.keys()].sort((a, b) => a - b)) {
    const chans = cells.get(step)!;
    const names = [...chans.keys()].sort();
    out.push(totalRow(step, names.map((n) => [chans.get(n)!, kindsByChannel.get(n) ?? 0])));
    for (const n of names) out.push(row(step, n, chans.get(n)!, kindsByChannel.get(n) ?? 0));
  }
  return out;
}

/**
 * A step's total over its channels: each rate sums only the channels that
 * report what it needs (push without open tracking must not dilute the open
 * rate of e-mail, nor inflate the click-to-open rate with its clicks).
 */
function totalRow(step: number, chans: [FunnelCounts, number][]): FunnelRow {
  const sum = (need: number, num: (c: FunnelCounts) => number, den: (c: FunnelCounts) => number): number | null => {
    let a = 0;
    let b = 0;
    let any = false;
    for (const [c, reported] of chans) {
      if ((reported & need) !== need) continue;
      any = true;
      a += num(c);
      b += den(c);
    }
    return any && b > 0 ? a / b : null;
  };
  const k = (i: number) => (c: FunnelCounts) => c.kinds[i]!;
  const sent = (c: FunnelCounts) => c.sent;
  return {
    step,
    channel: null,
    sent: chans.reduce((s, [c]) => s + c.sent, 0),
    delivered: sum(1, k(0), sent),
    open_rate: sum(1 | 2, k(1), k(0)),
    ctr: sum(1 | 4, k(2), k(0)),
    ctor: sum(2 | 4, k(2), k(1)),
    unsubscribe_rate: sum(1 | 8, k(3), k(0)),
    complaint_rate: sum(1 | 16, k(4), k(0)),
    bounce_rate: sum(32, k(5), sent),
  };
}

const pct = (x: number) => `${(x * 100).toFixed(x < 0.01 ? 2 : 1)}%`;

/**
 * Red-zone alerts on the per-channel rows (a step total mixes channels with
 * different norms). A row needs `minDelivered` delivered messages before its
 * rates are judged, so a handful of sends cannot raise an alarm.
 */
export function funnelAlerts(rows: FunnelRow[], alerts: Alerts, minDelivered: number): Alert[] {
  const out: Alert[] = [];
  for (const r of rows) {
    if (r.channel === null || r.channel === undefined) continue;
    const delivered = r.delivered === null ? 0 : r.delivered * r.sent;
    if (delivered < minDelivered) continue;
    const where = `step ${r.step} ${r.channel}`;
    const check = (kind: string, value: number | null | undefined, threshold: number | undefined, below: boolean, what: string) => {
      if (threshold === undefined || value === null || value === undefined) return;
      if (below ? value < threshold : value > threshold) {
        out.push({ kind, step: r.step, channel: r.channel, value, threshold, message: `${where}: ${what} ${pct(value)} is ${below ? "below" : "above"} ${pct(threshold)}` });
      }
    };
    check("open_rate_below", r.open_rate, alerts.openRateBelow, true, "open rate");
    check("ctr_below", r.ctr, alerts.ctrBelow, true, "click-through rate");
    check("unsubscribe_above", r.unsubscribe_rate, alerts.unsubscribeAbove, false, "unsubscribe rate");
    check("complaint_above", r.complaint_rate, alerts.complaintAbove, false, "complaint rate");
  }
  return out;
}
