/**
 * From files to a report: the decision log first (it defines the entries and
 * the sends), then one pass over the events that keeps only what the report
 * needs — goal events of customers who entered a rule, and delivery feedback.
 */
import { aggregateInMemory } from "./aggregate-memory.ts";
import type { Aggregates } from "./aggregates.ts";
import type { ReportConfig } from "./config.ts";
import { newEntryTable, type EntryTable } from "./entries.ts";
import { FEEDBACK_BITS, FeedbackMatcher } from "./funnel.ts";
import { GoalIndexBuilder } from "./outcomes.ts";
import { aggregateWithDuckDB } from "./sql/aggregate.ts";
import { readDecisionLog, readEventsChecked, type BadRow, type EventRow } from "./read.ts";
import { buildReport, type ReportOptions } from "./report.ts";
import type { Report } from "./report-types.ts";

/** Feeds events into the report's indexes; call `add` for every event row, then `finish`. */
export class EventCollector {
  private goals = new GoalIndexBuilder();
  private matcher: FeedbackMatcher;
  /** Earliest event time seen (ms), for deciding whether CUPED has its pre-period. */
  dataFrom = Infinity;
  rows = 0;

  constructor(private cfg: ReportConfig, private table: EntryTable) {
    this.matcher = new FeedbackMatcher(table);
  }

  /** One goal event, for readers that hand over columns rather than row objects. */
  addGoal(customerId: string, ts: number, amount: number): void {
    this.rows++;
    if (ts < this.dataFrom) this.dataFrom = ts;
    const c = this.table.customerIndex.get(customerId);
    if (c !== undefined) this.goals.push(c, ts, Number.isFinite(amount) ? amount : 0);
  }

  /** Any other event (its time still tells where the data starts). */
  addOther(ts: number): void {
    this.rows++;
    if (ts < this.dataFrom) this.dataFrom = ts;
  }

  /** One event row. */
  add(e: EventRow): void {
    if (e.event === this.cfg.goal) {
      this.addGoal(e.customer_id, e.ts, Number(e.props[this.cfg.revenueProp] ?? 0));
      return;
    }
    this.addOther(e.ts);
    if (FEEDBACK_BITS[e.event]) {
      const step = e.props.step;
      this.matcher.add({
        customer_id: e.customer_id, event: e.event, ts: e.ts,
        rule: typeof e.props.rule === "string" ? e.props.rule : null,
        step: typeof step === "number" ? step : typeof step === "string" && step !== "" ? Number(step) : null,
        channel: typeof e.props.channel === "string" ? e.props.channel : null,
      });
    }
  }

  /** The aggregates over everything added. */
  aggregates(): Aggregates {
    const goals = this.goals.build(this.table.customers.length);
    return aggregateInMemory(this.cfg, this.table, goals, this.matcher.summary, Number.isFinite(this.dataFrom) ? this.dataFrom : null);
  }

  /** The report over everything added. */
  finish(options: Partial<ReportOptions>): Report {
    return buildReport(this.cfg, this.aggregates(), options);
  }
}

/**
 * The report of a decision log and an events file: aggregated by DuckDB
 * (fast, exact sums); when some row breaks the contract, the decision log
 * row by row in JS and the events through the engine's checked reader
 * (`readEventsChecked`), which name every bad row.
 */
export async function reportFromFiles(
  cfg: ReportConfig,
  decisionsPath: string,
  eventsPath: string,
  options: Partial<ReportOptions> = {},
  /** With `--rejects`: report over the good rows and return the bad ones beside it. */
  goOn = false,
): Promise<{ report: Report | null; bad: BadRow[]; rows: ReportRows }> {
  const agg = await aggregateWithDuckDB(cfg, decisionsPath, eventsPath);
  const all = (n: number) => ({ read: n, used: n, rejected: 0 });
  if (agg) return { report: buildReport(cfg, agg, options), bad: [], rows: { decisions: all(agg.rows?.decisions ?? 0), events: all(agg.rows?.events ?? 0) } };
  const table = newEntryTable(cfg.offers, cfg.groups);
  const logRows = { rows: 0 };
  const bad = await readDecisionLog(table, decisionsPath, logRows);
  const collector = new EventCollector(cfg, table);
  let goodEvents = 0;
  bad.push(...(await readEventsChecked(cfg, eventsPath, (e) => (goodEvents++, collector.add(e)))));
  const badLog = bad.filter((b) => b.file === decisionsPath).length;
  const badEvents = bad.length - badLog;
  const rows = {
    decisions: { read: logRows.rows, used: logRows.rows - badLog, rejected: badLog },
    events: { read: goodEvents + badEvents, used: goodEvents, rejected: badEvents },
  };
  if (bad.length && !goOn) return { report: null, bad, rows };
  return { report: collector.finish(options), bad, rows };
}

/** Rows read, used and rejected per input of a report. */
export interface ReportRows {
  decisions: { read: number; used: number; rejected: number };
  events: { read: number; used: number; rejected: number };
}

