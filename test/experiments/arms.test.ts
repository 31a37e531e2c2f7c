/**
 * Arms and holdout groups in the report (issue 18 §1, §5): SRM across arms, each arm
 * against its part of the holdout, the arms against each other with BH over the whole
 * report, "winner" only when the comparison says so, and the holdout group's family
 * line; the DuckDB producer and the in-memory producer give the same report.
 */
import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import seedrandom from "seedrandom";
import { armSrmPValue } from "../../experiments/arms.ts";
import { reportFromFiles, EventCollector } from "../../experiments/pipeline.ts";
import { aggregateWithDuckDB } from "../../experiments/sql/aggregate.ts";
import { newEntryTable } from "../../experiments/entries.ts";
import { readDecisionLog, readEventsSimple } from "../../experiments/read.ts";
import { buildReport } from "../../experiments/report.ts";
import { stableJson } from "../../experiments/format/numbers.ts";
import { reportTable } from "../../experiments/format/table.ts";
import { loadReportConfig } from "../../experiments/workspace-config.ts";
import { decisionToJson, type Decision } from "../../engine/decision.ts";
import { holdoutBucket } from "../../engine/runtime/holdout-hash.ts";
import { armOf } from "../../engine/runtime/arm-hash.ts";
import type { ReportConfig } from "../../experiments/config.ts";

const WS = `schema:
  events:
    cart_abandoned: { cart_value: number }
    order_placed: { amount: number }
channels:
  email: { cost: 0.2 }
  push: { cost: 0.05 }
templates:
  a: { fields: [] }
  b: { fields: [] }
defaults: { goal: order_placed, attribution: 7d }
rules:
  cart_recovery:
    on: cart_abandoned
    variants:
      push_first: { weight: 50%, send: { channel: push, template: a } }
      email_only: { weight: 50%, send: { channel: email, template: b } }
    holdout: 20%
  promo_a:
    on: cart_abandoned
    holdout_group: promo
    holdout: 20%
    send: { channel: email, template: a }
  promo_b:
    on: cart_abandoned
    holdout_group: promo
    holdout: 20%
    send: { channel: email, template: b }
`;

const T0 = Date.parse("2026-03-01T10:00:00Z");
const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");

/** A log and events: conversion rates by group of cart_recovery (arm or holdout); `forceArm` breaks the split. */
async function scenario(rates: { push_first: number; email_only: number; holdout: number }, n = 4000, forceArm?: (i: number) => string | null) {
  const dir = mkdtempSync(join(tmpdir(), "pb-arms-"));
  mkdirSync(join(dir, "ws"));
  writeFileSync(join(dir, "ws", "a.yaml"), WS);
  const loaded = await loadReportConfig(join(dir, "ws"));
  expect(loaded.errors).toBeNull();
  const cfg = loaded.config!;
  const rng = seedrandom("arms");
  const lines: string[] = [];
  const events: string[] = [];
  const ws = (await import("../../language/index.ts")).loadWorkspaceFromFiles("/ws", [{ path: "a.yaml", text: WS }]).workspace;
  for (let i = 0; i < n; i++) {
    const id = `u${i}`;
    for (const rule of ["cart_recovery", "promo_a", "promo_b"]) {
      const r = ws.rules.get(rule)!;
      const variant = holdoutBucket(r.salt, id) < 0.2 ? "holdout" : "treatment";
      const arm = rule === "cart_recovery" ? (forceArm?.(i) ?? armOf(r, id)) : null;
      const d: Decision = {
        customer_id: id, rule, step: 1, entry_id: `${rule}:${id}:${iso(T0)}`, entered_at: iso(T0), variant, arm,
        status: variant === "holdout" ? "ghost" : "send", channel: "email", template: "a", topic: rule, send_at: iso(T0), reason: null, playbook: "x",
      };
      lines.push(decisionToJson(d));
    }
    const group = holdoutBucket("cart_recovery", id) < 0.2 ? "holdout" : (forceArm?.(i) ?? armOf(ws.rules.get("cart_recovery")!, id))!;
    if (rng() < rates[group as keyof typeof rates]) events.push(JSON.stringify({ customer_id: id, event: "order_placed", ts: iso(T0 + 86_400_000), amount: 100 }));
  }
  writeFileSync(join(dir, "decisions.jsonl"), lines.join("\n") + "\n");
  writeFileSync(join(dir, "events.jsonl"), events.join("\n") + "\n");
  return { cfg, log: join(dir, "decisions.jsonl"), ev: join(dir, "events.jsonl") };
}

async function inMemory(cfg: ReportConfig, log: string, ev: string) {
  const table = newEntryTable(cfg.offers, cfg.groups);
  expect(await readDecisionLog(table, log)).toEqual([]);
  const col = new EventCollector(cfg, table);
  expect(await readEventsSimple(ev, (e) => col.add(e))).toEqual([]);
  return buildReport(cfg, col.aggregates(), {});
}

describe("SRM across arms", () => {
  it("is Pearson's chi-square with k − 1 degrees of freedom against the weights", () => {
    expect(armSrmPValue([500, 500], [0.5, 0.5])).toBeCloseTo(1, 12);
    // chi2 = 2·100²/500 = 40, 1 df
    expect(armSrmPValue([600, 400], [0.5, 0.5])).toBeCloseTo(2.539e-10, 12);
    // 3 arms: chi2 = (10²/100 + 10²/100 + 0) = 2, 2 df → e^{-1}
    expect(armSrmPValue([110, 90, 100], [1 / 3, 1 / 3, 1 / 3])).toBeCloseTo(Math.exp(-1), 10);
    expect(armSrmPValue([0, 0], [0.5, 0.5])).toBeNull();
    expect(armSrmPValue([10, 5], [0, 1])).toBe(0);
    expect(armSrmPValue([0, 15], [0, 1])).toBeNull();
  });
});

describe("report of arms", () => {
  it("a clear difference gives a winner; both producers agree to the last digit", async () => {
    const { cfg, log, ev } = await scenario({ push_first: 0.3, email_only: 0.1, holdout: 0.1 });
    // The DuckDB producer itself (reportFromFiles would fall back to the in-memory path on a bad row).
    const agg = await aggregateWithDuckDB(cfg, log, ev);
    expect(agg).not.toBeNull();
    const sql = buildReport(cfg, agg!, {});
    expect(stableJson(sql, 1)).toBe(stableJson(await inMemory(cfg, log, ev), 1));
    expect(sql.rules.map((r) => r.rule)).toEqual(["cart_recovery", "promo_a", "promo_b"]);
    const arms = sql.arms![0]!;
    expect(arms.rule).toBe("cart_recovery");
    expect(arms.arms.map((a) => a.rule)).toEqual(["cart_recovery/push_first", "cart_recovery/email_only"]);
    // Each arm's line: its treated plus the held-out customers of its arm hash, together the rule's.
    expect(arms.arms[0]!.entries.treatment + arms.arms[1]!.entries.treatment).toBe(sql.rules[0]!.entries.treatment);
    expect(arms.arms[0]!.entries.holdout + arms.arms[1]!.entries.holdout).toBe(sql.rules[0]!.entries.holdout);
    expect(arms.treated).toEqual({ push_first: arms.arms[0]!.entries.treatment, email_only: arms.arms[1]!.entries.treatment });
    expect(arms.srm_flag).toBe(false);
    const c = arms.comparisons[0]!;
    expect([c.a, c.b]).toEqual(["push_first", "email_only"]);
    expect(c.conversion.lift_abs!).toBeGreaterThan(0.15);
    expect(c.conversion.q!).toBeLessThan(0.05);
    expect(c.winner).toBe("push_first");
    expect(arms.arms[0]!.conversion.verdict).toBe("works");
    expect(arms.arms[1]!.conversion.verdict).toBe("no_clear_effect");
  });
  it("equal arms: no winner (and q comes from BH over the whole report)", async () => {
    const { cfg, log, ev } = await scenario({ push_first: 0.2, email_only: 0.2, holdout: 0.1 });
    const rep = (await reportFromFiles(cfg, log, ev)).report!;
    const c = rep.arms![0]!.comparisons[0]!;
    expect(c.winner).toBeNull();
    expect(c.conversion.q!).toBeGreaterThanOrEqual(c.conversion.p!);
    expect(reportTable(rep)).toContain("push_first − email_only: conv");
    expect(reportTable(rep)).toContain("→ no winner: the difference is not clear");
  });
  it("a broken split (SRM across arms) names no winner whatever the lift", async () => {
    // Two thirds of the customers forced into push_first, which also converts far better.
    const { cfg, log, ev } = await scenario({ push_first: 0.3, email_only: 0.1, holdout: 0.1 }, 3000, (i) => (i % 3 === 2 ? "email_only" : "push_first"));
    const rep = (await reportFromFiles(cfg, log, ev)).report!;
    const a = rep.arms![0]!;
    expect(a.srm_flag).toBe(true);
    expect(a.srm_p!).toBeLessThan(0.001);
    expect(a.comparisons[0]!.conversion.q!).toBeLessThan(0.05);
    expect(a.comparisons[0]!.winner).toBeNull();
    expect(reportTable(rep)).toContain("SRM! the split is broken: no winner");
  });
});

describe("report of a holdout group", () => {
  it("adds the family's line: first entry per customer across its rules, against the shared holdout", async () => {
    const { cfg, log, ev } = await scenario({ push_first: 0.2, email_only: 0.2, holdout: 0.2 }, 2000);
    const rep = buildReport(cfg, (await aggregateWithDuckDB(cfg, log, ev))!, {});
    expect(stableJson(rep, 1)).toBe(stableJson(await inMemory(cfg, log, ev), 1));
    const g = rep.holdout_groups![0]!;
    expect([g.group, g.rules, g.rule]).toEqual(["promo", ["promo_a", "promo_b"], "group:promo"]);
    const held = Array.from({ length: 2000 }, (_, i) => `u${i}`).filter((id) => holdoutBucket("group:promo", id) < 0.2).length;
    expect(g.entries).toEqual({ treatment: 2000 - held, holdout: held });
    expect(rep.rules.find((r) => r.rule === "promo_a")!.entries).toEqual(g.entries);
    expect(g.sends).toBe(2 * (2000 - held));
    expect(reportTable(rep)).toMatch(/\nholdout_group promo +\d/);
  });
});
