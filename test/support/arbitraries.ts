/**
 * Shared test support: a small AST builder (names come with `ref` filled, as
 * the checker leaves them), a test workspace, and fast-check generators of
 * random well-typed expressions and random customers (attributes, event
 * histories, RFM, trigger, cadence state) — null-heavy on purpose.
 */
import fc from "fast-check";
import type { AggExpr, AggFn, AttributeDef, BinaryOp, EventDef, Expr, NameRef, Segment, Span, Type, Workspace } from "../../language/ast.ts";
import type { EvalEnv, EventRecord, Value } from "../../language/values.ts";

/** A span for built nodes. */
export const S: Span = { file: "test.yaml", start: 0, end: 0, line: 1, col: 1, endLine: 1, endCol: 1 };

export const DAY = 86_400_000;
export const HOUR = 3_600_000;
/** 2026-11-20T00:00:00Z */
export const BASE = Date.UTC(2026, 10, 20);

/** AST builders. */
export const B = {
  num: (value: number): Expr => ({ kind: "number", value, raw: String(value), span: S }),
  pct: (value: number): Expr => ({ kind: "percent", value, raw: `${value * 100}%`, span: S }),
  str: (value: string): Expr => ({ kind: "string", value, raw: JSON.stringify(value), span: S }),
  bool: (value: boolean): Expr => ({ kind: "bool", value, span: S }),
  nul: (): Expr => ({ kind: "null", span: S }),
  dur: (ms: number, raw = `${ms / DAY}d`): Expr & { kind: "duration" } => ({ kind: "duration", ms, raw, span: S }),
  date: (ms: number): Expr => ({ kind: "date", ms, raw: new Date(ms).toISOString().slice(0, 10), span: S }),
  dt: (ms: number): Expr => ({ kind: "datetime", ms, raw: new Date(ms).toISOString().replace(".000", ""), span: S }),
  list: (...items: Expr[]): Expr => ({ kind: "list", items, span: S }),
  name: (name: string, ref: NameRef): Expr => ({ kind: "name", name, ref, span: S }),
  attr: (name: string): Expr => B.name(name, { kind: "attribute", name }),
  seg: (name: string): Expr => B.name(name, { kind: "segment", name }),
  evt: (name: string): Expr => B.name(name, { kind: "event", name }),
  prop: (event: string, prop: string, scope: "where" | "trigger" = "where"): Expr => B.name(prop, { kind: "prop", event, prop, scope }),
  trig: (event: string): Expr => B.name(event, { kind: "trigger_event", event }),
  rfm: (): Expr => B.name("rfm", { kind: "rfm" }),
  member: (object: Expr, prop: string): Expr => ({ kind: "member", object, prop, propSpan: S, span: S }),
  call: (fn: string, ...args: Expr[]): Expr => ({ kind: "call", fn, fnSpan: S, args, span: S }),
  previous: (): Expr => B.name("previous", { kind: "previous" }),
  agg: (fn: AggFn, event: string, o: { prop?: string; where?: Expr; within?: number } = {}): Expr => {
    const a: AggExpr = { kind: "agg", fn, fnSpan: S, event, eventSpan: S, span: S };
    if (o.prop) a.prop = o.prop;
    if (o.where) a.where = o.where;
    if (o.within !== undefined) a.within = B.dur(o.within);
    return a;
  },
  exists: (event: string, o: { where?: Expr; within?: number } = {}): Expr => ({
    kind: "exists", event, eventSpan: S, span: S,
    ...(o.where ? { where: o.where } : {}),
    ...(o.within !== undefined ? { within: B.dur(o.within) } : {}),
  }),
  not: (operand: Expr): Expr => ({ kind: "unary", op: "not", operand, span: S }),
  neg: (operand: Expr): Expr => ({ kind: "unary", op: "-", operand, span: S }),
  bin: (op: BinaryOp, left: Expr, right: Expr): Expr => ({ kind: "binary", op, left, right, span: S }),
  in: (left: Expr, right: Expr, negated = false): Expr => ({ kind: "in", negated, left, right, span: S }),
  between: (value: Expr, low: Expr, high: Expr): Expr => ({ kind: "between", value, low, high, span: S }),
};

const ty = (base: Type["base"], nullable = true, elem?: Type): Type => (elem ? { base, nullable, elem } : { base, nullable });
const def = (name: string, type: Type): [string, AttributeDef] => [name, { name, type, span: S }];
const evdef = (name: string, props: [string, AttributeDef][]): [string, EventDef] => [name, { name, props: new Map(props), span: S, builtin: false }];

/** Segments of the test workspace. */
export const SEGMENTS: Record<string, Expr> = {
  big_spender: B.bin(">", B.agg("sum", "order_placed", { prop: "amount", within: 30 * DAY }), B.num(100)),
  londoner: B.bin("==", B.attr("city"), B.str("London")),
  active: B.bin("or", B.seg("big_spender"), B.exists("page_viewed", { within: 7 * DAY })),
};

/** The workspace the builders and generators refer to. */
export function testWorkspace(extraSegments: Record<string, Expr> = {}): Workspace {
  const segs = new Map<string, Segment>();
  for (const [name, expr] of Object.entries({ ...SEGMENTS, ...extraSegments })) segs.set(name, { name, span: S, expr });
  return {
    root: "test",
    files: [],
    schema: {
      customer: new Map([
        def("age", ty("number")), def("score", ty("number", false)), def("city", ty("string")), def("plan", ty("string", false)),
        def("consent_email", ty("bool")), def("signup", ty("datetime")), def("birthday", ty("date")), def("tags", ty("list", true, ty("string", false))),
      ]),
      events: new Map([
        evdef("order_placed", [def("amount", ty("number")), def("category", ty("string"))]),
        evdef("page_viewed", [def("path", ty("string")), def("product_id", ty("string"))]),
        evdef("back_in_stock", [def("product_id", ty("string", false))]),
      ]),
    },
    defaults: { timezone: "UTC", sendHours: null, holdout: 0.1, globalHoldout: 0, attribution: 3 * DAY, goal: null, exit: [], expires: 7 * DAY, spans: {} },
    channels: new Map(),
    caps: [],
    templates: new Map(),
    segments: segs,
    rules: new Map(),
    alerts: {},
  };
}

// ───────────────────────── expression generators ─────────────────────────

/** Result types the generator produces. */
export type GenType = "num" | "str" | "bool" | "time" | "dur" | "strlist";

/**
 * Strings where orders and lowerings part (language/text.ts): astral (😀) against U+E000–U+FFFF (Ａ, U+FFFF),
 * Greek capitals (final sigma), dotted I, sharp s, combining marks against precomposed, titlecase, empty.
 */
export const HARD_STRINGS = ["😀", "Ａ", "ΣΑΣ", "σας", "İ", "ß", "ẞ", "e\u0301", "é", "E\u0301", "", "a", "Z", "\uffff", "\u{10000}", "ǅ"];
const CITIES = ["London", "Paris", "Berlin", "london", "", "😀", "Ａ", "ΣΑΣ", "İ", "ß", "E\u0301"];
const WHERE_PROPS: Record<string, Partial<Record<GenType, string[]>>> = {
  order_placed: { num: ["amount"], str: ["category"] },
  page_viewed: { str: ["path", "product_id"] },
};
const NUM_EVENTS = ["order_placed"];
const EVENTS = ["order_placed", "page_viewed"];

const cache = new Map<string, fc.Arbitrary<Expr>>();

/**
 * Random well-typed expressions of type `t`, nested up to `depth`; `where` is
 * the stack of events under scan (their props are in scope).
 */
export function exprArb(t: GenType, depth = 3, where: string[] = []): fc.Arbitrary<Expr> {
  const key = `${t}/${depth}/${where.join(",")}`;
  let a = cache.get(key);
  if (!a) {
    a = build(t, depth, where);
    cache.set(key, a);
  }
  return a;
}

function build(t: GenType, depth: number, where: string[]): fc.Arbitrary<Expr> {
  const leaves = leafArbs(t, where);
  if (depth <= 0) return fc.oneof(...leaves);
  const sub = (u: GenType) => exprArb(u, depth - 1, where);
  const nodes: fc.Arbitrary<Expr>[] = [fc.tuple(sub(t), fc.oneof(sub(t), fc.constant(B.nul()))).map(([l, r]) => B.bin("??", l, r))];
  const within = fc.option(fc.constantFrom(HOUR, DAY, 7 * DAY, 30 * DAY), { nil: undefined });
  const whereOf = (ev: string) => fc.option(exprArb("bool", Math.min(depth - 1, 1), [...where, ev]), { nil: undefined, freq: 2 });
  const aggOf = (fn: AggFn, evs: string[], prop?: (ev: string) => string) =>
    fc.constantFrom(...evs).chain((ev) => fc.tuple(whereOf(ev), within).map(([w, d]) => B.agg(fn, ev, { prop: prop?.(ev), where: w, within: d })));
  switch (t) {
    case "num":
      nodes.push(
        fc.tuple(fc.constantFrom<BinaryOp>("+", "-", "*", "/"), sub("num"), sub("num")).map(([op, l, r]) => B.bin(op, l, r)),
        sub("num").map(B.neg),
        fc.tuple(sub("dur"), sub("dur")).map(([l, r]) => B.bin("/", l, r)),
        aggOf("count", EVENTS),
        fc.constantFrom<AggFn>("sum", "avg", "min", "max").chain((fn) => aggOf(fn, NUM_EVENTS, () => "amount")),
        fc.tuple(fc.constantFrom("days_since", "hours_since"), sub("time")).map(([fn, x]) => B.call(fn, x)),
        aggOf("last", NUM_EVENTS).map((l) => B.member(l, "amount")),
      );
      break;
    case "str":
      nodes.push(
        sub("str").map((x) => B.call("lower", x)),
        aggOf("first", ["page_viewed"]).map((l) => B.member(l, "path")),
      );
      break;
    case "time":
      nodes.push(
        fc.tuple(fc.constantFrom<BinaryOp>("+", "-"), sub("time"), sub("dur")).map(([op, l, r]) => B.bin(op, l, r)),
        fc.constantFrom<AggFn>("first", "last").chain((fn) => aggOf(fn, EVENTS)).map((l) => B.member(l, "ts")),
      );
      break;
    case "dur":
      nodes.push(
        fc.tuple(sub("time"), sub("time")).map(([l, r]) => B.bin("-", l, r)),
        fc.tuple(fc.constantFrom<BinaryOp>("+", "-"), sub("dur"), sub("dur")).map(([op, l, r]) => B.bin(op, l, r)),
        fc.tuple(fc.constantFrom<BinaryOp>("*", "/"), sub("dur"), sub("num")).map(([op, l, r]) => B.bin(op, l, r)),
        sub("dur").map(B.neg),
      );
      break;
    case "strlist":
      nodes.push(fc.array(sub("str"), { maxLength: 3 }).map((items) => B.list(...items)));
      break;
    case "bool": {
      const ordered = fc.constantFrom<GenType>("num", "str", "time", "dur");
      nodes.push(
        fc.tuple(fc.constantFrom<BinaryOp>("and", "or"), sub("bool"), sub("bool")).map(([op, l, r]) => B.bin(op, l, r)),
        sub("bool").map(B.not),
        ordered.chain((u) => fc.tuple(fc.constantFrom<BinaryOp>("==", "!=", "<", "<=", ">", ">="), sub(u), sub(u))).map(([op, l, r]) => B.bin(op, l, r)),
        fc.tuple(fc.constantFrom<BinaryOp>("==", "!="), sub("bool"), sub("bool")).map(([op, l, r]) => B.bin(op, l, r)),
        fc.tuple(fc.constantFrom<BinaryOp>("==", "!="), fc.constantFrom<GenType>("num", "str", "bool", "time"), fc.boolean())
          .chain(([op, u, flip]) => sub(u).map((x) => (flip ? B.bin(op, B.nul(), x) : B.bin(op, x, B.nul())))),
        fc.tuple(sub("str"), sub("strlist"), fc.boolean()).map(([l, r, n]) => B.in(l, r, n)),
        fc.tuple(sub("num"), fc.array(fc.integer({ min: -2, max: 40 }), { minLength: 1, maxLength: 4 }), fc.boolean()).map(([l, xs, n]) => B.in(l, B.list(...xs.map(B.num)), n)),
        ordered.chain((u) => fc.tuple(sub(u), sub(u), sub(u))).map(([v, lo, hi]) => B.between(v, lo, hi)),
        fc.constantFrom(...EVENTS).chain((ev) => fc.tuple(whereOf(ev), within).map(([w, d]) => B.exists(ev, { where: w, within: d }))),
      );
      break;
    }
  }
  return fc.oneof({ depthSize: "small" }, ...leaves, ...nodes);
}

function leafArbs(t: GenType, where: string[]): fc.Arbitrary<Expr>[] {
  const props = where.flatMap((ev) => (WHERE_PROPS[ev]?.[t] ?? []).map((p) => B.prop(ev, p)));
  const out: fc.Arbitrary<Expr>[] = props.length ? [fc.constantFrom(...props)] : [];
  switch (t) {
    case "num":
      out.push(
        fc.oneof(fc.integer({ min: -3, max: 40 }), fc.constantFrom(0, 0.5, 2.25, 100)).map(B.num),
        fc.constantFrom(0.1, 0.25).map(B.pct),
        fc.constantFrom(B.attr("age"), B.attr("score"), B.member(B.rfm(), "r"), B.member(B.rfm(), "m")),
      );
      break;
    case "str":
      out.push(fc.constantFrom(...CITIES).map(B.str), fc.constantFrom(B.attr("city"), B.attr("plan"), B.member(B.rfm(), "cell"), B.prop("back_in_stock", "product_id", "trigger")));
      break;
    case "bool":
      out.push(
        fc.boolean().map(B.bool),
        fc.constantFrom(
          B.attr("consent_email"), B.seg("big_spender"), B.seg("londoner"), B.seg("active"), B.evt("order_placed"),
          B.call("delivered", B.previous()), B.call("opened", B.previous()), B.call("in_cadence"),
        ),
      );
      break;
    case "time":
      out.push(
        fc.integer({ min: -40, max: 5 }).map((d) => B.date(BASE + d * DAY)),
        fc.integer({ min: -1000, max: 100 }).map((h) => B.dt(BASE + h * HOUR + 1234)),
        fc.constantFrom(B.attr("signup"), B.attr("birthday"), B.member(B.trig("back_in_stock"), "ts")),
      );
      break;
    case "dur":
      out.push(fc.constantFrom(0, HOUR, DAY, 30 * DAY).map((ms) => B.dur(ms)));
      break;
    case "strlist":
      out.push(fc.constant(B.attr("tags")), fc.array(fc.oneof(fc.constantFrom(...CITIES).map(B.str), fc.constant(B.nul())), { maxLength: 4 }).map((xs) => B.list(...xs)));
      break;
  }
  return out;
}

// ───────────────────────── customer generators ─────────────────────────

/**
 * Customer attributes of the test schema as a data file holds them, the nullable ones often null
 * (no `tags`: a file cannot hold a list), with `city` drawn from `cities`.
 */
export const fileAttrsArb = (cities: readonly string[]) =>
  fc.record({
    age: fc.option(fc.integer({ min: 0, max: 45 }), { nil: null }),
    score: fc.constantFrom(0, 1.5, 30, -2),
    city: fc.option(fc.constantFrom(...cities), { nil: null }),
    plan: fc.constantFrom("free", "pro"),
    consent_email: fc.option(fc.boolean(), { nil: null }),
    signup: fc.option(fc.integer({ min: -2000, max: 50 }).map((h) => BASE + h * HOUR), { nil: null }),
    birthday: fc.option(fc.integer({ min: -40, max: 3 }).map((d) => BASE + d * DAY), { nil: null }),
  });

const nullish = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | null | undefined> => fc.oneof(a, fc.constant(null), fc.constant(undefined));

const eventArb: fc.Arbitrary<EventRecord> = fc
  .tuple(fc.constantFrom(...EVENTS, "back_in_stock"), fc.integer({ min: -60 * 24, max: 48 }), nullish(fc.constantFrom(0, 5, 20.5, 150, -3)), nullish(fc.constantFrom(...CITIES)))
  .map(([name, h, n, s]) => {
    const props: Record<string, Value> = {};
    if (name === "order_placed") {
      if (n !== undefined) props.amount = n;
      if (s !== undefined) props.category = s;
    } else if (n !== undefined || s !== undefined) {
      props.path = s ?? null;
      props.product_id = n === null ? null : "p1";
    }
    return { name, ts: BASE + h * HOUR, props };
  });

/** A random environment: customer attributes (often null or missing), sorted events, clock and state. */
export const envArb: fc.Arbitrary<EvalEnv> = fc
  .record({
    age: nullish(fc.integer({ min: 0, max: 45 })),
    score: fc.constantFrom(0, 1.5, 30, -2),
    city: nullish(fc.constantFrom(...CITIES)),
    plan: fc.constantFrom("free", "pro"),
    consent_email: nullish(fc.boolean()),
    signup: nullish(fc.integer({ min: -2000, max: 50 }).map((h) => BASE + h * HOUR)),
    birthday: nullish(fc.integer({ min: -40, max: 3 }).map((d) => BASE + d * DAY)),
    tags: nullish(fc.array(fc.constantFrom(...CITIES), { maxLength: 3 })),
  })
  .chain((attrs) =>
    fc.record({
      now: fc.tuple(fc.integer({ min: -48, max: 24 }), fc.constantFrom(0, 0, 1, -1)).map(([h, ms]) => BASE + h * HOUR + ms),
      events: fc.array(eventArb, { maxLength: 12 }).map((es) => es.sort((a, b) => a.ts - b.ts)),
      rfm: fc.option(fc.tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 })).map(([r, f, m]) => ({ r, f, m, cell: `${r}${f}${m}` })), { nil: null }),
      trigger: fc.option(fc.constantFrom("p1", "p2").map((p) => ({ name: "back_in_stock", ts: BASE - HOUR, props: { product_id: p } as Record<string, Value> })), { nil: undefined }),
      previous: fc.option(fc.record({ delivered: fc.boolean(), opened: fc.boolean(), clicked: fc.boolean() }), { nil: undefined }),
      inCadence: fc.option(fc.boolean(), { nil: undefined }),
    }).map((rest) => {
      const customer: Record<string, Value> = { customer_id: "c1" };
      for (const [k, v] of Object.entries(attrs)) if (v !== undefined) customer[k] = v as Value;
      const env: EvalEnv = { now: rest.now, customer, events: rest.events, rfm: rest.rfm };
      if (rest.trigger) env.trigger = rest.trigger;
      if (rest.previous) env.previous = rest.previous;
      if (rest.inCadence !== undefined) env.inCadence = rest.inCadence;
      return env;
    }),
  );

// ───────────────────── environments for any workspace ─────────────────────

const STRINGS = ["", "a", "London", "p1", "shoes"];

/** A random value of a schema type (null only when the type is nullable). */
function valueOf(t: Type): fc.Arbitrary<Value> {
  let a: fc.Arbitrary<Value>;
  switch (t.base) {
    case "number":
      a = fc.oneof(fc.integer({ min: -5, max: 500 }), fc.constantFrom(0, 0.5, 99.99));
      break;
    case "bool":
      a = fc.boolean();
      break;
    case "date":
      a = fc.integer({ min: -800, max: 60 }).map((d) => BASE + d * DAY);
      break;
    case "datetime":
      a = fc.integer({ min: -800 * 24, max: 60 * 24 }).map((h) => BASE + h * HOUR + 17);
      break;
    case "duration":
      a = fc.integer({ min: 0, max: 60 }).map((d) => d * DAY);
      break;
    case "list":
      a = fc.array(fc.constantFrom(...STRINGS), { maxLength: 3 });
      break;
    default:
      a = fc.constantFrom(...STRINGS);
  }
  return t.nullable ? fc.oneof(a, fc.constant(null)) : a;
}

/**
 * Random environments for a workspace's own schema: attributes by their types
 * (nullable ones often null), events of the schema's event types with typed
 * props over the last 120 days, RFM, a trigger of a random event type,
 * cadence state.
 */
export function schemaEnvArb(ws: Workspace): fc.Arbitrary<EvalEnv> {
  const attrs: Record<string, fc.Arbitrary<Value>> = {};
  for (const [name, d] of ws.schema.customer) attrs[name] = valueOf(d.type);
  const defs = [...ws.schema.events.values()];
  const eventOf = (d: EventDef, tsArb: fc.Arbitrary<number>): fc.Arbitrary<EventRecord> => {
    const props: Record<string, fc.Arbitrary<Value>> = {};
    for (const [p, pd] of d.props) props[p] = valueOf(pd.type);
    return fc.tuple(tsArb, fc.record(props)).map(([ts, ps]) => ({ name: d.name, ts, props: ps }));
  };
  const ts = fc.integer({ min: -120 * 24, max: 12 }).map((h) => BASE + h * HOUR);
  const event = fc.constantFrom(...defs).chain((d) => eventOf(d, ts));
  return fc.record({
    customer: fc.record(attrs),
    events: fc.array(event, { maxLength: 15 }).map((es) => es.sort((a, b) => a.ts - b.ts)),
    rfm: fc.option(fc.tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 })).map(([r, f, m]) => ({ r, f, m, cell: `${r}${f}${m}` })), { nil: null }),
    trigger: fc.option(fc.constantFrom(...defs).chain((d) => eventOf(d, fc.constant(BASE - HOUR))), { nil: undefined }),
    previous: fc.option(fc.record({ delivered: fc.boolean(), opened: fc.boolean(), clicked: fc.boolean() }), { nil: undefined }),
    inCadence: fc.option(fc.boolean(), { nil: undefined }),
  }).map((r) => {
    const env: EvalEnv = { now: BASE, customer: { customer_id: "c1", ...r.customer }, events: r.events, rfm: r.rfm };
    if (r.trigger) env.trigger = r.trigger;
    if (r.previous) env.previous = r.previous;
    if (r.inCadence !== undefined) env.inCadence = r.inCadence;
    return env;
  });
}
