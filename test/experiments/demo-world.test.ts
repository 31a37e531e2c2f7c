/**
 * The demo world's mechanics with a stand-in engine (the real one needs the
 * language front end, which `playbook demo` loads at run time): a rule that
 * enters on every abandoned cart and one on every app open, held out by the
 * contract's hash at 50%, sent at once. Checks that the world is
 * reproducible, that effects act only through real sends, and that the
 * truth is exact where it can be worked out.
 */
import { describe, expect, it } from "vitest";
import type { Decision } from "../../engine/decision.ts";
import { isoSeconds } from "../../engine/decision.ts";
import { holdoutBucket } from "../../experiments/holdout.ts";
import { simulate, worldHistory, type DecideEngine } from "../../experiments/demo/simulate.ts";
import { truthOf } from "../../experiments/demo/truth.ts";
import type { WorldOptions } from "../../experiments/demo/world.ts";
import { newEntryTable, addDecision } from "../../experiments/entries.ts";
import { EventCollector } from "../../experiments/pipeline.ts";
import type { ReportConfig } from "../../experiments/config.ts";

const DAY = 86_400_000;
const A = 7 * DAY;

function stubEngine(): DecideEngine {
  return {
    decide(id, e, now) {
      if (!e) return [];
      const rule = e.name === "cart_abandoned" ? "cart_recovery" : e.name === "app_open" ? "app_nudge" : null;
      if (!rule) return [];
      const held = holdoutBucket(rule, id) < 0.5;
      const at = isoSeconds(now);
      const d: Decision = {
        customer_id: id, rule, step: 1, entry_id: `${rule}:${id}:${at}`, entered_at: at, variant: held ? "holdout" : "treatment",
        status: held ? "ghost" : "send", channel: "email", template: null, topic: rule, send_at: at, reason: null, playbook: "stub",
      };
      return [d];
    },
  };
}

function run(seed: string, effects: Record<string, number>) {
  const o: WorldOptions = { customers: 300, days: 30, seed, start: Date.parse("2026-09-01T00:00:00Z"), historyDays: 20 };
  const { customers, history } = worldHistory(o);
  const sim = simulate(o, customers, history, stubEngine(), effects, A);
  return { sim, truth: truthOf(sim.decisions, sim.orders, sim.draws, effects, A) };
}

describe("demo world", () => {
  it("is reproducible: the same seed gives the same events and decisions", () => {
    const a = run("s1", { cart_recovery: 0.3 });
    const b = run("s1", { cart_recovery: 0.3 });
    expect(b.sim.decisions).toEqual(a.sim.decisions);
    expect(b.sim.events.length).toBe(a.sim.events.length);
    expect(JSON.stringify(b.sim.events.slice(0, 500))).toBe(JSON.stringify(a.sim.events.slice(0, 500)));
    expect(run("s2", { cart_recovery: 0.3 }).sim.events.length).not.toBe(a.sim.events.length);
  });

  it("gives the same world whether the history's carry-over is passed to simulate or redrawn, and keeps only 31 days of views", () => {
    const o: WorldOptions = { customers: 120, days: 20, seed: "carry", start: Date.parse("2026-09-01T00:00:00Z"), historyDays: 60 };
    const effects = { cart_recovery: 0.3, app_nudge: -0.2 };
    const w = worldHistory(o);
    const redrawn = simulate(o, w.customers, w.history, stubEngine(), effects, A);
    const carried = simulate(o, w.customers, w.history, stubEngine(), effects, A, w.carry);
    expect(carried.decisions).toEqual(redrawn.decisions);
    expect(carried.events).toEqual(redrawn.events);
    expect(carried.orders).toEqual(redrawn.orders);
    expect(carried.draws).toEqual(redrawn.draws);
    // A carry survives being simulated twice (simulate copies what it changes).
    expect(simulate(o, w.customers, w.history, stubEngine(), effects, A, w.carry).events).toEqual(carried.events);
    // Late history orders are delivered after the start, and views older than 31 days are not in the history.
    expect([...w.carry.values()].some((c) => c.pending.some((e) => e.name === "order_delivered"))).toBe(true);
    const views = [...w.history.values()].flat().filter((e) => e.name === "product_viewed");
    expect(views.length).toBeGreaterThan(0);
    expect(Math.min(...views.map((e) => e.ts))).toBeGreaterThanOrEqual(o.start - 31 * DAY);
    expect([...w.history.values()].flat().some((e) => e.name === "order_placed" && e.ts < o.start - 40 * DAY)).toBe(true);
  });

  it("acts only through sends: every extra order comes from an entry that was sent, never from a ghost", () => {
    const { sim } = run("s3", { cart_recovery: 0.3 });
    const sent = new Set(sim.decisions.filter((d) => d.status === "send").map((d) => d.entry_id));
    const extra = sim.orders.filter((o) => o.causedBy !== null);
    expect(extra.length).toBeGreaterThan(10);
    for (const o of extra) expect(sent.has(o.causedBy!)).toBe(true);
    // Ghost draws are bookkept but never become orders.
    expect(sim.draws.some((d) => d.status === "ghost")).toBe(true);
  });

  it("gives a zero true lift to a rule without effect, a positive one to a helpful rule and a negative one to a harmful rule", () => {
    const { truth } = run("s4", { cart_recovery: 0.3, app_nudge: -0.5 });
    const t = Object.fromEntries(truth.map((x) => [x.rule, x]));
    expect(t.cart_recovery!.conversion_lift).toBeGreaterThan(0.05);
    expect(t.app_nudge!.conversion_lift).toBeLessThan(0);
    const zero = run("s4", { cart_recovery: 0.3 }).truth.find((x) => x.rule === "app_nudge")!;
    expect(zero.conversion_lift).toBe(0);
  });
});

describe("demo world through the report", () => {
  it("has the report's 95% intervals cover the world's true lifts (30 seeds × 2 rules, stand-in engine)", () => {
    const effects = { cart_recovery: 0.1, app_nudge: -0.1 };
    const cfg: ReportConfig = {
      attribution: A, goal: "order_placed", revenueProp: "amount", channelCost: new Map(), offers: new Map(),
      holdout: new Map([["cart_recovery", 0.5], ["app_nudge", 0.5]]), globalHoldout: 0, alerts: {}, rules: ["cart_recovery", "app_nudge"],
    };
    let covered = 0;
    let total = 0;
    for (let s = 0; s < 30; s++) {
      const { sim, truth } = run(`cov${s}`, effects);
      const table = newEntryTable();
      for (const d of sim.decisions) addDecision(table, d);
      const col = new EventCollector(cfg, table);
      for (const { customer_id, event } of sim.events) col.add({ customer_id, event: event.name, ts: event.ts, props: event.props as never });
      const rep = col.finish({});
      for (const t of truth) {
        const c = rep.rules.find((r) => r.rule === t.rule)!.conversion;
        expect(rep.rules.find((r) => r.rule === t.rule)!.entries.treatment + rep.rules.find((r) => r.rule === t.rule)!.entries.holdout).toBe(t.entries);
        total++;
        if (c.ci_low! <= t.conversion_lift && t.conversion_lift <= c.ci_high!) covered++;
      }
    }
    if (process.env.CALIBRATION_LOG) console.log(`demo coverage ${covered}/${total}`);
    // 60 intervals: binomial SD 2.8 points around 95%; 85% is 3.6 SD below.
    expect(covered / total).toBeGreaterThanOrEqual(0.85);
  });
});
