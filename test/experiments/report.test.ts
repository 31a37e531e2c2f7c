/**
 * The report's counting rules on hand-made logs, where every expected number
 * can be worked out on paper.
 */
import { describe, expect, it } from "vitest";
import type { ReportConfig } from "../../experiments/config.ts";
import { addDecision, newEntryTable, type DecisionFields } from "../../experiments/entries.ts";
import { FeedbackMatcher } from "../../experiments/funnel.ts";
import { GoalIndexBuilder } from "../../experiments/outcomes.ts";
import { buildReport } from "../../experiments/report.ts";
import { aggregateInMemory } from "../../experiments/aggregate-memory.ts";
import { reportTable } from "../../experiments/format/table.ts";
import { reportMarkdown } from "../../experiments/format/markdown.ts";

const DAY = 86_400_000;
const T0 = Date.parse("2026-11-01T10:00:00Z");
const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");

function cfg(over: Partial<ReportConfig> = {}): ReportConfig {
  return {
    attribution: 7 * DAY, goal: "order_placed", revenueProp: "amount",
    channelCost: new Map([["email", 2], ["push", 1]]), offers: new Map([["r", new Map([[1, 10]])]]),
    holdout: new Map([["r", 0.5]]), globalHoldout: 0, alerts: { openRateBelow: 0.5 }, rules: ["r"], revenueCap: null, ...over,
  };
}

function d(customer: string, at: number, variant: "treatment" | "holdout", status: DecisionFields["status"], channel: string | null = "email", step = 1): DecisionFields {
  return { customer_id: customer, rule: "r", step, entry_id: `r:${customer}:${iso(at)}`, entered_at: iso(at), variant, status, channel, send_at: iso(at + 3_600_000) };
}

function report(decisions: DecisionFields[], goals: [string, number, number][], c = cfg(), feedback: Parameters<FeedbackMatcher["add"]>[0][] = []) {
  const t = newEntryTable(c.offers);
  decisions.forEach((x) => addDecision(t, x));
  const g = new GoalIndexBuilder();
  for (const [id, ts, amount] of goals) {
    const i = t.customerIndex.get(id);
    if (i !== undefined) g.push(i, ts, amount);
  }
  const m = new FeedbackMatcher(t);
  feedback.forEach((f) => m.add(f));
  return buildReport(c, aggregateInMemory(c, t, g.build(t.customers.length), m.summary, null), { minDelivered: 0 });
}

describe("who counts and what counts", () => {
  it("counts a customer once per rule, from their first entry, with that entry's variant", () => {
    const rep = report([d("a", T0 + DAY, "holdout", "ghost"), d("a", T0, "treatment", "send"), d("b", T0, "holdout", "ghost")], []);
    expect(rep.rules[0]!.entries).toEqual({ treatment: 1, holdout: 1 });
  });

  it("counts goal events in (entered_at, entered_at + attribution]: not at entry, yes at the window's end", () => {
    const rep = report(
      [d("a", T0, "treatment", "send"), d("b", T0, "treatment", "send"), d("c", T0, "treatment", "send"), d("h", T0, "holdout", "ghost"), d("h2", T0, "holdout", "ghost")],
      [["a", T0, 100], ["b", T0 + 7 * DAY, 50], ["c", T0 + 7 * DAY + 1000, 70]],
    );
    const r = rep.rules[0]!;
    expect(r.conversion.treatment).toBeCloseTo(1 / 3, 12);
    expect(r.revenue_per_customer.treatment).toBeCloseTo(50 / 3, 12);
  });

  it("compares as assigned: capped treated entries and ghosted held-out ones are all in their groups", () => {
    const rep = report([d("a", T0, "treatment", "capped"), d("b", T0, "treatment", "send"), d("c", T0, "holdout", "ghost"), d("e", T0, "holdout", "no_channel")], []);
    expect(rep.rules[0]!.entries).toEqual({ treatment: 2, holdout: 2 });
  });
});

describe("money", () => {
  it("charges channel cost per send only and the offer per treated conversion that got it", () => {
    const rep = report(
      [
        d("a", T0, "treatment", "send", "email"), d("b", T0, "treatment", "send", "push"), d("c", T0, "treatment", "capped", null),
        d("x", T0, "holdout", "ghost"), d("y", T0, "holdout", "ghost"),
      ],
      [["a", T0 + DAY, 300], ["c", T0 + DAY, 100], ["x", T0 + DAY, 60]],
    );
    const r = rep.rules[0]!;
    expect(r.sends).toBe(2);
    // 2 (email) + 1 (push) + 10 (a converted after getting the offer; c converted but was never sent it)
    expect(r.cost).toBe(13);
    // revenue per customer: treated 400/3, holdout 60/2 → lift 103.33…, times 3 treated customers
    expect(r.revenue_per_customer.lift_abs).toBeCloseTo(400 / 3 - 30, 9);
    expect(r.incremental_revenue).toBeCloseTo(400 - 90, 9);
    expect(r.romi).toBeCloseTo((310 - 13) / 13, 9);
  });
});

describe("funnel", () => {
  it("counts each message once per kind and leaves rates of kinds a channel never reports null", () => {
    const at = T0 + 3_600_000;
    const fb = (customer_id: string, event: string, channel: string, ts = at + 60_000) => ({ customer_id, event, ts, rule: "r", step: 1, channel });
    const rep = report(
      [d("a", T0, "treatment", "send", "email"), d("b", T0, "treatment", "send", "email"), d("c", T0, "treatment", "send", "push"), d("h", T0, "holdout", "ghost")],
      [],
      cfg(),
      [fb("a", "message_delivered", "email"), fb("a", "message_opened", "email"), fb("a", "message_opened", "email", at + 9e5), fb("b", "message_delivered", "email"), fb("c", "message_delivered", "push")],
    );
    const rows = rep.rules[0]!.funnel;
    const email = rows.find((r) => r.channel === "email")!;
    const push = rows.find((r) => r.channel === "push")!;
    expect(email).toMatchObject({ sent: 2, delivered: 1, open_rate: 0.5, ctr: null });
    expect(push).toMatchObject({ sent: 1, delivered: 1, open_rate: null });
    expect(rows.find((r) => r.channel === null)).toMatchObject({ step: 1, sent: 3, delivered: 1 });
  });

  it("raises a red-zone alert when a channel's open rate is below the threshold", () => {
    const fb = (customer_id: string, event: string) => ({ customer_id, event, ts: T0 + 4_000_000, rule: "r", step: 1, channel: "email" });
    const rep = report(
      [d("a", T0, "treatment", "send"), d("b", T0, "treatment", "send"), d("c", T0, "treatment", "send"), d("h", T0, "holdout", "ghost")],
      [],
      cfg(),
      [fb("a", "message_delivered"), fb("b", "message_delivered"), fb("c", "message_delivered"), fb("a", "message_opened")],
    );
    expect(rep.rules[0]!.alerts).toEqual([
      { kind: "open_rate_below", step: 1, channel: "email", value: 1 / 3, threshold: 0.5, message: "step 1 email: open rate 33.3% is below 50.0%" },
    ]);
  });
});

describe("SRM", () => {
  it("flags a split far from the configured holdout share and says not to trust the lift", () => {
    const ds: DecisionFields[] = [];
    for (let i = 0; i < 200; i++) ds.push(d(`c${i}`, T0, i < 150 ? "treatment" : "holdout", "send"));
    const rep = report(ds, []);
    const r = rep.rules[0]!;
    expect(r.srm_flag).toBe(true);
    expect(r.srm_p!).toBeLessThan(0.001);
    expect(r.alerts[0]!.kind).toBe("srm");
  });
});

describe("conversion with a small holdout (issue 17)", () => {
  /** `nt` treated with `xt` conversions, `nh` held out with `xh`; one order of 100 per conversion. */
  function counts(nt: number, xt: number, nh: number, xh: number) {
    const ds: DecisionFields[] = [];
    const goals: [string, number, number][] = [];
    for (let i = 0; i < nt; i++) ds.push(d(`t${i}`, T0, "treatment", "send"));
    for (let i = 0; i < nh; i++) ds.push(d(`h${i}`, T0, "holdout", "ghost"));
    for (let i = 0; i < xt; i++) goals.push([`t${i}`, T0 + DAY, 100]);
    for (let i = 0; i < xh; i++) goals.push([`h${i}`, T0 + DAY, 100]);
    return report(ds, goals, cfg({ holdout: new Map([["r", 0.05]]) }));
  }

  it("does not call 0 of 105 a known rate of 0: score interval across 0, no star (Welch said +1.85 pp [+1.26, +2.44], p < 0.001)", () => {
    const c = counts(2000, 37, 105, 0).rules[0]!.conversion;
    expect(c.lift_abs).toBeCloseTo(0.0185, 12);
    expect(c.ci_low!).toBeLessThan(0);
    expect(c.p!).toBeGreaterThan(0.15);
    expect(c.lift_rel).toBeNull();
    expect(c.ci_rel_high).toBeNull(); // unbounded: the holdout rate may be 0
    expect(c.verdict).toBe("no_clear_effect");
    expect(c.needed).toBe(0);
  });

  it("says 'too few conversions to judge' with the holdout needed, in the JSON, the table and the markdown", () => {
    // 8 conversions in 2,105: 105 held out expect 0.40; one expected conversion needs ⌈2105/8⌉ = 264.
    const rep = counts(2000, 8, 105, 0);
    const c = rep.rules[0]!.conversion;
    expect(c.verdict).toBe("too_few_conversions");
    expect(c.needed).toBe(264);
    const table = reportTable(rep);
    expect(table).toContain("r — too few conversions to judge: needs ≈ 264 held-out customers (has 105)");
    // the conversion q carries "?" instead of a verdict (here Fisher's exact p, under Cochran's rule, is 1)
    expect(c.fisher_p).toBeCloseTo(1, 9);
    expect(table).toMatch(/ (0\.\d+|1(\.0+)?)\? /);
    expect(reportMarkdown(rep)).toContain("**?** `r`: too few conversions to judge: needs ≈ 264 held-out customers (has 105).");
  });

  it("gives no verdict below the threshold, even when the test alone rejects", () => {
    // 0 of 40 held out against 60 of 2,000: 40 · 60/2040 = 1.18 expected in the holdout, judged;
    // 0 of 20: 0.59 expected, too few; ⌈2020/60⌉ = 34 needed.
    expect(counts(2000, 60, 40, 0).rules[0]!.conversion.verdict).toBe("no_clear_effect");
    expect(counts(2000, 60, 20, 0).rules[0]!.conversion.verdict).toBe("too_few_conversions");
    expect(counts(2000, 60, 20, 0).rules[0]!.conversion.needed).toBe(34);
    // 1 of 20 held out, 0 of 2,000 treated: the test rejects — the score test at p < 0.001, Fisher's exact
    // (Cochran's rule applies) at 20/2020 = 0.0099, the p reported — but 0.01 conversions were expected.
    const c = counts(2000, 0, 20, 1).rules[0]!.conversion;
    expect(c.fisher_p!).toBeCloseTo(20 / 2020, 12);
    expect(c.p!).toBeCloseTo(20 / 2020, 12);
    expect(c.verdict).toBe("too_few_conversions");
    expect(c.needed).toBe(2020);
  });
});
