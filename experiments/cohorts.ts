/**
 * Cohort retention (`playbook cohorts`): customers grouped by the calendar
 * month (UTC) of their first goal event; for each later month, the share of
 * the cohort with at least one goal event in it. Month 0 is 100% by
 * definition. Months after the data's last goal event are not shown (they
 * have not happened yet, which is not the same as 0%).
 */

/** One cohort's row. */
export interface CohortRow {
  /** `YYYY-MM` */
  cohort: string;
  customers: number;
  /** retention[k] = share active in month cohort + k; length up to the data's last month. */
  retention: number[];
}

/** The cohort table. */
export interface CohortTable {
  goal: string;
  cohorts: CohortRow[];
}

const monthIndex = (ts: number) => {
  const d = new Date(ts);
  return d.getUTCFullYear() * 12 + d.getUTCMonth();
};
const monthName = (m: number) => `${Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, "0")}`;

/** Collects goal events and builds the table. */
export class CohortBuilder {
  private months = new Map<string, Set<number>>();
  private last = -Infinity;

  constructor(readonly goal: string) {}

  /** One goal event of a customer. */
  add(customer: string, ts: number): void {
    this.addMonth(customer, monthIndex(ts));
  }

  /** A month (UTC year × 12 + month − 1) in which the customer had a goal event. */
  addMonth(customer: string, m: number): void {
    let s = this.months.get(customer);
    if (!s) this.months.set(customer, (s = new Set()));
    s.add(m);
    if (m > this.last) this.last = m;
  }

  /** The retention table, cohorts in time order. */
  build(): CohortTable {
    const byCohort = new Map<number, { n: number; active: number[] }>();
    for (const set of this.months.values()) {
      const first = Math.min(...set);
      let c = byCohort.get(first);
      if (!c) byCohort.set(first, (c = { n: 0, active: new Array(this.last - first + 1).fill(0) }));
      c.n++;
      for (const m of set) c.active[m - first]!++;
    }
    const cohorts = [...byCohort.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([m, c]) => ({ cohort: monthName(m), customers: c.n, retention: c.active.map((a) => a / c.n) }));
    return { goal: this.goal, cohorts };
  }
}

/** The table for a terminal: cohort, size, then month 0, 1, 2 … as percentages. */
export function cohortsTable(t: CohortTable): string {
  const width = Math.max(0, ...t.cohorts.map((c) => c.retention.length));
  const head = ["cohort", "customers", ...Array.from({ length: width }, (_, k) => `m${k}`)];
  const rows = [head, ...t.cohorts.map((c) => [c.cohort, String(c.customers), ...c.retention.map((r) => `${(r * 100).toFixed(1)}%`)])];
  const w = head.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  const lines = rows.map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(w[i]!) : cell.padStart(w[i]!))).join("  ").trimEnd());
  return `Retention by month of first ${t.goal} (share of the cohort with any ${t.goal} in month k after)\n\n${lines.join("\n")}\n`;
}
