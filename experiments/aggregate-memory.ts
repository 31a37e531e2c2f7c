/**
 * Aggregates from in-process data: the entry table of a decision log, the
 * goal-event index and the matched feedback. One pass over each rule's
 * entries, in log order (deterministic for a given log, and no sort of a
 * million entries is needed).
 */
import { emptyRuleAggregate, funnelCell, type Aggregates, type RuleAggregate } from "./aggregates.ts";
import { capPercentile, type ReportConfig } from "./config.ts";
import type { EntryTable, RuleEntries } from "./entries.ts";
import type { FeedbackSummary } from "./funnel.ts";
import { GLOBAL_SALT, isHeldOut } from "./holdout.ts";
import { windowOutcome, type GoalIndex, type WindowOutcome } from "./outcomes.ts";
import { addObservation, capRevenue, emptyMoments, type Moments } from "./stats/index.ts";

const DAY = 86_400_000;

/** Entries as columns (a rule's `RuleEntries` is one). */
interface EntryColumns {
  n: number;
  customer: Int32Array;
  enteredAt: Float64Array;
  treated: Uint8Array;
}

function aggregateEntries(a: RuleAggregate, entries: EntryColumns, r: RuleEntries | null, goals: GoalIndex, attribution: number, cap: number | null): void {
  const w: WindowOutcome = { converted: 0, revenue: 0, preConverted: 0, preRevenue: 0 };
  // Each entry's revenue and covariate, kept for the cap (a percentile of both groups pooled).
  const ys = new Float64Array(cap === null ? 0 : entries.n);
  const xs = new Float64Array(ys.length);
  let lastDay = NaN;
  let today: [Moments, Moments] = [emptyMoments(), emptyMoments()];
  for (let i = 0; i < entries.n; i++) {
    const at = entries.enteredAt[i]!;
    const treated = entries.treated[i] === 1;
    windowOutcome(goals, entries.customer[i]!, at, attribution, w);
    const g = treated ? a.treat : a.hold;
    addObservation(g.conv, w.converted, w.preConverted);
    addObservation(g.rev, w.revenue, w.preRevenue);
    if (cap !== null) {
      ys[i] = w.revenue;
      xs[i] = w.preRevenue;
    }
    const day = Math.floor(at / DAY);
    if (day !== lastDay) {
      let d = a.byDay.get(day);
      if (!d) a.byDay.set(day, (d = [emptyMoments(), emptyMoments()]));
      today = d;
      lastDay = day;
    }
    addObservation(today[treated ? 1 : 0], w.converted);
    if (at < a.firstAt) a.firstAt = at;
    if (treated && w.converted && r) a.offerCost += r.offerEntries.get(r.entryId[i]!) ?? 0;
  }
  a.revCap = cap === null ? null : capRevenue(cap, entries.n, ys, xs, entries.treated);
}

/** Everyone's first entry into any rule, split by the global-holdout hash. */
function globalEntries(t: EntryTable, share: number): EntryColumns {
  const first = new Float64Array(t.customers.length).fill(Infinity);
  for (const r of t.rules.values()) {
    for (let i = 0; i < r.n; i++) {
      const c = r.customer[i]!;
      if (r.enteredAt[i]! < first[c]!) first[c] = r.enteredAt[i]!;
    }
  }
  const n = t.customers.length;
  const out: EntryColumns = { n: 0, customer: new Int32Array(n), enteredAt: new Float64Array(n), treated: new Uint8Array(n) };
  for (let c = 0; c < n; c++) {
    if (first[c] === Infinity) continue;
    const i = out.n++;
    out.customer[i] = c;
    out.enteredAt[i] = first[c]!;
    out.treated[i] = isHeldOut(GLOBAL_SALT, t.customers[c]!, share) ? 0 : 1;
  }
  return out;
}

/** Aggregates of an entry table against its goal events and matched feedback. */
export function aggregateInMemory(cfg: ReportConfig, table: EntryTable, goals: GoalIndex, feedback: FeedbackSummary, dataFrom: number | null): Aggregates {
  const rules = new Map<string, RuleAggregate>();
  let start = Infinity;
  let end = -Infinity;
  for (const [name, r] of table.rules) {
    const a = emptyRuleAggregate(name);
    aggregateEntries(a, r, r, goals, cfg.attribution, capPercentile(cfg));
    for (let i = 0; i < r.n; i++) if (r.enteredAt[i]! > end) end = r.enteredAt[i]!;
    start = Math.min(start, a.firstAt);
    a.sendsByChannel = r.sendsByChannel;
    const S = r.sends;
    for (let i = 0; i < S.n; i++) {
      const c = funnelCell(a, S.step[i]!, table.channels[S.channel[i]!]!);
      c.sent++;
      const seen = S.seen[i]!;
      if (seen) for (let k = 0; k < 6; k++) if (seen & (1 << k)) c.kinds[k]!++;
    }
    rules.set(name, a);
  }
  let global: RuleAggregate | null = null;
  if (cfg.globalHoldout > 0 && table.rules.size > 0) {
    global = emptyRuleAggregate("(global holdout)");
    aggregateEntries(global, globalEntries(table, cfg.globalHoldout), null, goals, cfg.attribution, capPercentile(cfg));
  }
  return { rules, global, kindsByChannel: feedback.kindsByChannel, dataFrom, periodStart: start, periodEnd: end };
}
