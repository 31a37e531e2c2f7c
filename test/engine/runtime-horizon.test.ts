/**
 * A run ships only the events a decision can read (engine/runtime/horizon.ts)
 * and resumes all-time aggregates from partial states computed in DuckDB
 * (EvalEnv.base). Law: the decision log is the same as when every event is
 * shipped. Checked on a year of seeded shop data (bench/gen/shop.ts) with the
 * example workspace plus rules reading every all-time aggregate form, a bare
 * event, a trigger-correlated aggregate without a window, for a day's run and
 * a month's simulation.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decideFromFiles, loadProgram } from "../../engine/runtime/inputs.ts";
import { attributesNeeded, eventCutoffs, cadenceLag } from "../../engine/runtime/horizon.ts";
import { featurePlan } from "../../engine/features/index.ts";
import type { Program } from "../../engine/runtime/program.ts";
import { AT, generate } from "../../bench/gen/shop.ts";

const DAY = 86_400_000;
const tmp = mkdtempSync(join(tmpdir(), "pb-horizon-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const EXTRA = `rules:
  all_time:
    on: app_open
    who: count(order_placed) >= 2 and avg(order_placed.amount) > 1000 and min(order_placed.amount) < 4000 and max(cart_abandoned.cart_value) > 100 and first(order_placed).amount > 10 and last(product_viewed).category != "cat3" and signed_up
    priority: 55
    send: { channel: push, template: weekly_digest }
  correlated:
    on: back_in_stock
    who: count(product_viewed where product_id == back_in_stock.product_id) > 0
    priority: 45
    send: { channel: [email, push], template: weekly_digest, topic: promo }
  month_after:
    on: 30d after order_placed
    who: sum(order_placed.amount within 60d) > 500 and not order_placed within 3d
    priority: 35
    steps:
      - channel: email
        template: weekly_digest
      - after: 2d
        channel: [push, email]
        template: weekly_digest
`;

let p: Program;
let data: { customers: string; events: string };

beforeAll(async () => {
  const ws = join(tmp, "ws");
  cpSync(join(import.meta.dirname, "..", "..", "playbooks", "shop"), ws, { recursive: true });
  writeFileSync(join(ws, "extra.yaml"), EXTRA);
  p = (await loadProgram(ws)).program;
  const dir = join(tmp, "data");
  await generate(dir, 300, 30_000, 365);
  data = { customers: join(dir, "customers.parquet"), events: join(dir, "events.parquet") };
}, 60_000);

describe("shipping only the events a run can read", () => {
  it("cuts each event name at its longest look-back (plus the cadence lag); unsubscribes and correlated aggregates keep all history", () => {
    const from = AT - DAY;
    const lag = cadenceLag(p);
    const c = eventCutoffs(p, featurePlan(p.ws), from);
    expect(lag).toBeGreaterThan(0);
    expect(c.get("product_viewed")).toBe(-Infinity); // `correlated`: no window
    expect(c.get("message_unsubscribed")).toBe(-Infinity);
    expect(c.get("order_placed")).toBe(from - lag - 120 * DAY); // weekend_promo: count within 120d (> `month_after`'s 60d, 30d after, 2d pause)
    expect(c.get("app_open")).toBe(from - lag - 30 * DAY); // no app_open for 30d
    expect(c.get("signed_up")).toBe(from - lag);
  });

  it("brings only the attributes a decision reads, and only presence where that is all that is read", () => {
    const uses = Object.fromEntries(attributesNeeded(p));
    expect(uses).toEqual({
      birthday: "value", // anniversary trigger
      consent_email: "value", consent_push: "value", consent_sms: "value", consent_telegram: "value", is_employee: "value",
      email: "presence", phone: "presence", telegram_id: "presence", // `x != null` in channel requires
      first_name: "presence", // `first_name != null` and template fields
      subscription_ends_at: "value", // `5d before subscription_ends_at`
      timezone: "value",
    });
  });

  for (const [name, from] of [["a day's run", AT - DAY], ["a month's simulation", AT - 30 * DAY]] as const) {
    it(`gives the same decision log as shipping every event (${name})`, async () => {
      const pruned = await decideFromFiles(p, data, new Map(), from, AT, true);
      const all = await decideFromFiles(p, data, new Map(), from, AT, true, undefined, { shipAll: true });
      expect(pruned.decisions.length).toBeGreaterThan(50);
      expect(new Set(pruned.decisions.map((d) => d.rule))).toContain("all_time");
      expect(JSON.stringify(pruned.decisions)).toBe(JSON.stringify(all.decisions));
      expect(pruned.counts).toEqual(all.counts);
    }, 60_000);
  }
});
