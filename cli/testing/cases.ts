/**
 * Running test cases (`playbook test`): each case's given customers and events
 * are written to a temporary data folder as JSON Lines and decided by
 * `decideFromFiles` — the very path `simulate` and `run` take (reading,
 * checking, feature scan, RFM snapshots, the decision loop) — with its prior
 * messages as the contact history of the state. Segment assertions read
 * membership at the window's end through `computeSegments`, as `segments` does.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import type { DuckDBInstance } from "@duckdb/node-api";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Decision } from "../../engine/decision.ts";
import { isoInstant } from "../../engine/decision.ts";
import { decideFromFiles } from "../../engine/runtime/inputs.ts";
import type { AdvanceOptions } from "../../engine/runtime/customer.ts";
import { stripTime } from "../../engine/runtime/order.ts";
import type { Program } from "../../engine/runtime/program.ts";
import { emptyState, type CustomerState } from "../../engine/runtime/state.ts";
import { formatBadRows } from "../../engine/runtime/read.ts";
import { computeSegments } from "../../engine/segments.ts";
import type { Pattern, TestCase } from "../../language/test-files.ts";

/** One row of the side-by-side comparison: an expected pattern and the line it matched, or either alone. */
export interface Row {
  expected: Pattern | null;
  actual: Decision | null;
  /** `expect_none` pattern that matched this line. */
  forbidden?: boolean;
}

/** What one case gave. */
export interface CaseResult {
  case: TestCase;
  passed: boolean;
  decisions: Decision[];
  rows: Row[];
  segmentFailures: { customer: string; segment: string; expected: boolean; line: number }[];
  /** Data trouble the reader reported (a bad row): the case cannot run. */
  error: string | null;
  ms: number;
}

/** True when the decision line has every field the pattern gives, with that value. */
export function matches(p: Pattern, d: Decision): boolean {
  for (const [k, v] of Object.entries(p.fields)) {
    const actual = k === "customer" ? d.customer_id : k === "arm" ? (d.arm ?? null) : (d as unknown as Record<string, unknown>)[k];
    if (actual !== v) return false;
  }
  return true;
}

/**
 * Pairs expectations with decision lines: each pattern, in order, takes the first line it
 * matches that no earlier pattern took. With `expect:` every line must be taken (the log is
 * exactly what is listed, in any order); `expect_none:` patterns may match no line.
 */
export function compare(c: TestCase, ds: Decision[]): { rows: Row[]; ok: boolean } {
  const taken = new Array<boolean>(ds.length).fill(false);
  const rows: Row[] = [];
  let ok = true;
  const missing: Row[] = [];
  const byLine = new Map<number, Row>();
  for (const p of c.expect ?? []) {
    const i = ds.findIndex((d, k) => !taken[k] && matches(p, d));
    if (i < 0) {
      ok = false;
      missing.push({ expected: p, actual: null });
    } else {
      taken[i] = true;
      byLine.set(i, { expected: p, actual: ds[i]! });
    }
  }
  ds.forEach((d, i) => {
    const forbidden = c.expectNone.find((p) => matches(p, d));
    const row = byLine.get(i) ?? (c.expect !== null || forbidden ? { expected: forbidden ?? null, actual: d, ...(forbidden ? { forbidden: true } : {}) } : null);
    if (!row) return;
    if (forbidden) (row.forbidden = true), (ok = false);
    if (!byLine.has(i) && c.expect !== null) ok = false;
    rows.push(row);
  });
  // A missing expectation sits beside a line nobody expected, so the row shows what differed.
  for (const row of rows) {
    if (!missing.length) break;
    if (row.expected === null && !row.forbidden) row.expected = missing.shift()!.expected;
  }
  return { rows: [...rows, ...missing], ok };
}

/**
 * Runs one case through the engine; `trace` (coverage) sees every check. `db`: the DuckDB
 * instance to read in (the command's pool, one per case running at once), else a new one.
 */
export async function runCase(p: Program, c: TestCase, trace?: AdvanceOptions["trace"], db?: DuckDBInstance): Promise<CaseResult> {
  const t0 = performance.now();
  const dir = await mkdtemp(join(tmpdir(), "pb-test-"));
  try {
    const customers = join(dir, "customers.jsonl");
    const events = join(dir, "events.jsonl");
    await writeFile(customers, [...c.customers].map(([id, a]) => JSON.stringify({ customer_id: id, ...a })).join("\n") + "\n");
    const hasEvents = c.events.length > 0;
    if (hasEvents) await writeFile(events, c.events.map((e) => JSON.stringify({ customer_id: e.customer, event: e.event, ts: isoInstant(e.ts), ...e.props })).join("\n") + "\n");
    const states = new Map<string, CustomerState>();
    for (const m of [...c.messages].sort((a, b) => a.ts - b.ts)) {
      const s = states.get(m.customer) ?? emptyState();
      s.history.push({ ts: m.ts, channel: m.channel, topic: m.topic, rule: m.rule, step: m.step });
      states.set(m.customer, s);
    }
    const src = hasEvents ? { customers, events } : { customers };
    const r = await decideFromFiles(p, src, states, c.from, c.to, true, undefined, { ...(trace ? { trace } : {}), db });
    const result: CaseResult = { case: c, passed: false, decisions: [], rows: [], segmentFailures: [], error: null, ms: 0 };
    if (r.bad.length) {
      result.error = formatBadRows(r.bad);
      return result;
    }
    result.decisions = r.decisions.map(stripTime);
    const cmp = compare(c, result.decisions);
    result.rows = cmp.rows;
    if (c.segments.length) {
      const seg = await computeSegments({ workspace: p.ws, customersFile: customers, eventsFile: hasEvents ? events : null, now: c.to, members: true, db });
      for (const a of c.segments) {
        const member = (seg.members.get(a.customer) ?? []).includes(a.segment);
        if (member !== a.member) result.segmentFailures.push({ customer: a.customer, segment: a.segment, expected: a.member, line: a.span.line });
      }
    }
    result.passed = cmp.ok && result.segmentFailures.length === 0;
    result.ms = performance.now() - t0;
    return result;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
