/**
 * Schedule independence (issue 16): on random small workspaces and data,
 *
 * - `simulate` over a period (one window from an empty state),
 * - `run --state` once a day at a random hour (and minute), and
 * - `run --state` every hour, and
 * - `run --state` at random instants (any millisecond, any gaps)
 *
 * give the same final decisions: each run's own log (every run reports what
 * still waits, as `playbook run --state` does), read in order with the
 * `deferred` lines a later run settles set aside (`settledDecisions`,
 * docs/language.md "A queued message across runs"), is the simulation's log.
 * The state goes through its JSON form between runs, as the `--state` file
 * stores it (the DuckDB file itself is exercised by the scenario table).
 *
 * Second law, no look-ahead: a simulation's decisions taken up to an instant
 * T are the same whether `--to` is T or later.
 *
 * Exceptions the property states (documented in docs/language.md):
 * - A message still waiting at the end of the period: the runs' log has the
 *   `deferred` line the first run that saw it waiting wrote (its `send_at` the
 *   next try as of then); the simulation's has one at `--to`. Compared by
 *   candidate only (customer, rule, step, entry), not by `send_at`/reason.
 * - `include_current: true` is not generated: where nothing is remembered,
 *   current members enter at the first instant membership is re-read, which
 *   is the first run's end under `run` (a new state is a schedule choice).
 * - A `days_since`/`hours_since` inside an event set's `where` is not
 *   generated (re-read at midnights/hours, not at its exact instant).
 * - RFM is not generated here: decisions read RFM as of their day through
 *   the files path (test/cli/rfm-as-of-property.test.ts holds that law).
 *
 * CI runs a fixed seed and a modest number of cases; `npm run fuzz` runs many
 * more with a random seed (FUZZ_RUNS, FUZZ_SEED to replay one).
 */
import { describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { decideWindow } from "../../engine/runtime/batch.ts";
import { settledDecisions, type Decision } from "../../engine/decision.ts";
import type { CustomerState } from "../../engine/runtime/state.ts";
import type { Value } from "../../language/values.ts";
import type { MiniRule, MiniStep, MiniWorkspace } from "./scenarios/mini-workspace.ts";
import { compact, fileRunDecisions, scenarioProgram, type Scenario } from "./scenarios/runner.ts";

const FUZZ = process.env.FUZZ === "1";
const RUNS = FUZZ ? Number(process.env.FUZZ_RUNS ?? 3000) : 40;
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : FUZZ ? Date.now() % 2 ** 31 : 1616;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Five days across the European DST change (29 March 2026, 01:00 UTC). */
const FROM = Date.UTC(2026, 2, 26);
const TO = FROM + 5 * DAY;

const SEGMENTS: Record<string, string> = {
  recent: "days_since(last(order).ts) <= 1",
  warm: "hours_since(last(order).ts) < 7",
  active: "count(visit within 2d) >= 1",
  lively: "visit within 10h",
  buyer: "count(order) >= 2",
};

const triggerArb = fc.constantFrom(
  "visit", "order", "3h after visit", "1d after order", "no order for 2d", "no visit for 30h",
  "enter recent", "leave recent", "leave warm", "enter warm", "enter active", "leave active", "leave lively", "enter buyer",
  "every day at 10:00", "every day at 23:30", "every saturday at 02:30", "every sunday at 02:30", "once at 2026-03-28T08:15", "once at 2026-03-29T02:30",
  "once at 2026-03-27T12:00:00Z", "1d after order where amount >= 50", "visit where amount >= 50",
  "1d before renews_at", "anniversary of signup_at",
);

const stepArb: fc.Arbitrary<MiniStep> = fc.record({
  channel: fc.constantFrom<string | string[]>("email", "push", ["push", "email"]),
  topic: fc.constantFrom("a", "b"),
  if: fc.option(fc.constantFrom("visit within 1d", "recent", "not active"), { nil: undefined, freq: 4 }),
}).map((s) => (s.if === undefined ? { channel: s.channel, topic: s.topic } : s));

const ruleArb: fc.Arbitrary<MiniRule> = fc.record({
  on: triggerArb,
  priority: fc.constantFrom(40, 50, 60),
  queue: fc.option(fc.constantFrom("6h", "1d", "2d"), { nil: undefined }),
  expires: fc.option(fc.constantFrom("3h", "1d", "3d"), { nil: undefined, freq: 3 }),
  holdout: fc.option(fc.constantFrom(0.3, 0.5), { nil: undefined }),
  exit: fc.option(fc.constantFrom(["order"], ["order where amount >= 50"], "none"), { nil: undefined }),
  who: fc.option(fc.constantFrom("not buyer", "active"), { nil: undefined }),
  unless: fc.option(fc.constantFrom("order within 1h", "lively"), { nil: undefined }),
  exclusive: fc.option(fc.constant(false), { nil: undefined, freq: 3 }),
  firstAfter: fc.option(fc.constantFrom("1h", "20h"), { nil: undefined, freq: 3 }),
  cadence: fc.option(fc.tuple(stepArb, fc.array(fc.record({ step: stepArb, after: fc.constantFrom("2h", "1d", "30h") }), { minLength: 1, maxLength: 2 })), { nil: undefined }),
  send: stepArb,
}).map(({ cadence, send, firstAfter, ...r }) => {
  const out: MiniRule = { on: r.on, priority: r.priority };
  for (const k of ["queue", "expires", "holdout", "exit", "who", "unless", "exclusive"] as const) if (r[k] !== undefined) (out as unknown as Record<string, unknown>)[k] = r[k];
  const first = firstAfter ? { ...(cadence?.[0] ?? send), after: firstAfter } : (cadence?.[0] ?? send);
  if (cadence) out.steps = [first, ...cadence[1].map((s) => ({ ...s.step, after: s.after }))];
  else out.send = first;
  return out;
});

const workspaceArb: fc.Arbitrary<MiniWorkspace> = fc.record({
  timezone: fc.constantFrom("UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo"),
  sendHours: fc.option(fc.constantFrom("09:00-21:00", "22:00-06:00", "08:30-20:00", "02:00-03:00"), { nil: undefined }),
  expires: fc.option(fc.constantFrom("12h", "2d"), { nil: undefined }),
  caps: fc.subarray(["max 2 per 1d", "email: max 1 per 2d", "push: max 2 per 3d", "topic: max 1 per 1d", "rule: max 1 per 2d", "gap 5h between messages", "pause 1d after order"]),
  rules: fc.array(ruleArb, { minLength: 1, maxLength: 4 }),
  pushNeedsConsent: fc.boolean(),
  globalHoldout: fc.option(fc.constant(0.3), { nil: undefined, freq: 4 }),
  suppress: fc.option(fc.constantFrom("buyer", "warm"), { nil: undefined, freq: 8 }),
  exit: fc.option(fc.constant<string[]>(["visit where amount >= 90"]), { nil: undefined, freq: 4 }),
}).map((w) => ({
  defaults: {
    timezone: w.timezone, ...(w.sendHours ? { send_hours: w.sendHours } : {}), ...(w.expires ? { expires: w.expires } : {}),
    ...(w.globalHoldout ? { global_holdout: w.globalHoldout } : {}), ...(w.exit ? { exit: w.exit } : {}),
  },
  ...(w.suppress ? { suppress: w.suppress } : {}),
  channels: { email: null, push: w.pushNeedsConsent ? "push_ok == true" : null },
  caps: w.caps,
  segments: SEGMENTS,
  attributes: { renews_at: "datetime", signup_at: "date" },
  rules: Object.fromEntries(w.rules.map((r, i) => [`r${i}`, r])),
}));

interface Data {
  customers: Record<string, Value>[];
  events: [string, string, number, number, string][];
}

/** Minutes (and sometimes milliseconds) inside a week around the period, so history before it counts too. */
const instantArb = fc.tuple(fc.integer({ min: -2 * 24 * 60, max: 5 * 24 * 60 }), fc.constantFrom(0, 0, 0, 1, 999)).map(([m, ms]) => FROM + m * 60_000 + ms);

const dataArb: fc.Arbitrary<Data> = fc.array(
  fc.record({
    timezone: fc.constantFrom(null, "Europe/Berlin", "America/New_York", "Australia/Sydney"),
    push_ok: fc.boolean(),
    renews: fc.option(instantArb.map((t) => t + DAY), { nil: null }),
    signup: fc.option(fc.integer({ min: -2, max: 6 }).map((d) => FROM - 365 * DAY + d * DAY), { nil: null }),
    events: fc.array(fc.tuple(fc.constantFrom("visit", "visit", "visit", "order", "order", "message_opened", "message_unsubscribed", "message_complained", "message_bounced"), instantArb, fc.constantFrom(10, 50, 90), fc.constantFrom("email", "push")), { maxLength: 10 }),
  }),
  { minLength: 1, maxLength: 3 },
).map((cs) => {
  const customers: Record<string, Value>[] = [];
  const events: [string, string, number, number, string][] = [];
  cs.forEach((c, i) => {
    const id = `c${i}`;
    customers.push({ customer_id: id, push_ok: c.push_ok, ...(c.timezone ? { timezone: c.timezone } : {}), renews_at: c.renews, signup_at: c.signup });
    for (const [name, ts, amount, channel] of c.events) events.push([id, name, ts, amount, channel]);
  });
  return { customers, events };
});

/** Feedback on a channel (a bounce is hard unless the amount drawn is 50), an amount on the shop's events. */
function propsOf(name: string, amount: number, channel: string): Record<string, Value> {
  if (!name.startsWith("message_")) return { amount };
  return name === "message_bounced" ? { channel, hard: amount !== 50 } : { channel };
}

/** The case as a scenario (test/engine/scenarios/runner.ts): checked and compiled as the commands do. */
function scenarioOf(w: MiniWorkspace, d: Data, runs: number[] = []): Scenario {
  const iso = (t: number) => new Date(t).toISOString();
  return {
    name: "schedule independence", workspace: w, expect: [], from: iso(FROM), to: iso(TO), runs: runs.filter((t) => t < TO).map(iso),
    customers: d.customers.map((c) => ({ ...c, renews_at: c.renews_at === null ? null : `${iso(c.renews_at as number)}@`, signup_at: c.signup_at === null ? null : `${iso(c.signup_at as number).slice(0, 10)}@` })),
    events: d.events.map(([cid, name, ts, amount, channel]) => [cid, name, iso(ts), propsOf(name, amount, channel)]),
    event_props: { visit: { amount: "number" }, order: { amount: "number" }, message_bounced: { channel: "string", hard: "bool" }, message_opened: { channel: "string" }, message_unsubscribed: { channel: "string" }, message_complained: { channel: "string" } },
  };
}

function setup(w: MiniWorkspace, d: Data) {
  const r = scenarioProgram(scenarioOf(w, d), "closure");
  expect(r.errors).toEqual([]);
  return r;
}

type Setup = ReturnType<typeof setup>;

function simulate(s: Setup, to = TO) {
  return decideWindow(s.p, s.data, new Map(), FROM, to, true).decisions;
}

/** `run --state` at each of `bounds` (ascending, the last one `TO`), every run reporting its deferred lines. */
function runs(s: Setup, bounds: number[]): Decision[] {
  let stored = "{}";
  let from = FROM;
  const out: Decision[] = [];
  for (const to of bounds) {
    const states = new Map<string, CustomerState>(Object.entries(JSON.parse(stored) as Record<string, CustomerState>));
    out.push(...decideWindow(s.p, s.data, states, from, to, true).decisions);
    stored = JSON.stringify(Object.fromEntries(states));
    from = to;
  }
  return out;
}

function schedule(first: number, step: number): number[] {
  const out: number[] = [];
  for (let t = first; t < TO; t += step) if (t > FROM) out.push(t);
  return [...out, TO];
}

/** Final lines in log order, and the candidates still waiting at the end (the stated exception). */
function finals(lines: Decision[]): { final: string[]; waiting: string[] } {
  const settled = settledDecisions(lines);
  return {
    final: settled.filter((d) => d.status !== "deferred").map(compact),
    waiting: settled.filter((d) => d.status === "deferred").map((d) => `${d.entry_id}#${d.step}`).sort(),
  };
}

/** How often the generated cases reach what the property is about (printed by `npm run fuzz`). */
function coverage(): Record<string, number> {
  const seen: Record<string, number> = {};
  for (const [w, d] of fc.sample(fc.tuple(workspaceArb, dataArb), { numRuns: 300, seed: SEED })) {
    const s = setup(w, d);
    const lines = runs(s, schedule(FROM + 7 * HOUR, DAY));
    const kinds = new Set<string>(lines.map((x) => x.status));
    for (const x of lines) if (x.reason?.startsWith("queued")) kinds.add("queued send");
    for (const [id, r] of Object.entries(w.rules)) if (lines.some((x) => x.rule === id && x.status !== "deferred")) kinds.add(`on ${r.on.split(" ")[0]}`);
    for (const k of kinds) seen[k] = (seen[k] ?? 0) + 1;
  }
  return seen;
}

const opts = { numRuns: RUNS, seed: SEED } as const;

describe(`schedule independence (seed ${SEED}, ${RUNS} cases)`, () => {
  it.runIf(FUZZ)("coverage of the generated cases (of 300: how many have each status and trigger form)", () => {
    console.log(JSON.stringify(coverage(), null, 1));
  });
  it("simulate = run --state daily at a random hour = run --state hourly (final decisions)", () => {
    fc.assert(
      fc.property(workspaceArb, dataArb, fc.integer({ min: 0, max: 24 * 60 - 1 }), (w, d, minute) => {
        const s = setup(w, d);
        const sim = finals(simulate(s));
        const daily = finals(runs(s, schedule(FROM + minute * 60_000, DAY)));
        expect(daily).toEqual(sim);
        const hourly = finals(runs(s, schedule(FROM, HOUR)));
        expect(hourly).toEqual(sim);
      }),
      opts,
    );
  }, FUZZ ? 3_600_000 : 60_000);

  it("simulate = run --state at random instants (any millisecond, any gaps)", () => {
    fc.assert(
      fc.property(workspaceArb, dataArb, fc.uniqueArray(fc.integer({ min: 1, max: TO - FROM - 1 }), { maxLength: 6 }), (w, d, offsets) => {
        const s = setup(w, d);
        const bounds = [...offsets.sort((a, b) => a - b).map((o) => FROM + o), TO];
        expect(finals(runs(s, bounds))).toEqual(finals(simulate(s)));
      }),
      opts,
    );
  }, FUZZ ? 3_600_000 : 60_000);

  it("the command path (data files, the DuckDB --state file) run daily at a random hour gives the same final decisions", async () => {
    await fc.assert(
      fc.asyncProperty(workspaceArb, dataArb, fc.integer({ min: 0, max: 24 * 60 - 1 }), async (w, d, minute) => {
        const sim = finals(simulate(setup(w, d)));
        const dir = mkdtempSync(join(tmpdir(), "pb-sched-"));
        try {
          const logs = await fileRunDecisions(scenarioOf(w, d, schedule(FROM + minute * 60_000, DAY)), dir, true, "closure");
          expect(finals(logs.flat())).toEqual(sim);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }),
      { ...opts, numRuns: FUZZ ? Math.ceil(RUNS / 20) : 3 },
    );
  }, FUZZ ? 3_600_000 : 60_000);

  it("no look-ahead: decisions taken up to T are the same with --to T and with --to the period's end", () => {
    fc.assert(
      fc.property(workspaceArb, dataArb, fc.integer({ min: 1, max: 5 * 24 * 60 - 1 }), (w, d, minute) => {
        const s = setup(w, d);
        const t = FROM + minute * 60_000;
        const upTo = (ds: ReturnType<typeof simulate>) => ds.filter((x) => x.at <= t && x.status !== "deferred").map(compact);
        expect(upTo(simulate(s, TO))).toEqual(upTo(simulate(s, t)));
      }),
      opts,
    );
  }, FUZZ ? 3_600_000 : 60_000);
});
