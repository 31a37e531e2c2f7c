/**
 * A deliberately small expression parser and evaluator for the engine's
 * scenario table, so the runtime can be tested on its own while the real
 * front end (language/index.ts) and evaluator are written in parallel. It
 * builds the real AST (language/ast.ts) for the subset scenarios use:
 * names, literals, == != < <= > >=, and/or/not, `count(E [within D])`,
 * `E within D`, `in_cadence()`, `delivered|opened|clicked(previous)`,
 * `last(E).ts`, `days_since(X)`, `hours_since(X)`, and the `where` of an exit
 * (names there read the exit event's props first).
 */
import type { Expr, Span } from "../../../language/ast.ts";
import type { EvalEnv, EventRecord, Value } from "../../../language/values.ts";

const span: Span = { file: "scenario", start: 0, end: 0, line: 1, col: 1, endLine: 1, endCol: 1 };
const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Milliseconds of `15m`, `1d`, … */
export function durationMs(raw: string): number {
  const m = /^(\d+)([smhdw])$/.exec(raw.trim());
  if (!m) throw new Error(`bad duration ${raw}`);
  return Number(m[1]) * UNITS[m[2]!]!;
}

/** Parses the scenario subset into the real AST. */
export function parseMini(text: string): Expr {
  const toks = text.match(/\d+[smhdw]\b|\d+(?:\.\d+)?|"[^"]*"|==|!=|<=|>=|[<>().]|[A-Za-z_][A-Za-z0-9_]*/g) ?? [];
  let i = 0;
  const peek = () => toks[i];
  const eat = (t?: string) => {
    const x = toks[i++];
    if (t !== undefined && x !== t) throw new Error(`expected ${t} in ${text}`);
    return x!;
  };
  const or = (): Expr => {
    let l = and();
    while (peek() === "or") { eat(); l = { kind: "binary", op: "or", left: l, right: and(), span }; }
    return l;
  };
  const and = (): Expr => {
    let l = not();
    while (peek() === "and") { eat(); l = { kind: "binary", op: "and", left: l, right: not(), span }; }
    return l;
  };
  const not = (): Expr => (peek() === "not" ? (eat(), { kind: "unary", op: "not", operand: not(), span }) : cmp());
  const cmp = (): Expr => {
    const l = primary();
    const op = peek();
    if (op === "==" || op === "!=" || op === "<" || op === "<=" || op === ">" || op === ">=") {
      eat();
      return { kind: "binary", op, left: l, right: primary(), span };
    }
    return l;
  };
  const within = () => {
    if (peek() !== "within") return undefined;
    eat();
    const raw = eat();
    return { kind: "duration" as const, ms: durationMs(raw), raw, span };
  };
  const primary = (): Expr => {
    let e = atom();
    while (peek() === ".") { eat("."); const prop = eat(); e = { kind: "member", object: e, prop, propSpan: span, span }; }
    return e;
  };
  const atom = (): Expr => {
    const t = eat();
    if (t === "(") { const e = or(); eat(")"); return e; }
    if (/^\d/.test(t)) return { kind: "number", value: Number(t), raw: t, span };
    if (t.startsWith('"')) return { kind: "string", value: t.slice(1, -1), raw: t, span };
    if (t === "true" || t === "false") return { kind: "bool", value: t === "true", span };
    if (t === "null") return { kind: "null", span };
    if (peek() === "(") {
      eat("(");
      if (t === "last") {
        const ev = eat();
        eat(")");
        return { kind: "agg", fn: "last", fnSpan: span, event: ev, eventSpan: span, span };
      }
      if (t === "days_since" || t === "hours_since") {
        const arg = or();
        eat(")");
        return { kind: "call", fn: t, fnSpan: span, args: [arg], span };
      }
      if (t === "count") {
        const ev = eat();
        const w = within();
        eat(")");
        return { kind: "agg", fn: "count", fnSpan: span, event: ev, eventSpan: span, ...(w ? { within: w } : {}), span };
      }
      const args: Expr[] = [];
      if (peek() !== ")") args.push({ kind: "name", name: eat(), ref: { kind: "previous" }, span });
      eat(")");
      return { kind: "call", fn: t, fnSpan: span, args, span };
    }
    if (peek() === "within") return { kind: "exists", event: t, eventSpan: span, within: within()!, span };
    return { kind: "name", name: t, span };
  };
  const e = or();
  if (i !== toks.length) throw new Error(`trailing tokens in ${text}`);
  return e;
}

/** Evaluates the subset; names are attributes, or segments when `segments` knows them, or events ("has happened"). */
export function miniCompile(segments: Map<string, Expr>, events: Set<string>) {
  // `w`: the events of enclosing `where` clauses, innermost last (an exit's where is one).
  const ev = (e: Expr, env: EvalEnv, w: EventRecord[] = []): Value => {
    switch (e.kind) {
      case "number": case "string": case "bool": return e.value;
      case "null": return null;
      case "name": {
        const seg = segments.get(e.name);
        if (seg) return ev(seg, env) === true;
        if (events.has(e.name)) return env.events.some((x) => x.name === e.name && x.ts <= env.now);
        for (let i = w.length - 1; i >= 0; i--) if (e.name in w[i]!.props) return w[i]!.props[e.name]!;
        if (env.trigger && e.name in env.trigger.props) return env.trigger.props[e.name]!;
        return env.customer[e.name] ?? null;
      }
      case "unary": return !(ev(e.operand, env, w) === true);
      case "binary": {
        if (e.op === "and") return ev(e.left, env, w) === true && ev(e.right, env, w) === true;
        if (e.op === "or") return ev(e.left, env, w) === true || ev(e.right, env, w) === true;
        const a = ev(e.left, env, w), b = ev(e.right, env, w);
        if (e.op === "==") return a === b;
        if (e.op === "!=") return a !== b;
        if (a === null || b === null) return false;
        if (e.op === "<") return (a as number) < (b as number);
        if (e.op === "<=") return (a as number) <= (b as number);
        if (e.op === ">") return (a as number) > (b as number);
        if (e.op === ">=") return (a as number) >= (b as number);
        return null;
      }
      case "agg": case "exists": {
        const lo = e.within ? env.now - e.within.ms : -Infinity;
        const where = e.where;
        const hits = env.events.filter((x) => x.name === e.event && x.ts > lo && x.ts <= env.now && (!where || ev(where, env, [...w, x]) === true));
        if (e.kind === "agg" && e.fn === "last") return hits[hits.length - 1] ?? null;
        return e.kind === "agg" ? hits.length : hits.length > 0;
      }
      case "member": {
        const o = ev(e.object, env, w) as EventRecord | null;
        return o === null ? null : e.prop === "ts" ? o.ts : (o.props[e.prop] ?? null);
      }
      case "call": {
        if (e.fn === "days_since" || e.fn === "hours_since") {
          const t = ev(e.args[0]!, env, w);
          return t === null ? null : Math.floor((env.now - (t as number)) / (e.fn === "days_since" ? 86_400_000 : 3_600_000));
        }
        if (e.fn === "in_cadence") return env.inCadence === true;
        const p = env.previous;
        if (e.fn === "delivered") return p?.delivered ?? false;
        if (e.fn === "opened") return p?.opened ?? false;
        if (e.fn === "clicked") return p?.clicked ?? false;
        throw new Error(`mini: ${e.fn}`);
      }
      default: throw new Error(`mini: ${e.kind}`);
    }
  };
  return (e: Expr) => (env: EvalEnv) => ev(e, env);
}
