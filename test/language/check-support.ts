/**
 * Test support for the checker: builds a Workspace AST from a compact spec,
 * with a small expression parser of its own so checker tests do not depend on
 * the YAML front end. Every expression is written into one synthetic file
 * (`ws.yaml`, one `key: text` line each) so spans, carets and rendering are real.
 */
import { checkWorkspace } from "../../language/check.ts";
import type { AttributeDef, Cap, EventDef, Expr, Rule, Span, Step, Trigger, Type, Workspace } from "../../language/ast.ts";

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const AGG = new Set(["count", "sum", "avg", "min", "max", "first", "last"]);
const KEYWORDS = new Set(["and", "or", "not", "in", "between", "true", "false", "null", "where", "within"]);

interface Tok { kind: "num" | "dur" | "pct" | "date" | "str" | "id" | "op"; text: string; start: number; end: number }

function lex(text: string): Tok[] {
  const re = /\s*(?:(\d{4}-\d{2}-\d{2}(?:T[\d:]+Z?)?)|(\d+(?:\.\d+)?)(%|[smhdw]\b)?|("[^"]*")|([A-Za-z_][A-Za-z0-9_]*)|(==|!=|<=|>=|\?\?|[<>+\-*/()[\],.]))/y;
  const toks: Tok[] = [];
  let m: RegExpExecArray | null;
  re.lastIndex = 0;
  while (re.lastIndex < text.length && (m = re.exec(text))) {
    const whole = m[0];
    const start = m.index + whole.length - whole.trimStart().length;
    const end = m.index + whole.length;
    const t = whole.trim();
    if (m[1]) toks.push({ kind: "date", text: t, start, end });
    else if (m[2]) toks.push({ kind: m[3] === "%" ? "pct" : m[3] ? "dur" : "num", text: t, start, end });
    else if (m[4]) toks.push({ kind: "str", text: t, start, end });
    else if (m[5]) toks.push({ kind: "id", text: t, start, end });
    else if (t) toks.push({ kind: "op", text: t, start, end });
  }
  return toks;
}

/** A parser of one expression placed at `base` (offset, line, col) in `file`. */
class P {
  private i = 0;
  private readonly toks: Tok[];
  constructor(private readonly text: string, private readonly file: string, private readonly base: { off: number; line: number; col: number }) {
    this.toks = lex(text);
  }
  span(s: number, e: number): Span {
    const b = this.base;
    return { file: this.file, start: b.off + s, end: b.off + e, line: b.line, col: b.col + s, endLine: b.line, endCol: b.col + e };
  }
  private peek(t?: string): Tok | undefined {
    const k = this.toks[this.i];
    return t === undefined || k?.text === t ? k : undefined;
  }
  private next(): Tok {
    const k = this.toks[this.i++];
    if (!k) throw new Error(`unexpected end of ${this.text}`);
    return k;
  }
  private eat(t: string): Tok {
    const k = this.next();
    if (k.text !== t) throw new Error(`expected ${t} in ${this.text}`);
    return k;
  }
  private sp(e: Expr): number {
    return e.span.start - this.base.off;
  }
  private end(e: Expr): number {
    return e.span.end - this.base.off;
  }
  parse(): Expr {
    const e = this.or();
    if (this.i !== this.toks.length) throw new Error(`trailing input in ${this.text}`);
    return e;
  }
  private bin(op: string, l: Expr, r: Expr): Expr {
    return { kind: "binary", op: op as "and", left: l, right: r, span: this.span(this.sp(l), this.end(r)) };
  }
  or(): Expr {
    let l = this.and();
    while (this.peek("or")) (this.next(), (l = this.bin("or", l, this.and())));
    return l;
  }
  private and(): Expr {
    let l = this.not();
    while (this.peek("and")) (this.next(), (l = this.bin("and", l, this.not())));
    return l;
  }
  private not(): Expr {
    const k = this.peek("not");
    if (k) {
      this.next();
      const o = this.not();
      return { kind: "unary", op: "not", operand: o, span: this.span(k.start, this.end(o)) };
    }
    return this.compare();
  }
  private compare(): Expr {
    const l = this.sum();
    const k = this.peek();
    if (k && ["==", "!=", "<", "<=", ">", ">="].includes(k.text)) return (this.next(), this.bin(k.text, l, this.sum()));
    if (k && (k.text === "in" || (k.text === "not" && this.toks[this.i + 1]?.text === "in"))) {
      const negated = k.text === "not";
      this.next();
      if (negated) this.next();
      const r = this.postfix();
      return { kind: "in", negated, left: l, right: r, span: this.span(this.sp(l), this.end(r)) };
    }
    if (k?.text === "between") {
      this.next();
      const low = this.sum();
      this.eat("and");
      const high = this.sum();
      return { kind: "between", value: l, low, high, span: this.span(this.sp(l), this.end(high)) };
    }
    return l;
  }
  private sum(): Expr {
    let l = this.product();
    while (this.peek("+") || this.peek("-")) l = this.bin(this.next().text, l, this.product());
    return l;
  }
  private product(): Expr {
    let l = this.unary();
    while (this.peek("*") || this.peek("/")) l = this.bin(this.next().text, l, this.unary());
    return l;
  }
  private unary(): Expr {
    const k = this.peek("-");
    if (k) {
      this.next();
      const o = this.unary();
      return { kind: "unary", op: "-", operand: o, span: this.span(k.start, this.end(o)) };
    }
    let l = this.postfix();
    while (this.peek("??")) (this.next(), (l = this.bin("??", l, this.postfix())));
    return l;
  }
  private postfix(): Expr {
    let e = this.primary();
    while (this.peek(".")) {
      this.next();
      const p = this.next();
      e = { kind: "member", object: e, prop: p.text, propSpan: this.span(p.start, p.end), span: this.span(this.sp(e), p.end) };
    }
    return e;
  }
  private qualifiers(): { where?: Expr; within?: Extract<Expr, { kind: "duration" }> } {
    const q: { where?: Expr; within?: Extract<Expr, { kind: "duration" }> } = {};
    if (this.peek("where")) (this.next(), (q.where = this.or()));
    if (this.peek("within")) {
      this.next();
      q.within = this.primary() as Extract<Expr, { kind: "duration" }>;
    }
    return q;
  }
  private primary(): Expr {
    const k = this.next();
    const span = this.span(k.start, k.end);
    switch (k.kind) {
      case "num":
        return { kind: "number", value: Number(k.text), raw: k.text, span };
      case "pct":
        return { kind: "percent", value: Number(k.text.slice(0, -1)) / 100, raw: k.text, span };
      case "dur":
        return { kind: "duration", ms: Number(k.text.slice(0, -1)) * UNITS[k.text.slice(-1)]!, raw: k.text, span };
      case "date":
        return k.text.includes("T") ? { kind: "datetime", ms: Date.parse(k.text), raw: k.text, span } : { kind: "date", ms: Date.parse(k.text), raw: k.text, span };
      case "str":
        return { kind: "string", value: k.text.slice(1, -1), raw: k.text, span };
      default:
        break;
    }
    if (k.text === "(") {
      const e = this.or();
      this.eat(")");
      return e;
    }
    if (k.text === "[") {
      const items: Expr[] = [];
      while (!this.peek("]")) {
        items.push(this.or());
        if (this.peek(",")) this.next();
      }
      const close = this.next();
      return { kind: "list", items, span: this.span(k.start, close.end) };
    }
    if (k.text === "true" || k.text === "false") return { kind: "bool", value: k.text === "true", span };
    if (k.text === "null") return { kind: "null", span };
    if (k.kind !== "id" || KEYWORDS.has(k.text)) throw new Error(`unexpected ${k.text} in ${this.text}`);
    if (this.peek("(")) {
      this.next();
      if (AGG.has(k.text)) {
        const ev = this.next();
        let prop: Tok | undefined;
        if (this.peek(".")) (this.next(), (prop = this.next()));
        const q = this.qualifiers();
        const close = this.eat(")");
        return {
          kind: "agg", fn: k.text as "count", fnSpan: span, event: ev.text, eventSpan: this.span(ev.start, ev.end),
          ...(prop ? { prop: prop.text, propSpan: this.span(prop.start, prop.end) } : {}), ...q, span: this.span(k.start, close.end),
        };
      }
      const args: Expr[] = [];
      while (!this.peek(")")) {
        args.push(this.or());
        if (this.peek(",")) this.next();
      }
      const close = this.next();
      return { kind: "call", fn: k.text, fnSpan: span, args, span: this.span(k.start, close.end) };
    }
    if (this.peek("where") || this.peek("within")) {
      const q = this.qualifiers();
      const last = this.toks[this.i - 1]!;
      return { kind: "exists", event: k.text, eventSpan: span, ...q, span: this.span(k.start, last.end) };
    }
    return { kind: "name", name: k.text, span };
  }
}

export type StepSpec = { after?: string; if?: string; unless?: string; channel: string | string[]; template?: string };
export type RuleSpec = { on: string; who?: string; unless?: string; priority?: number; holdout?: number; queue?: string; expires?: string; exit?: string[]; steps?: StepSpec[]; send?: StepSpec };

/** A compact description of a workspace. */
export interface Spec {
  customer?: Record<string, string>;
  events?: Record<string, Record<string, string>>;
  segments?: Record<string, string>;
  channels?: Record<string, { requires?: string }>;
  templates?: Record<string, string[]>;
  caps?: string[];
  suppress?: string;
  defaults?: { holdout?: number; globalHoldout?: number; goal?: string; expires?: string };
  rfm?: { event: string; value: string };
  rules?: Record<string, RuleSpec>;
}

function parseType(s: string): Type {
  const nullable = s.endsWith("?");
  const b = nullable ? s.slice(0, -1) : s;
  if (b.startsWith("[")) return { base: "list", nullable, elem: parseType(b.slice(1, -1)) };
  return { base: b as Type["base"], nullable };
}

/** Builds a workspace from `spec`; every name and expression gets a real span in `ws.yaml`. */
export function buildWorkspace(spec: Spec): Workspace {
  const lines: string[] = [];
  let off = 0;
  const FILE = "ws.yaml";
  /** Appends a line `key: text` and returns the base of `text`. */
  const place = (key: string, text: string) => {
    const prefix = `${key}: `;
    const base = { off: off + prefix.length, line: lines.length + 1, col: prefix.length + 1 };
    lines.push(prefix + text);
    off += prefix.length + text.length + 1;
    return base;
  };
  const nameSpan = (key: string, text: string): Span => {
    const b = place(key, text);
    return { file: FILE, start: b.off, end: b.off + text.length, line: b.line, col: b.col, endLine: b.line, endCol: b.col + text.length };
  };
  const expr = (key: string, text: string): Expr => {
    const b = place(key, text);
    return new P(text, FILE, b).parse();
  };
  const dur = (raw: string, span: Span) => ({ kind: "duration" as const, ms: Number(raw.slice(0, -1)) * UNITS[raw.slice(-1)]!, raw, span });

  const customer = new Map<string, AttributeDef>();
  for (const [n, t] of Object.entries(spec.customer ?? {})) customer.set(n, { name: n, type: parseType(t), span: nameSpan(`attr`, n) });
  const events = new Map<string, EventDef>();
  for (const [n, props] of Object.entries(spec.events ?? {})) {
    const span = nameSpan("event", n);
    const pm = new Map<string, AttributeDef>();
    for (const [p, t] of Object.entries(props)) pm.set(p, { name: p, type: parseType(t), span });
    events.set(n, { name: n, props: pm, span, builtin: false });
  }
  const segments = new Map(Object.entries(spec.segments ?? {}).map(([n, e]) => [n, { name: n, span: nameSpan("segment", n), expr: expr(n, e) }]));
  const channels = new Map(Object.entries(spec.channels ?? {}).map(([n, c]) => [n, { name: n, span: nameSpan("channel", n), cost: 0, ...(c.requires ? { requires: expr("requires", c.requires) } : {}) }]));
  const templates = new Map(Object.entries(spec.templates ?? {}).map(([n, fs]) => [n, { name: n, span: nameSpan("template", n), fields: fs.map((f) => ({ name: f, span: nameSpan("field", f) })) }]));
  const caps: Cap[] = (spec.caps ?? []).map((text) => {
    const span = nameSpan("cap", text);
    let m = /^(?:(\w+): )?max (\d+) per (\w+)$/.exec(text);
    if (m) {
      const scope = !m[1] ? { kind: "all" as const } : m[1] === "topic" || m[1] === "rule" ? { kind: m[1] as "topic" | "rule" } : { kind: "channel" as const, channel: m[1], span };
      return { kind: "max", span, scope, count: Number(m[2]), per: dur(m[3]!, span) };
    }
    m = /^gap (\w+)/.exec(text);
    if (m) return { kind: "gap", span, duration: dur(m[1]!, span) };
    m = /^pause (\w+) after (\w+)$/.exec(text)!;
    return { kind: "pause", span, duration: dur(m[1]!, span), event: m[2]!, eventSpan: span };
  });
  const trigger = (text: string): Trigger => {
    const span = nameSpan("on", text);
    const sub = (s: string): Span => {
      const i = text.indexOf(s);
      return { ...span, start: span.start + i, end: span.start + i + s.length, col: span.col + i, endCol: span.col + i + s.length };
    };
    const whereOf = (w: string | undefined): Expr | undefined => {
      if (!w) return undefined;
      const i = text.indexOf(w);
      return new P(w, FILE, { off: span.start + i, line: span.line, col: span.col + i }).parse();
    };
    let m = /^(\w+) (after|before) (\w+)(?: where (.*))?$/.exec(text);
    if (m && m[2] === "after") return { kind: "after", span, delay: dur(m[1]!, span), event: m[3]!, eventSpan: sub(m[3]!), ...(m[4] ? { where: whereOf(m[4])! } : {}) };
    if (m) return { kind: "before", span, lead: dur(m[1]!, span), attribute: m[3]!, attributeSpan: sub(m[3]!) };
    if ((m = /^anniversary of (\w+)$/.exec(text))) return { kind: "anniversary", span, attribute: m[1]!, attributeSpan: sub(m[1]!) };
    if ((m = /^no (\w+) for (\w+)$/.exec(text))) return { kind: "inactivity", span, event: m[1]!, eventSpan: sub(m[1]!), duration: dur(m[2]!, span) };
    if ((m = /^(enter|leave) (\w+)$/.exec(text))) return { kind: m[1] as "enter", span, segment: m[2]!, segmentSpan: sub(m[2]!) };
    if ((m = /^every (\w+) at (\d\d):(\d\d)$/.exec(text))) return { kind: "every", span, day: m[1] as "day", time: `${m[2]}:${m[3]}`, minuteOfDay: Number(m[2]) * 60 + Number(m[3]) };
    m = /^(\w+)(?: where (.*))?$/.exec(text)!;
    return { kind: "event", span, event: m[1]!, eventSpan: sub(m[1]!), ...(m[2] ? { where: whereOf(m[2])! } : {}) };
  };
  const rules = new Map<string, Rule>();
  for (const [id, r] of Object.entries(spec.rules ?? {})) {
    const span = nameSpan("rule", id);
    const on = trigger(r.on);
    const fieldSpans: Record<string, Span> = {};
    if (r.priority !== undefined) fieldSpans.priority = nameSpan("priority", String(r.priority));
    if (r.holdout !== undefined) fieldSpans.holdout = nameSpan("holdout", String(r.holdout));
    const who = r.who ? expr("who", r.who) : undefined;
    const unless = r.unless ? expr("unless", r.unless) : undefined;
    const stepSpecs = r.steps ?? (r.send ? [r.send] : []);
    const steps: Step[] = stepSpecs.map((s, i) => {
      const stepSpan = nameSpan("step", String(i + 1));
      const chans = Array.isArray(s.channel) ? s.channel : [s.channel];
      return {
        index: i + 1,
        span: stepSpan,
        after: s.after ? dur(s.after, nameSpan("after", s.after)) : null,
        ...(s.if ? { if: expr("if", s.if) } : {}),
        ...(s.unless ? { unless: expr("unless", s.unless) } : {}),
        channels: chans.map((c) => ({ name: c, span: nameSpan("channel", c) })),
        ...(s.template ? { template: { name: s.template, span: nameSpan("template", s.template) } } : {}),
        topic: id,
      };
    });
    rules.set(id, {
      id, span, on, ...(who ? { who } : {}), ...(unless ? { unless } : {}),
      priority: r.priority ?? 50, exclusive: true, queue: r.queue ? dur(r.queue, span).ms : 0, expires: r.expires ? dur(r.expires, span).ms : null,
      exit: r.exit ? r.exit.map((e) => ({ event: e, eventSpan: nameSpan("exit", e), span })) : null,
      holdout: r.holdout ?? null, salt: id, steps, isCadence: !!r.steps, fieldSpans,
    });
  }
  const dspans: Record<string, Span> = {};
  if (spec.defaults?.goal) dspans.goal = nameSpan("goal", spec.defaults.goal);
  const suppress = spec.suppress ? expr("suppress", spec.suppress) : undefined;
  const rfm = spec.rfm ? { span: nameSpan("rfm", spec.rfm.event), event: spec.rfm.event, value: spec.rfm.value, window: 365 * UNITS.d!, scores: 5 as const } : undefined;
  return {
    root: ".",
    files: [{ path: FILE, text: lines.join("\n") + "\n" }],
    schema: { customer, events },
    defaults: {
      timezone: "UTC", sendHours: null, holdout: spec.defaults?.holdout ?? 0.1, globalHoldout: spec.defaults?.globalHoldout ?? 0,
      attribution: 7 * UNITS.d!, goal: spec.defaults?.goal ?? null, exit: [], expires: spec.defaults?.expires ? Number(spec.defaults.expires.slice(0, -1)) * UNITS[spec.defaults.expires.slice(-1)]! : UNITS.d!, spans: dspans,
    },
    channels, caps, ...(suppress ? { suppress } : {}), ...(rfm ? { rfm } : {}), templates, segments, rules, alerts: {},
  };
}

/** A small shop: enough schema for every check. */
export const BASE: Spec = {
  customer: { first_name: "string?", email: "string?", city: "string?", birthday: "date?", registered_at: "datetime", consent_email: "bool", vip: "bool", tags: "[string]" },
  events: { order_placed: { order_id: "string", amount: "number" }, back_in_stock: { product_id: "string" }, product_viewed: { product_id: "string", category: "string" }, app_open: {} },
  channels: { email: { requires: "consent_email and email != null" } },
  templates: { plain: [] },
  defaults: { goal: "order_placed" },
  rfm: { event: "order_placed", value: "amount" },
};

/** Checks BASE extended with `extra` (sections merged shallowly) and returns the codes found. */
export function check(extra: Spec) {
  const spec: Spec = { ...BASE };
  for (const [k, v] of Object.entries(extra)) (spec as Record<string, unknown>)[k] = typeof v === "object" && !Array.isArray(v) ? { ...((BASE as Record<string, unknown>)[k] as object), ...v } : v;
  const ws = buildWorkspace(spec);
  const diags = checkWorkspace(ws);
  return { ws, diags, codes: diags.map((d) => d.code) };
}

