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
import type { EntryTable, RuleEntries, SendRecord } from "./entries.ts";
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
  private byKey = new Map<string, SendRecord[]>();
  readonly summary: FeedbackSummary = { kindsByChannel: new Map(), unmatched: 0 };

  constructor(private table: EntryTable) {
    for (const r of table.rules.values()) {
      for (const s of r.sends) {
        const k = `${r.rule}\u0000${s.customer}\u0000${s.step}\u0000${s.channel}`;
        let list = this.byKey.get(k);
        if (!list) this.byKey.set(k, (list = []));
        list.push(s);
      }
    }
    for (const list of this.byKey.values()) list.sort((a, b) => a.at - b.at);
  }

  /** Marks one feedback event; returns false when no message matches it. */
  add(e: FeedbackEvent): boolean {
    const bit = FEEDBACK_BITS[e.event];
    if (!bit) return false;
    if (e.channel) this.summary.kindsByChannel.set(e.channel, (this.summary.kindsByChannel.get(e.channel) ?? 0) | bit);
    const c = this.table.customerIndex.get(e.customer_id);
    const list = c === undefined || !e.rule || e.step === null || !e.channel ? undefined : this.byKey.get(`${e.rule}\u0000${c}\u0000${e.step}\u0000${e.channel}`);
    if (!list) {
      this.summary.unmatched++;
      return false;
    }
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (list[mid]!.at <= e.ts) lo = mid + 1;
      else hi = mid;
    }
    list[Math.max(0, lo - 1)]!.seen |= bit;
    return true;
  }
}

interface Counts { sent: number; kinds: number[] }

function rate(num: number, den: number, reported: boolean): number | null {
  return reported && den > 0 ? num / den : null;
}

function row(step: number, channel: string | null, c: Counts, reported: number): FunnelRow {
  const [del, open, click, unsub, compl, bounce] = c.kinds as [number, number, number, number, number, number];
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
export function funnelRows(r: RuleEntries, summary: FeedbackSummary): FunnelRow[] {
  const steps = new Map<number, Map<string, Counts>>();
  for (const s of r.sends) {
    let chans = steps.get(s.step);
    if (!chans) steps.set(s.step, (chans = new Map()));
    let c = chans.get(s.channel);
    if (!c) chans.set(s.channel, (c = { sent: 0, kinds: [0, 0, 0, 0, 0, 0] }));
    c.sent++;
    for (let k = 0; k < 6; k++) if (s.seen & (1 << k)) c.kinds[k]!++;
  }
  const out: FunnelRow[] = [];
  for (const step of [...steps.keys()].sort((a, b) => a - b)) {
    const chans = steps.get(step)!;
    const names = [...chans.keys()].sort();
    const total: Counts = { sent: 0, kinds: [0, 0, 0, 0, 0, 0] };
    let reported = 0;
    for (const n of names) {
      const c = chans.get(n)!;
      total.sent += c.sent;
      c.kinds.forEach((v, k) => (total.kinds[k]! += v));
      reported |= summary.kindsByChannel.get(n) ?? 0;
    }
    out.push(row(step, null, total, reported));
    for (const n of names) out.push(row(step, n, chans.get(n)!, summary.kindsByChannel.get(n) ?? 0));
  }
  return out;
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
