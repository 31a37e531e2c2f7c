/**
 * Random report worlds shared by the report-aggregate tests (DuckDB = memory in
 * sql-property.test.ts, ClickHouse = DuckDB in report-clickhouse.test.ts): a
 * decision log and events drawn to hit the SQL's shortcuts (ties in time and
 * entry id, goal events on window edges, offsets, feedback around sends), and
 * `writeWorld` writing them as the files a report reads.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll } from "vitest";
import { decisionToJson, type Decision, type DecisionStatus } from "../../engine/decision.ts";
import type { ReportConfig } from "../../experiments/config.ts";
import { FEEDBACK_BITS } from "../../experiments/funnel.ts";

const dir = mkdtempSync(join(tmpdir(), "report-law-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

export const HOUR = 3_600_000;
export const T0 = Date.parse("2026-10-01T00:00:00Z");
export const RULES = ["r0", "r1", "r2"];

/** An instant written with one of several offsets (the same instant every time). */
export function iso(ms: number, zone: number): string {
  const z = ["Z", "+02:00", "-05:30"][zone]!;
  const shift = [0, 2 * 60, -(5 * 60 + 30)][zone]! * 60_000;
  return new Date(ms + shift).toISOString().slice(0, 19) + z;
}

export const decisionArb = fc.record({
  c: fc.integer({ min: 0, max: 3 }),
  rule: fc.constantFrom(...RULES),
  step: fc.integer({ min: 1, max: 2 }),
  hour: fc.integer({ min: 0, max: 3 }), // few instants: ties in time are common
  tag: fc.constantFrom("", "", "b", "a"), // the same instant under another entry id
  treated: fc.boolean(),
  status: fc.constantFrom<DecisionStatus>("send", "send", "ghost", "capped", "suppressed"),
  channel: fc.constantFrom("email", "push", null),
  delay: fc.option(fc.integer({ min: 0, max: 3 })),
});

export const eventArb = fc.record({
  c: fc.integer({ min: 0, max: 6 }), // c6 never entered anything
  kind: fc.constantFrom("order_placed", "order_placed", "order_placed", "app_opened", ...Object.keys(FEEDBACK_BITS)),
  // Around the entries (hours 0–6) with a 24 h window: exact edges are whole hours.
  minute: fc.oneof(fc.integer({ min: -40, max: 40 }).map((h) => h * 60), fc.integer({ min: -40 * 60, max: 40 * 60 })),
  zone: fc.integer({ min: 0, max: 2 }),
  cents: fc.option(fc.integer({ min: 0, max: 99_999 })),
  rule: fc.constantFrom(...RULES),
  step: fc.integer({ min: 1, max: 2 }),
  channel: fc.constantFrom("email", "push"),
});

export const worldArb = fc.record({
  decisions: fc.array(decisionArb, { minLength: 1, maxLength: 40, size: "medium" }),
  events: fc.array(eventArb, { maxLength: 60, size: "medium" }),
  csv: fc.boolean(),
  // A quoted CSV header (or CRLF line ends) sends DuckDB's path through its own sniffer instead of the typed read.
  quoted: fc.boolean(),
  crlf: fc.boolean(),
  global: fc.constantFrom(0, 0.3),
});

export function config(globalHoldout: number): ReportConfig {
  return {
    attribution: 24 * HOUR, goal: "order_placed", revenueProp: "amount",
    channelCost: new Map([["email", 0.01], ["push", 0.002]]), offers: new Map([["r0", new Map([[1, 5]])]]),
    holdout: new Map(RULES.map((r) => [r, 0.2])), globalHoldout, alerts: {}, rules: RULES,
  };
}

export type World = typeof worldArb extends fc.Arbitrary<infer T> ? T : never;
let world = 0;

/** Writes a world's decision log (JSONL) and events (CSV or JSONL as drawn) into a fresh pair of files. */
export function writeWorld(w: World): { decisionsPath: string; eventsPath: string } {
  const base = join(dir, String(world++));
  const decisionsPath = `${base}-decisions.jsonl`;
  const eventsPath = `${base}-events.${w.csv ? "csv" : "jsonl"}`;
  const lines = w.decisions.map((d) => {
    const at = iso(T0 + d.hour * HOUR, 0);
    const dec: Decision = {
      customer_id: `c${d.c}`, rule: d.rule, step: d.step, entry_id: `${d.rule}:c${d.c}:${at}${d.tag}`, entered_at: at,
      variant: d.treated ? "treatment" : "holdout", status: d.status, channel: d.channel, template: null, topic: null,
      send_at: d.delay === null ? null : iso(T0 + (d.hour + d.delay) * HOUR, 0), reason: null, playbook: "law",
    };
    return decisionToJson(dec);
  });
  writeFileSync(decisionsPath, lines.join("\n") + "\n");
  const feedback = (kind: string) => kind in FEEDBACK_BITS;
  if (w.csv) {
    const rows = w.events.map((e) => [
      `c${e.c}`, e.kind, iso(T0 + e.minute * 60_000, e.zone), e.cents === null ? "" : String(e.cents / 100),
      feedback(e.kind) ? e.rule : "", feedback(e.kind) ? String(e.step) : "", feedback(e.kind) ? e.channel : "",
    ].join(","));
    const header = ["customer_id", "event", "ts", "amount", "rule", "step", "channel"].map((h) => (w.quoted ? `"${h}"` : h)).join(",");
    const eol = w.crlf ? "\r\n" : "\n";
    writeFileSync(eventsPath, [header, ...rows].join(eol) + eol);
  } else {
    const rows = w.events.map((e) => JSON.stringify({
      customer_id: `c${e.c}`, event: e.kind, ts: iso(T0 + e.minute * 60_000, e.zone),
      ...(e.cents === null ? {} : { amount: e.cents / 100 }),
      ...(feedback(e.kind) ? { rule: e.rule, step: e.step, channel: e.channel } : {}),
    }));
    writeFileSync(eventsPath, rows.join("\n") + (rows.length ? "\n" : ""));
  }
  return { decisionsPath, eventsPath };
}
