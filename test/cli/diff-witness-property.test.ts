import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Workspace } from "../../language/ast.ts";
import { checkWorkspace } from "../../language/check.ts";
import { evaluate } from "../../language/evaluator.ts";
import { loadWorkspaceFromFiles } from "../../language/index.ts";
import type { EvalEnv, EventRecord, Value } from "../../language/values.ts";
import { findWitnesses } from "../../cli/diff/witness.ts";
import type { Change } from "../../cli/diff/compare.ts";
import type { Population } from "../../cli/diff/data.ts";
import type { Witness } from "../../cli/diff/result.ts";

// issue 14 item 2: for random pairs of expressions that differ in meaning, the
// witness search finds a customer, and on that customer the reference
// evaluator really gives old ≠ new. Expressions read every kind of name: plain
// attributes, rfm.*, aggregates with windows, last(E).p, days_since of an
// attribute and of last(E).ts, a segment, trigger props, in_cadence().
// "Differ in meaning" is decided independently: some customer of a large
// random pool (values spread over and between the constants) tells them apart.

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 20, 12);

const WORKSPACE = (who: string) => `
schema:
  customer: { age: number?, tier: string?, vip: bool, joined: datetime? }
  events:
    order_placed: { amount: number }
    app_open: {}
rfm: { event: order_placed, value: amount, window: 365d, scores: 5 }
channels:
  email: { requires: vip or not vip }
segments:
  adults: age >= 18
rules:
  r:
    on: order_placed
    who: ${who}
    send: { channel: email, template: t }
templates:
  t: { fields: [] }
`;

const cache = new Map<string, Workspace | null>();
/** The checked workspace, or null when check refuses it (a condition that can never hold: the diff gives no witness then). */
function load(who: string): Workspace | null {
  if (!cache.has(who)) {
    const { workspace, diagnostics } = loadWorkspaceFromFiles("/p", [{ path: "main.yaml", text: WORKSPACE(who) }]);
    const errors = [...diagnostics, ...checkWorkspace(workspace)].filter((d) => d.severity === "error");
    cache.set(who, errors.length ? null : workspace);
  }
  return cache.get(who)!;
}

const pick = <T>(xs: readonly T[]) => fc.constantFrom(...xs);
const cmp = pick([">=", ">", "<=", "<", "==", "!="] as const);
const atom: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(cmp, pick([17, 18, 19, 21, 30])).map(([o, c]) => `age ${o} ${c}`),
  pick(['tier == "gold"', 'tier != "gold"', 'tier in ["gold", "silver"]', "tier == null", "vip", "not vip", "adults", "in_cadence()"]),
  fc.tuple(pick(["r", "f", "m"]), cmp, fc.integer({ min: 1, max: 5 })).map(([p, o, c]) => `rfm.${p} ${o} ${c}`),
  pick(["rfm == null", "rfm != null"]),
  fc.tuple(cmp, fc.integer({ min: 0, max: 3 })).map(([o, c]) => `count(app_open within 7d) ${o} ${c}`),
  fc.tuple(cmp, pick([0, 50, 100, 150])).map(([o, c]) => `sum(order_placed.amount within 30d) ${o} ${c}`),
  fc.tuple(cmp, pick([50, 100])).map(([o, c]) => `last(order_placed).amount ${o} ${c}`),
  fc.tuple(cmp, pick([1, 3, 10])).map(([o, c]) => `days_since(last(app_open).ts) ${o} ${c}`),
  fc.tuple(cmp, pick([7, 30, 31])).map(([o, c]) => `days_since(joined) ${o} ${c}`),
  fc.tuple(cmp, pick([99, 100, 150])).map(([o, c]) => `order_placed.amount ${o} ${c}`),
);
const expr = fc.oneof(
  { weight: 2, arbitrary: atom },
  { weight: 3, arbitrary: fc.tuple(atom, pick(["and", "or"]), atom).map(([a, o, b]) => `${a} ${o} ${b}`) },
  { weight: 1, arbitrary: fc.tuple(atom, atom, atom).map(([a, b, c]) => `(${a} or ${b}) and not (${c})`) },
);
/** A pair: a random one, or a small edit of it (a constant moved by one, an operator changed) — the hard cases. */
const pair = expr.chain((a) => fc.oneof(
  expr.map((b) => [a, b] as const),
  fc.constantFrom(...edits(a)).map((b) => [a, b] as const),
));

function edits(a: string): string[] {
  const out = new Set<string>();
  a.replace(/\d+/g, (m, i: number) => (out.add(a.slice(0, i) + String(Number(m) + 1) + a.slice(i + m.length)), out.add(a.slice(0, i) + String(Math.max(0, Number(m) - 1)) + a.slice(i + m.length)), m));
  a.replace(/>=|<=|==|!=|>|<| and | or /g, (m, i: number) => {
    const swap: Record<string, string> = { ">=": ">", ">": ">=", "<=": "<", "<": "<=", "==": "!=", "!=": "==", " and ": " or ", " or ": " and " };
    out.add(a.slice(0, i) + swap[m] + a.slice(i + m.length));
    return m;
  });
  out.delete(a);
  return out.size ? [...out] : [a];
}

// The independent pool: a seeded generator spreading values over and between the constants.
function pool(n: number): { env: EvalEnv; id: string }[] {
  let s = 12345;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const of = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)]!;
  return Array.from({ length: n }, (_, i) => {
    const events: EventRecord[] = [];
    for (let k = of([0, 0, 1, 2, 3, 4]); k > 0; k--) events.push({ name: "app_open", ts: NOW - rnd() * 12 * DAY, props: {} });
    for (let k = of([0, 1, 1, 2, 3]); k > 0; k--) events.push({ name: "order_placed", ts: NOW - rnd() * 40 * DAY, props: { amount: of([0, 40, 49, 50, 51, 99, 100, 101, 150, null]) } });
    const scored = rnd() < 0.85;
    const [r, f, m] = [of([1, 2, 3, 4, 5]), of([1, 2, 3, 4, 5]), of([1, 2, 3, 4, 5])];
    const customer: Record<string, Value> = {
      customer_id: `p${i}`, age: of([null, 0, 16, 17, 18, 19, 20, 21, 22, 30, 31, 40]), tier: of([null, "gold", "silver", "basic"]),
      vip: rnd() < 0.5, joined: of([null, NOW - rnd() * 40 * DAY]),
    };
    return {
      id: `p${i}`,
      env: {
        now: NOW, customer, events: events.sort((x, y) => x.ts - y.ts), rfm: scored ? { r, f, m, cell: `${r}${f}${m}` } : null, segments: {}, inCadence: rnd() < 0.3,
        trigger: { name: "order_placed", ts: NOW, props: { amount: of([0, 98, 99, 100, 101, 149, 150, 151, null]) } },
      },
    };
  });
}
const POOL = pool(3000);
const truth = (ws: Workspace, env: EvalEnv) => {
  try {
    return evaluate(ws.rules.get("r")!.who!, { ...env, segments: {} }, ws) === true;
  } catch {
    return "error" as const;
  }
};
const differ = (a: Workspace, b: Workspace) => POOL.some(({ env }) => {
  const x = truth(a, env), y = truth(b, env);
  return x !== "error" && y !== "error" && x !== y;
});

/** The witness as an evaluation environment, rebuilt from what the diff reports and nothing else. */
function envOfWitness(w: Witness): EvalEnv {
  return {
    now: NOW,
    customer: { customer_id: "w", ...(w.customer as Record<string, Value>) },
    events: w.events.map((e) => ({ name: e.event, ts: Date.parse(e.ts), props: e.props as Record<string, Value> })).sort((x, y) => x.ts - y.ts),
    rfm: w.rfm ?? null,
    segments: {},
    ...(w.flags?.in_cadence !== undefined ? { inCadence: w.flags.in_cadence } : {}),
    ...(w.trigger ? { trigger: { name: w.trigger.event, ts: Date.parse(w.trigger.ts), props: w.trigger.props as Record<string, Value> } } : {}),
  };
}

const WHO: Change[] = [{ kind: "rule", name: "r", change: "changed", file: "main.yaml", fields: [{ field: "who", before: "a", after: "b", expr: true }] }];

describe("diff witnesses: every kind of name", () => {
  it("the issue's case: rfm.f >= 4 → rfm.f >= 3 gets a witness, synthesized and from the data (scored by the side's rfm section)", () => {
    const a = load("rfm.f >= 4 and rfm.r >= 4")!, b = load("rfm.f >= 3 and rfm.r >= 4")!;
    const s = findWitnesses(WHO, a, b, evaluate, null, NOW);
    expect(s.witnesses[0]).toMatchObject({ source: "synthesized", rfm: { r: 4, f: 3 }, before: false, after: true });
    const pop: Population = { customers: [{ id: "c1", attrs: { customer_id: "c1" } }, { id: "c2", attrs: { customer_id: "c2" } }], events: new Map() };
    const scores = { c1: { r: 5, f: 5, m: 1, cell: "551" }, c2: { r: 4, f: 3, m: 2, cell: "432" } } as Record<string, EvalEnv["rfm"]>;
    const d = findWitnesses(WHO, a, b, evaluate, pop, NOW, { rfm: [(id) => scores[id]!, (id) => scores[id]!] });
    expect(d.witnesses[0]).toMatchObject({ source: "data", customer_id: "c2", rfm: { r: 4, f: 3 }, before: false, after: true });
  });

  it("a trigger prop read by `who` gets a trigger event; days_since(last(E).ts) moves the event's age", () => {
    const t = findWitnesses(WHO, load("order_placed.amount >= 100")!, load("order_placed.amount > 100")!, evaluate, null, NOW).witnesses[0]!;
    expect(t).toMatchObject({ trigger: { event: "order_placed", props: { amount: 100 } }, before: true, after: false });
    const w = findWitnesses(WHO, load("days_since(last(app_open).ts) <= 3")!, load("days_since(last(app_open).ts) <= 2")!, evaluate, null, NOW).witnesses[0]!;
    expect(w.events.map((e) => [e.event, e.ago])).toEqual([["app_open", "84h"]]);
    expect([w.before, w.after]).toEqual([true, false]);
  });
});

describe("diff witnesses: a property over random expression pairs", () => {
  it("when old and new differ on some customer, a synthesized witness is found and really disagrees", () => {
    let differing = 0;
    fc.assert(fc.property(pair, ([ta, tb]) => {
      const a = load(ta), b = load(tb);
      fc.pre(a !== null && b !== null);
      const r = findWitnesses(WHO, a!, b!, evaluate, null, NOW);
      for (const w of r.witnesses) {
        const env = envOfWitness(w);
        expect([truth(a!, env), truth(b!, env)], `${ta} → ${tb}: ${JSON.stringify(w)}`).toEqual([w.before, w.after]);
        expect(w.before).not.toBe(w.after);
      }
      if (differ(a!, b!)) {
        differing++;
        expect(r.none, `${ta} → ${tb} differ on the pool, yet: ${r.none[0]?.why}`).toEqual([]);
        expect(r.witnesses).toHaveLength(1);
      }
    }), { numRuns: 300, seed: 14 });
    // The pairs are not all trivially equal or trivially apart.
    expect(differing).toBeGreaterThan(150);
  });

  it("with data, the witness is the first customer by id on whom they disagree", () => {
    const pop: Population = {
      // By id, as loadPopulation gives them.
      customers: POOL.slice(0, 400).map(({ id, env }) => ({ id, attrs: env.customer })).sort((x, y) => (x.id < y.id ? -1 : 1)),
      events: new Map(POOL.slice(0, 400).map(({ id, env }) => [id, [...env.events]])),
    };
    const ids = pop.customers.map((c) => c.id).sort();
    fc.assert(fc.property(pair, ([ta, tb]) => {
      const a = load(ta)!, b = load(tb)!;
      fc.pre(a !== null && b !== null);
      // Rule conditions reading the trigger take the customer's own trigger events; keep to the others here.
      fc.pre(!/order_placed\.amount/.test(ta + tb));
      // Each side scored alike here: the pool's own scores.
      const rfmOf = (id: string) => POOL.find((p) => p.id === id)!.env.rfm;
      const r = findWitnesses(WHO, a, b, evaluate, pop, NOW, { rfm: [rfmOf, rfmOf] });
      const first = ids.find((id) => {
        const env = { ...POOL.find((p) => p.id === id)!.env, trigger: undefined, inCadence: undefined };
        const x = truth(a, env), y = truth(b, env);
        return x !== "error" && y !== "error" && x !== y;
      });
      if (first) expect(r.witnesses[0]).toMatchObject({ source: "data", customer_id: first });
      else expect(r.witnesses[0]?.source ?? "synthesized").toBe("synthesized");
    }), { numRuns: 150, seed: 19 });
  });
});
