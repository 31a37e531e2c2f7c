import { describe, expect, it } from "vitest";
import { evaluate } from "../../language/evaluator.ts";
import type { Expr } from "../../language/ast.ts";
import type { EvalEnv, EventRecord } from "../../language/values.ts";
import { B, BASE, DAY, HOUR, testWorkspace } from "../support/arbitraries.ts";

const ws = testWorkspace();
const order = (hoursAgo: number, amount: number | null, category = "shoes"): EventRecord => ({ name: "order_placed", ts: BASE - hoursAgo * HOUR, props: { amount, category } });
const env: EvalEnv = {
  now: BASE,
  customer: { age: 31, city: "London", score: 2, consent_email: true, signup: BASE - 36 * HOUR, tags: ["vip", "beta"], plan: "pro" },
  events: [order(24 * 40, 500), order(24 * 10, 30, "bags"), order(48, null), order(2, 80), order(-5, 1000)],
  rfm: { r: 5, f: 4, m: 3, cell: "543" },
};
const ev = (e: Expr, over: Partial<EvalEnv> = {}) => evaluate(e, { ...env, ...over }, ws);
const N = B.num;
const nullAge = B.attr("nope");

describe("literals", () => {
  it("give their values; durations, dates and datetimes as ms; percents as fractions", () => {
    expect(ev(N(3.5))).toBe(3.5);
    expect(ev(B.str("x"))).toBe("x");
    expect(ev(B.bool(false))).toBe(false);
    expect(ev(B.nul())).toBe(null);
    expect(ev(B.dur(DAY))).toBe(DAY);
    expect(ev(B.pct(0.1))).toBe(0.1);
    expect(ev(B.date(BASE))).toBe(BASE);
    expect(ev(B.list(N(1), B.str("a")))).toEqual([1, "a"]);
  });
});

describe("null semantics", () => {
  it("arithmetic with null gives null; missing attributes are null", () => {
    for (const op of ["+", "-", "*", "/"] as const) expect(ev(B.bin(op, nullAge, N(1)))).toBe(null);
    expect(ev(B.neg(nullAge))).toBe(null);
    expect(ev(nullAge)).toBe(null);
  });
  it("division by zero gives null", () => {
    expect(ev(B.bin("/", N(1), N(0)))).toBe(null);
    expect(ev(B.bin("/", N(6), N(4)))).toBe(1.5);
  });
  it("comparisons with null are false, except == null and != null", () => {
    for (const op of ["==", "!=", "<", "<=", ">", ">="] as const) expect(ev(B.bin(op, nullAge, N(1)))).toBe(false);
    expect(ev(B.bin("!=", B.attr("nope"), B.attr("nope2")))).toBe(false);
    expect(ev(B.bin("==", nullAge, B.nul()))).toBe(true);
    expect(ev(B.bin("!=", nullAge, B.nul()))).toBe(false);
    expect(ev(B.bin("!=", B.attr("age"), B.nul()))).toBe(true);
    expect(ev(B.bin("==", B.nul(), B.attr("age")))).toBe(false);
    expect(ev(B.bin("==", B.nul(), B.nul()))).toBe(true);
  });
  it("and/or/not see null as false and always give booleans", () => {
    expect(ev(B.bin("and", B.attr("nope"), B.bool(true)))).toBe(false);
    expect(ev(B.bin("or", B.attr("nope"), B.bool(false)))).toBe(false);
    expect(ev(B.not(B.attr("nope")))).toBe(true);
    expect(ev(B.bin("or", B.bool(false), B.attr("consent_email")))).toBe(true);
  });
  it("?? supplies a default only for null", () => {
    expect(ev(B.bin("??", nullAge, N(7)))).toBe(7);
    expect(ev(B.bin("??", B.attr("age"), N(7)))).toBe(31);
    expect(ev(B.bin("??", B.bool(false), B.bool(true)))).toBe(false);
  });
});

describe("operators", () => {
  it("compare numbers, strings, dates with datetimes", () => {
    expect(ev(B.bin(">=", B.attr("age"), N(31)))).toBe(true);
    expect(ev(B.bin("<", B.str("a"), B.str("b")))).toBe(true);
    expect(ev(B.bin("==", B.date(BASE), B.dt(BASE)))).toBe(true);
    expect(ev(B.bin("==", B.list(N(1)), B.list(N(1))))).toBe(true);
  });
  it("in / not in look for list membership; null on either side is false", () => {
    expect(ev(B.in(B.attr("city"), B.list(B.str("London"), B.str("Paris"))))).toBe(true);
    expect(ev(B.in(B.str("vip"), B.attr("tags")))).toBe(true);
    expect(ev(B.in(B.str("x"), B.attr("tags"), true))).toBe(true);
    expect(ev(B.in(nullAge, B.list(B.nul()), false))).toBe(false);
    expect(ev(B.in(nullAge, B.list(N(1)), true))).toBe(false);
    expect(ev(B.in(B.str("a"), B.attr("nolist"), true))).toBe(false);
  });
  it("between is inclusive at both ends", () => {
    expect(ev(B.between(N(31), B.attr("age"), N(40)))).toBe(true);
    expect(ev(B.between(N(40), B.attr("age"), N(40)))).toBe(true);
    expect(ev(B.between(N(41), B.attr("age"), N(40)))).toBe(false);
    expect(ev(B.between(nullAge, N(0), N(40)))).toBe(false);
  });
  it("does date and duration arithmetic in ms", () => {
    expect(ev(B.bin("+", B.date(BASE), B.dur(DAY)))).toBe(BASE + DAY);
    expect(ev(B.bin("-", B.dt(BASE), B.attr("signup")))).toBe(36 * HOUR);
    expect(ev(B.bin("/", B.dur(DAY), B.dur(HOUR)))).toBe(24);
    expect(ev(B.bin("*", B.pct(0.5), N(10)))).toBe(5);
  });
});

describe("functions", () => {
  it("days_since and hours_since count whole units, rounded down (negative in the future)", () => {
    expect(ev(B.call("days_since", B.attr("signup")))).toBe(1);
    expect(ev(B.call("hours_since", B.attr("signup")))).toBe(36);
    expect(ev(B.call("days_since", B.dt(BASE + 1)))).toBe(-1);
    expect(ev(B.call("days_since", nullAge))).toBe(null);
  });
  it("lower, delivered/opened/clicked(previous), in_cadence()", () => {
    expect(ev(B.call("lower", B.attr("city")))).toBe("london");
    expect(ev(B.call("lower", nullAge))).toBe(null);
    expect(ev(B.call("opened", B.previous()))).toBe(false);
    expect(ev(B.call("opened", B.previous()), { previous: { delivered: true, opened: true, clicked: false } })).toBe(true);
    expect(ev(B.call("clicked", B.previous()), { previous: { delivered: true, opened: true, clicked: false } })).toBe(false);
    expect(ev(B.call("in_cadence"))).toBe(false);
    expect(ev(B.call("in_cadence"), { inCadence: true })).toBe(true);
  });
});

describe("aggregates", () => {
  it("ignore events after now; within D means (now - D, now]", () => {
    expect(ev(B.agg("count", "order_placed"))).toBe(4);
    expect(ev(B.agg("count", "order_placed", { within: 2 * DAY }))).toBe(1);
    expect(ev(B.agg("count", "order_placed", { within: 2 * DAY }), { now: BASE + 1 })).toBe(1);
    expect(ev(B.agg("count", "order_placed", { within: 2 * DAY + 1 }))).toBe(2);
  });
  it("sum/avg/min/max skip null props; of nothing: 0 for count and sum, null otherwise", () => {
    expect(ev(B.agg("sum", "order_placed", { prop: "amount" }))).toBe(610);
    expect(ev(B.agg("avg", "order_placed", { prop: "amount" }))).toBeCloseTo(610 / 3, 12);
    expect(ev(B.agg("min", "order_placed", { prop: "amount" }))).toBe(30);
    expect(ev(B.agg("max", "order_placed", { prop: "amount", within: 20 * DAY }))).toBe(80);
    for (const fn of ["count", "sum"] as const) expect(ev(B.agg(fn, "page_viewed", { prop: "amount" }))).toBe(0);
    for (const fn of ["avg", "min", "max", "first", "last"] as const) expect(ev(B.agg(fn, "page_viewed", { prop: "amount" }))).toBe(null);
  });
  it("where sees the event's props; first/last give the event record", () => {
    expect(ev(B.agg("count", "order_placed", { where: B.bin("==", B.prop("order_placed", "category"), B.str("bags")) }))).toBe(1);
    expect(ev(B.member(B.agg("last", "order_placed"), "amount"))).toBe(80);
    expect(ev(B.member(B.agg("first", "order_placed"), "ts"))).toBe(BASE - 960 * HOUR);
    expect(ev(B.member(B.agg("last", "page_viewed"), "ts"))).toBe(null);
  });
  it("a where prop in the trigger scope reads env.trigger", () => {
    const views: EventRecord[] = [{ name: "page_viewed", ts: BASE - HOUR, props: { product_id: "p1" } }];
    const e = B.agg("count", "page_viewed", { where: B.bin("==", B.prop("page_viewed", "product_id"), B.prop("back_in_stock", "product_id", "trigger")) });
    expect(ev(e, { events: views, trigger: { name: "back_in_stock", ts: BASE, props: { product_id: "p1" } } })).toBe(1);
    expect(ev(e, { events: views, trigger: { name: "back_in_stock", ts: BASE, props: { product_id: "p2" } } })).toBe(0);
    expect(ev(e, { events: views })).toBe(0);
  });
  it("an event name as a condition means it happened at least once up to now", () => {
    expect(ev(B.evt("order_placed"))).toBe(true);
    expect(ev(B.evt("page_viewed"))).toBe(false);
    expect(ev(B.exists("order_placed", { within: HOUR }))).toBe(false);
    expect(ev(B.exists("order_placed", { within: 3 * HOUR }))).toBe(true);
  });
});

describe("names", () => {
  it("rfm fields come from env.rfm and are null without scores", () => {
    expect(ev(B.member(B.rfm(), "cell"))).toBe("543");
    expect(ev(B.member(B.rfm(), "r"))).toBe(5);
    expect(ev(B.member(B.rfm(), "r"), { rfm: null })).toBe(null);
  });
  it("segments evaluate their expression and are memoized in env.segments", () => {
    const segments: Record<string, boolean> = {};
    expect(ev(B.seg("active"), { segments })).toBe(true);
    expect(segments).toEqual({ active: true, big_spender: true });
    expect(ev(B.seg("londoner"), { segments: { londoner: false } })).toBe(false);
  });
  it("the trigger event and its props", () => {
    const trigger = { name: "back_in_stock", ts: BASE - HOUR, props: { product_id: "p9" } };
    expect(ev(B.member(B.trig("back_in_stock"), "product_id"), { trigger })).toBe("p9");
    expect(ev(B.member(B.trig("back_in_stock"), "ts"), { trigger })).toBe(BASE - HOUR);
    expect(ev(B.prop("back_in_stock", "product_id", "trigger"))).toBe(null);
  });
});
