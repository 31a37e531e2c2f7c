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

/** Collects goal events one by one and builds the table (the in-memory reference of `goalCohorts` + `cohortTable`). */
export class CohortBuilder {
  private months = new Map<string, Set<number>>();
  private last = -Infinity;

  constructor(readonly goal: string) {}

  /** One goal event of a customer. */
  add(customer: string, ts: number): void {
    const m = monthIndex(ts);
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

/**
 * The retention table from counts already made (`goalCohorts`, in DuckDB): per cohort month and
 * k, the customers active in month cohort + k; `last` is the data's last month with a goal event.
 * The same table as `CohortBuilder` gives from the events one by one.
 */
export function cohortTable(goal: string, cells: readonly { cohort: number; k: number; customers: number }[], last: number | null): CohortTable {
  const byCohort = new Map<number, number[]>();
  for (const c of cells) {
    let active = byCohort.get(c.cohort);
    if (!active) byCohort.set(c.cohort, (active = new Array<number>((last ?? c.cohort) - c.cohort + 1).fill(0)));
    active[c.k] = c.customers;
  }
  const cohorts = [...byCohort.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([m, active]) => ({ cohort: monthName(m), customers: active[0]!, retention: active.map((a) => a / active[0]!) }));
  return { goal, cohorts };
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
