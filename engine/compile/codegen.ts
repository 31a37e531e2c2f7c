/**
 * JavaScript source generation for expressions: one generator shared by the
 * per-customer closures (`compileExpr`, reading an `EvalEnv`) and the bulk row
 * predicates (`compileRowPredicate`, reading one flat row object).
 *
 * Why generate source rather than nest closures: the generated function is one
 * straight-line expression over locals, which V8 optimizes like a hand-written
 * predicate — no tree walk, no per-evaluation allocation. Constants (lists,
 * sets, keys) are hoisted into the factory; temporaries are `let` locals.
 * Every construct mirrors language/evaluator.ts exactly (the property test in
 * test/engine/compile.test.ts holds them equal).
 */
import type { AggExpr, Expr, ExistsExpr, NameRef, Workspace } from "../../language/ast.ts";
import { DAY_MS, HOUR_MS } from "../../language/evaluator.ts";
import { nativeOrderSafe } from "../../language/text.ts";
import { featureKeyOf } from "./feature-key.ts";

/** How names, aggregates and the clock are read: from an `EvalEnv` or from a row. */
export type Mode =
  | { kind: "env" }
  | { kind: "row"; columnOf: (key: string) => string | undefined };

/** A where-scope entry: the event name under scan and the JS local holding it. */
interface WhereVar {
  event: string;
  v: string;
}

/** One generated JS function's temporaries. */
class Fn {
  temps = 0;
  temp(): string {
    return `t${this.temps++}`;
  }
  decl(): string {
    return this.temps ? `let ${Array.from({ length: this.temps }, (_, i) => `t${i}`).join(", ")};\n` : "";
  }
}

/**
 * `o[k]` in generated code. A name that `Object.prototype` also has
 * (`constructor`, `toString`, `__proto__`, …) is read only as an own
 * property, so a missing attribute, prop, segment memo or feature reads
 * `undefined` and not the prototype's function: such names work like any
 * other (issue 14). Other names read directly (no cost).
 */
function at(o: string, k: string): string {
  const key = JSON.stringify(k);
  return k in Object.prototype ? `(Object.hasOwn(${o}, ${key}) ? ${o}[${key}] : undefined)` : `${o}[${key}]`;
}

/** `o[k] = v` in generated code; `__proto__` as a data property (assigning it would set the prototype). */
function put(o: string, k: string, v: string): string {
  const key = JSON.stringify(k);
  return k === "__proto__" ? `Object.defineProperty(${o}, ${key}, { value: ${v}, writable: true, enumerable: true, configurable: true })` : `${o}[${key}] = ${v}`;
}

const COMPARE = new Set(["==", "!=", "<", "<=", ">", ">="]);
const ARITH = new Set(["+", "-", "*", "/"]);
const LITERAL = new Set(["number", "percent", "string", "bool", "duration", "date", "datetime"]);
const lit = (e: Expr): boolean => LITERAL.has(e.kind);

/**
 * JS for `a op b` (`<`, `<=`, `>`, `>=`) in code point order (language/text.ts):
 * JS's own operator where it already is that order (numbers, times, or a
 * string literal with no unit at or above U+D800 on one side), else
 * `compareText` for strings and `lessOp` where the type is not known.
 */
function ordered(op: string, a: string, b: string, l: Expr, r: Expr): string {
  const notText = (x: Expr) => (lit(x) && x.kind !== "string") || (x.type !== undefined && x.type.base !== "string" && x.type.base !== "error");
  const safe = (x: Expr) => x.kind === "string" && nativeOrderSafe(x.value);
  if (notText(l) || notText(r) || safe(l) || safe(r)) return `${a} ${op} ${b}`;
  if (l.kind === "string" || r.kind === "string" || l.type?.base === "string" || r.type?.base === "string") return `compareText(${a}, ${b}) ${op} 0`;
  return `lessOp(${JSON.stringify(op)}, ${a}, ${b})`;
}

/** Does the subtree read the trigger event? (Then a precomputed feature cannot stand for it.) */
function readsTrigger(e: Expr): boolean {
  let found = false;
  const visit = (x: Expr | undefined): void => {
    if (!x || found) return;
    if (x.kind === "name" && (x.ref?.kind === "trigger_event" || (x.ref?.kind === "prop" && x.ref.scope === "trigger"))) found = true;
    for (const c of children(x)) visit(c);
  };
  visit(e);
  return found;
}

function children(e: Expr): Expr[] {
  switch (e.kind) {
    case "list":
      return e.items;
    case "member":
      return [e.object];
    case "call":
      return e.args;
    case "agg":
    case "exists":
      return e.where ? [e.where] : [];
    case "unary":
      return [e.operand];
    case "binary":
    case "in":
      return [e.left, e.right];
    case "between":
      return [e.value, e.low, e.high];
    default:
      return [];
  }
}

/** Generates the source of a factory `(K) => function`; `K` holds hoisted constants. */
export class CodeGen {
  readonly consts: unknown[] = [];
  /** Extra function declarations (aggregates, segments) emitted before the main function. */
  readonly decls: string[] = [];
  private readonly segFns = new Map<string, string>();
  private aggCount = 0;
  private featureCount = 0;
  private readonly inlining = new Set<string>();

  constructor(
    private readonly ws: Workspace,
    private readonly mode: Mode,
  ) {}

  /** A hoisted constant's local name. */
  konst(value: unknown): string {
    this.consts.push(value);
    return `k${this.consts.length - 1}`;
  }

  /** The factory body: constants, helper declarations and `return <main>`. */
  factory(main: string): string {
    const ks = this.consts.map((_, i) => `const k${i} = K[${i}];`).join("\n");
    return indent(`"use strict";\n${ks}\nconst { valueEquals, listHas, memberOf, compareText, lessOp, lowerText } = H;\n${this.decls.join("\n")}\nreturn ${main};`);
  }

  private now(): string {
    return this.mode.kind === "env" ? "env.now" : "now";
  }

  /** JS code for `e` as a boolean in a condition (anything but `true` is false). */
  cond(e: Expr, f: Fn, w: WhereVar[]): string {
    const boolish =
      (e.kind === "binary" && (e.op === "and" || e.op === "or" || COMPARE.has(e.op))) ||
      (e.kind === "unary" && e.op === "not") ||
      e.kind === "in" || e.kind === "between" || e.kind === "exists" || e.kind === "bool" ||
      (e.kind === "name" && (e.ref?.kind === "segment" || e.ref?.kind === "event"));
    const code = this.expr(e, f, w);
    return boolish ? code : `(${code} === true)`;
  }

  /** JS code evaluating to the `Value` of `e`. */
  expr(e: Expr, f: Fn, w: WhereVar[]): string {
    switch (e.kind) {
      case "number":
      case "percent":
        return Object.is(e.value, -0) ? "(-0)" : e.value < 0 ? `(${e.value})` : String(e.value);
      case "string":
        return JSON.stringify(e.value);
      case "bool":
        return String(e.value);
      case "null":
        return "null";
      case "duration":
      case "date":
      case "datetime":
        return e.ms < 0 ? `(${e.ms})` : String(e.ms);
      case "list":
        if (e.items.every(lit)) return this.konst(Object.freeze(e.items.map((i) => literalValue(i))));
        return `[${e.items.map((i) => this.expr(i, f, w)).join(", ")}]`;
      case "name":
        return this.name(e.ref, e.name, f, w);
      case "member": {
        if (this.mode.kind === "row" && e.object.kind === "name" && e.object.ref?.kind === "rfm") {
          // Rows hold RFM scores as columns: `rfm.r` → columnOf("rfm.r") ?? "rfm_r".
          return `(${at("row", this.mode.columnOf(`rfm.${e.prop}`) ?? `rfm_${e.prop}`)} ?? null)`;
        }
        const t = f.temp();
        const o = this.expr(e.object, f, w);
        const p = JSON.stringify(e.prop);
        // Statically known records read their field directly; anything else goes through memberOf.
        const obj = e.object;
        if (obj.kind === "name" && obj.ref?.kind === "rfm") return `((${t} = ${o}) === null ? null : ${t}[${p}] ?? null)`;
        if (obj.kind === "agg" || (obj.kind === "name" && obj.ref?.kind === "trigger_event")) {
          return `((${t} = ${o}) === null ? null : ${e.prop === "ts" ? `${t}.ts` : `${at(`${t}.props`, e.prop)} ?? null`})`;
        }
        return `((${t} = ${o}) === null ? null : memberOf(${t}, ${p}))`;
      }
      case "call":
        return this.call(e.fn, e.args, f, w);
      case "agg":
      case "exists":
        return this.aggregate(e, w);
      case "unary": {
        if (e.op === "not") return `!${this.cond(e.operand, f, w)}`;
        const t = f.temp();
        return `((${t} = ${this.expr(e.operand, f, w)}) === null ? null : -${t})`;
      }
      case "binary":
        return this.binary(e, f, w);
      case "in":
        return this.inList(e, f, w);
      case "between": {
        const [v, lo, hi] = [f.temp(), f.temp(), f.temp()];
        return `((${v} = ${this.expr(e.value, f, w)}) !== null && (${lo} = ${this.expr(e.low, f, w)}) !== null && (${hi} = ${this.expr(e.high, f, w)}) !== null && ${ordered("<=", lo, v, e.low, e.value)} && ${ordered("<=", v, hi, e.value, e.high)})`;
      }
    }
  }

  private name(ref: NameRef | undefined, name: string, f: Fn, w: WhereVar[]): string {
    if (!ref) throw new Error(`compile: unresolved name "${name}" (run the checker first)`);
    const key = ref.kind === "prop" ? ref.prop : name;
    switch (ref.kind) {
      case "attribute":
        if (this.mode.kind === "row") return `(${at("row", this.mode.columnOf(name) ?? name)} ?? null)`;
        return `(${at("env.customer", key)} ?? null)`;
      case "segment":
        return this.segment(name, f, w);
      case "event":
        return this.aggregate({ kind: "exists", event: ref.name, eventSpan: undefined!, span: undefined! }, w, true);
      case "prop": {
        if (ref.scope === "trigger") {
          this.needEnv(name);
          return `(env.trigger === undefined ? null : ${at("env.trigger.props", key)} ?? null)`;
        }
        for (let i = w.length - 1; i >= 0; i--) if (w[i]!.event === ref.event) return `(${at(`${w[i]!.v}.props`, key)} ?? null)`;
        return "null";
      }
      case "trigger_event":
        this.needEnv(name);
        return "(env.trigger ?? null)";
      case "rfm":
        if (this.mode.kind === "row") throw new Error(`compile: rfm in a row predicate must be read as rfm.r, rfm.f, rfm.m or rfm.cell`);
        return "(env.rfm ?? null)";
      case "previous":
        return "null";
    }
  }

  private needEnv(what: string): void {
    if (this.mode.kind === "row") throw new Error(`compile: "${what}" cannot be read in a row predicate (it needs a trigger, events or cadence state)`);
  }

  private segment(name: string, f: Fn, w: WhereVar[]): string {
    const seg = this.ws.segments.get(name);
    if (!seg) throw new Error(`compile: unknown segment "${name}"`);
    if (this.mode.kind === "row") {
      // Rows carry no memo: the segment's condition is inlined (segments are acyclic after checking).
      if (this.inlining.has(name)) throw new Error(`compile: segment cycle through "${name}"`);
      this.inlining.add(name);
      const code = this.cond(seg.expr, f, []);
      this.inlining.delete(name);
      return code;
    }
    let fn = this.segFns.get(name);
    if (!fn) {
      fn = `seg${this.segFns.size}`;
      this.segFns.set(name, fn);
      const sf = new Fn();
      const body = this.cond(seg.expr, sf, []);
      this.decls.push(`function ${fn}(env) {\n${sf.decl()}const m = env.segments;\nlet c;\nif (m !== undefined && (c = ${at("m", name)}) !== undefined) return c;\nconst v = ${body};\nif (m !== undefined) ${put("m", name, "v")};\nreturn v;\n}`);
    }
    return `${fn}(env)`;
  }

  private call(fn: string, args: Expr[], f: Fn, w: WhereVar[]): string {
    switch (fn) {
      case "days_since":
      case "hours_since": {
        const t = f.temp();
        const unit = fn === "days_since" ? DAY_MS : HOUR_MS;
        return `((${t} = ${this.expr(args[0]!, f, w)}) === null ? null : Math.floor((${this.now()} - ${t}) / ${unit}))`;
      }
      case "lower": {
        const t = f.temp();
        return `((${t} = ${this.expr(args[0]!, f, w)}) === null ? null : lowerText(${t}))`;
      }
      case "delivered":
      case "opened":
      case "clicked":
        this.needEnv(`${fn}(previous)`);
        return `(env.previous === undefined ? false : env.previous.${fn})`;
      case "in_cadence":
        this.needEnv("in_cadence()");
        return "(env.inCadence ?? false)";
      default:
        throw new Error(`compile: unknown function ${fn}()`);
    }
  }

  private binary(e: Extract<Expr, { kind: "binary" }>, f: Fn, w: WhereVar[]): string {
    const { op, left: l, right: r } = e;
    if (op === "and" || op === "or") return `(${this.cond(l, f, w)} ${op === "and" ? "&&" : "||"} ${this.cond(r, f, w)})`;
    if (op === "??") {
      const t = f.temp();
      return `((${t} = ${this.expr(l, f, w)}) !== null ? ${t} : ${this.expr(r, f, w)})`;
    }
    if ((op === "==" || op === "!=") && (l.kind === "null" || r.kind === "null")) {
      const eq = op === "==" ? "===" : "!==";
      if (l.kind === "null" && r.kind === "null") return String(op === "==");
      return `(${this.expr(l.kind === "null" ? r : l, f, w)} ${eq} null)`;
    }
    if (op === "==" && lit(l) !== lit(r)) {
      // `x === 3` is already false for a null x: no guard, no temporary.
      const [x, k] = lit(l) ? [r, l] : [l, r];
      return `(${this.expr(x, f, w)} === ${this.expr(k, f, w)})`;
    }
    // Operands: literals are used in place (never null); others go through a null-checked temp.
    const guards: string[] = [];
    const operand = (x: Expr): string => {
      if (lit(x)) return this.expr(x, f, w);
      const t = f.temp();
      guards.push(`(${t} = ${this.expr(x, f, w)}) ${ARITH.has(op) ? "===" : "!=="} null`);
      return t;
    };
    const a = operand(l);
    const b = operand(r);
    if (ARITH.has(op)) {
      const value = op === "/" ? `${b} === 0 ? null : ${a} / ${b}` : `${a} ${op} ${b}`;
      return guards.length ? `(${guards.join(" || ")} ? null : ${value})` : `(${value})`;
    }
    let test: string;
    const primitive = lit(l) || lit(r);
    if (op === "==") test = primitive ? `${a} === ${b}` : `valueEquals(${a}, ${b})`;
    else if (op === "!=") test = primitive ? `${a} !== ${b}` : `!valueEquals(${a}, ${b})`;
    else test = ordered(op, a, b, l, r);
    return `(${[...guards, test].join(" && ")})`;
  }

  private inList(e: Extract<Expr, { kind: "in" }>, f: Fn, w: WhereVar[]): string {
    const x = f.temp();
    const head = `(${x} = ${this.expr(e.left, f, w)}) !== null`;
    const r = e.right;
    if (r.kind === "list" && r.items.every(lit)) {
      const set = this.konst(new Set(r.items.map((i) => literalValue(i))));
      return `(${head} && ${e.negated ? "!" : ""}${set}.has(${x}))`;
    }
    const l = f.temp();
    return `(${head} && Array.isArray(${l} = ${this.expr(r, f, w)}) && listHas(${l}, ${x}) !== ${e.negated})`;
  }

  /**
   * An aggregate or event set: a feature column in row mode; in env mode a
   * call to a generated scanning function, preceded by a feature lookup when
   * the node is top-level (not under a `where`) and does not read the trigger.
   */
  private aggregate(e: AggExpr | ExistsExpr, w: WhereVar[], bareEvent = false): string {
    const key = bareEvent ? e.event : featureKeyOf(e);
    if (this.mode.kind === "row") {
      const col = this.mode.columnOf(key);
      if (col === undefined) throw new Error(`compile: no column for feature "${key}" in a row predicate`);
      return `(${at("row", col)} ?? ${e.kind === "exists" ? "false" : e.fn === "count" || e.fn === "sum" ? "0" : "null"})`;
    }
    const perDecision = w.length > 0 || (e.where !== undefined && readsTrigger(e.where));
    // Top-level all-time aggregates may start from a partial state (`env.base`) and scan only later events.
    const fn = this.scanFn(e, w, !perDecision && !e.within ? key : null);
    const call = `${fn}(env${w.map((x) => `, ${x.v}`).join("")})`;
    // A bare event name ("has happened") is a feature like any other top-level aggregate: with the
    // features precomputed (segments over a feature scan, where no event is shipped) it must be read
    // from them, not from `env.events`.
    if (perDecision) return call;
    const t = `fk${this.featureCount++}`;
    this.decls.push(`let ${t};`);
    return `(env.features !== undefined && (${t} = ${at("env.features", key)}) !== undefined ? ${t} : ${call})`;
  }

  /**
   * Emits `function aggN(env, w…)` scanning `env.events` as the evaluator does.
   * With `baseKey`, the scan starts from `env.base` when present: the partial
   * state over events up to the cutoff, then only events after it.
   */
  private scanFn(e: AggExpr | ExistsExpr, w: WhereVar[], baseKey: string | null = null): string {
    const name = `agg${this.aggCount++}`;
    const f = new Fn();
    const v = `w${w.length}`;
    const inner = [...w, { event: e.event, v }];
    const window = e.within ? ` || ${v}.ts <= now - ${e.within.ms}` : "";
    const where = e.where ? `if (!${this.cond(e.where, f, inner)}) continue;\n` : "";
    let init = "";
    let body: string;
    let ret: string;
    const fnName = e.kind === "exists" ? "exists" : e.fn;
    switch (fnName) {
      case "exists":
        [body, ret] = ["return true;", "false"];
        break;
      case "count":
        [init, body, ret] = ["let n = 0;", "n++;", "n"];
        break;
      case "first":
        [body, ret] = [`return ${v};`, "null"];
        break;
      case "last":
        [init, body, ret] = ["let l = null;", `l = ${v};`, "l"];
        break;
      default: {
        const prop = (e as AggExpr).prop!;
        const start = fnName === "min" || fnName === "max" ? "x" : "0";
        const step = fnName === "sum" || fnName === "avg" ? "acc += x;" : fnName === "min" ? "acc = x < acc ? x : acc;" : "acc = x > acc ? x : acc;";
        init = "let n = 0, acc = 0, x;";
        body = `x = ${at(`${v}.props`, prop)};\nif (x === null || x === undefined) continue;\nif (n === 0) acc = ${start};\n${step}\nn++;`;
        ret = fnName === "sum" ? "acc" : fnName === "avg" ? "n === 0 ? null : acc / n" : "n === 0 ? null : acc";
      }
    }
    const params = ["env", ...w.map((x) => x.v)].join(", ");
    let start = "";
    let skip = "";
    if (baseKey !== null) {
      // Resume from the partial state: same accumulators, seeded (see EvalEnv.base).
      const seed: Record<string, string> = {
        exists: "if (b === true) return true;",
        count: "n = b;",
        first: "if (b !== null) return b;",
        last: "l = b;",
        sum: "acc = b; n = 1;",
        avg: "n = b[0]; acc = b[1];",
        min: "if (b !== null) { acc = b; n = 1; }",
        max: "if (b !== null) { acc = b; n = 1; }",
      };
      start = `let cut = -Infinity;\nconst base = env.base;\nif (base !== undefined) {\ncut = ${at("base.cutoffs", e.event)} ?? -Infinity;\nconst b = ${at("base.values", baseKey)};\nif (b !== undefined) {\n${seed[fnName]}\n}\n}\n`;
      skip = ` || ${v}.ts <= cut`;
    }
    this.decls.push(
      `function ${name}(${params}) {\n${f.decl()}const evs = env.events, now = env.now;\n${init}\n${start}` +
        `for (let i = 0; i < evs.length; i++) {\nconst ${v} = evs[i];\nif (${v}.name !== ${JSON.stringify(e.event)} || ${v}.ts > now${window}${skip}) continue;\n${where}${body}\n}\nreturn ${ret};\n}`,
    );
    return name;
  }
}

/**
 * Indents generated source for `playbook compile --target js` readers: a line
 * ending in `{` opens a level, a line starting with `}` closes one (generated
 * lines never end or start with a brace inside a string literal).
 */
function indent(src: string): string {
  let depth = 0;
  const out: string[] = [];
  for (const raw of src.split("\n")) {
    const line = raw.trim();
    if (line === "") continue;
    if (line.startsWith("}")) depth = Math.max(0, depth - 1);
    out.push("  ".repeat(depth) + line);
    if (line.endsWith("{")) depth++;
  }
  return out.join("\n");
}

/** The value of a literal node (no names, no events). */
export function literalValue(e: Expr): unknown {
  switch (e.kind) {
    case "number":
    case "percent":
    case "string":
    case "bool":
      return e.value;
    case "duration":
    case "date":
    case "datetime":
      return e.ms;
    default:
      return null;
  }
}

export { Fn };
