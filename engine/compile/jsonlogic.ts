/**
 * Export to JSON Logic (https://jsonlogic.com) that keeps OUR semantics: run
 * with json-logic-js over the data from `jsonLogicData`, it gives the same
 * answers as the reference evaluator (property-tested on bool expressions).
 *
 * JSON Logic's own rules differ from ours (`null < 1` is true, `+` parses
 * strings, `and` returns operands, `in` finds null items), so every operator
 * is guarded: comparisons require non-null operands, arithmetic gives null on
 * a null operand and on division by zero, conditions test `=== true`.
 *
 * The data contract (what `{"var": …}` reads):
 * - attributes by name at the top level (`{"var": "age"}`);
 * - precomputed values at the top level under `jsonLogicKey(featureKey(node))`:
 *   top-level aggregates and qualified event sets (`count(order_placed within 30d)`),
 *   bare event names used as conditions (the event name), and the time
 *   functions `days_since(…)`/`hours_since(…)` (they need the clock). The key is
 *   the canonical text with `%` and `.` percent-escaped, because JSON Logic's
 *   `var` splits paths on dots. `first`/`last` hold the event record
 *   (`{"var": "<key>.props.amount"}`, `"<key>.ts"`);
 * - `rfm` (`{r, f, m, cell}` or null), `trigger` (`{ts, props}`), `previous`
 *   (`{delivered, opened, clicked}`), `in_cadence` (bool).
 * `lower()` has no JSON Logic equivalent and is refused (JsonLogicExportError),
 * as is an ordered comparison of strings json-logic-js would order otherwise
 * (by UTF-16 code unit; `textOrder`).
 */
import type { AggExpr, CallExpr, Expr, ExistsExpr, Workspace } from "../../language/ast.ts";
import { evaluate } from "../../language/evaluator.ts";
import type { EvalEnv, Value } from "../../language/values.ts";
import { literalValue } from "./codegen.ts";
import { featureKeyOf, printCanonical } from "./feature-key.ts";
import { nativeOrderSafe } from "../../language/text.ts";

/** A JSON Logic rule: JSON values and `{ op: args }` objects. */
export type JsonLogic = null | boolean | number | string | JsonLogic[] | { [op: string]: JsonLogic };

/** Thrown for a construct JSON Logic cannot express with our meaning (reported by `playbook compile`). */
export class JsonLogicExportError extends Error {}

/** The data key of a precomputed value: its canonical text with `%` and `.` escaped. */
export function jsonLogicKey(featureKey: string): string {
  return featureKey.replaceAll("%", "%25").replaceAll(".", "%2E");
}

const isNull = (x: JsonLogic): JsonLogic => ({ "==": [x, null] });
const notNull = (x: JsonLogic): JsonLogic => ({ "!=": [x, null] });
const COMPARE = new Set(["==", "!=", "<", "<=", ">", ">="]);
const LITERAL = new Set(["number", "percent", "string", "bool", "duration", "date", "datetime"]);

/** The precomputed nodes of an expression, by data key (segments followed, where-clauses not entered). */
export function precomputedNodes(expr: Expr, ws: Workspace): Map<string, Expr> {
  const out = new Map<string, Expr>();
  const seen = new Set<string>();
  const walk = (e: Expr): void => {
    switch (e.kind) {
      case "agg":
      case "exists":
        out.set(jsonLogicKey(featureKeyOf(e)), e);
        return;
      case "call":
        if (e.fn === "days_since" || e.fn === "hours_since") out.set(jsonLogicKey(printCanonical(e)), e);
        else e.args.forEach(walk);
        return;
      case "name":
        if (e.ref?.kind === "event") out.set(jsonLogicKey(e.name), e);
        if (e.ref?.kind === "segment" && !seen.has(e.name)) {
          seen.add(e.name);
          const seg = ws.segments.get(e.name);
          if (seg) walk(seg.expr);
        }
        return;
      case "list":
        return e.items.forEach(walk);
      case "member":
        return walk(e.object);
      case "unary":
        return walk(e.operand);
      case "binary":
      case "in":
        walk(e.left);
        return walk(e.right);
      case "between":
        walk(e.value);
        walk(e.low);
        return walk(e.high);
      default:
        return;
    }
  };
  walk(expr);
  return out;
}

/**
 * The data object for `apply(toJsonLogic(expr, ws), data)`: attributes, the
 * precomputed values this expression reads (computed by the reference
 * evaluator unless `env.features` has them), RFM, trigger and cadence state.
 */
export function jsonLogicData(expr: Expr, env: EvalEnv, ws: Workspace): Record<string, unknown> {
  const data: Record<string, unknown> = { ...env.customer };
  for (const [key, node] of precomputedNodes(expr, ws)) {
    const fk = node.kind === "agg" || node.kind === "exists" ? featureKeyOf(node) : undefined;
    const pre = fk !== undefined ? env.features?.[fk] : undefined;
    data[key] = pre !== undefined ? pre : evaluate(node, env, ws);
  }
  data.rfm = env.rfm ?? null;
  data.trigger = env.trigger ? { ts: env.trigger.ts, props: env.trigger.props } : null;
  data.previous = env.previous ?? null;
  data.in_cadence = env.inCadence ?? false;
  return data;
}

/** Exports `expr` (names resolved) to JSON Logic with our semantics. */
export function toJsonLogic(expr: Expr, ws: Workspace): JsonLogic {
  return flatten(new Exporter(ws).value(expr));
}

/**
 * `{"and": [{"and": [a, b]}, c]}` → `{"and": [a, b, c]}` (and `or` alike). Exact
 * because every operand the exporter puts under and/or is a boolean.
 */
function flatten(r: JsonLogic): JsonLogic {
  if (Array.isArray(r)) return r.map(flatten);
  if (r === null || typeof r !== "object") return r;
  const [op] = Object.keys(r) as [string];
  const args = r[op]!;
  if ((op === "and" || op === "or") && Array.isArray(args)) {
    const out: JsonLogic[] = [];
    for (const a of args.map(flatten)) {
      if (a !== null && typeof a === "object" && !Array.isArray(a) && Array.isArray(a[op])) out.push(...(a[op] as JsonLogic[]));
      else out.push(a);
    }
    return { [op]: out };
  }
  return { [op]: flatten(args) };
}

/** JSON text of a rule for reading: one line when it fits in `width`, else one argument per line. */
export function formatJsonLogic(r: JsonLogic, width = 100, pad = ""): string {
  const flat = JSON.stringify(r);
  if (flat.length + pad.length <= width || r === null || typeof r !== "object") return flat;
  const inner = pad + "  ";
  if (Array.isArray(r)) return `[\n${r.map((x) => inner + formatJsonLogic(x, width, inner)).join(",\n")}\n${pad}]`;
  const [op] = Object.keys(r) as [string];
  const args = r[op]!;
  if (!Array.isArray(args)) return `{ ${JSON.stringify(op)}: ${formatJsonLogic(args, width, pad)} }`;
  return `{ ${JSON.stringify(op)}: [\n${args.map((x) => inner + formatJsonLogic(x, width, inner)).join(",\n")}\n${pad}] }`;
}

class Exporter {
  private readonly inlining = new Set<string>();
  constructor(private readonly ws: Workspace) {}

  /** A rule that is true exactly when our condition holds. */
  cond(e: Expr): JsonLogic {
    const boolish =
      (e.kind === "binary" && (e.op === "and" || e.op === "or" || COMPARE.has(e.op))) ||
      (e.kind === "unary" && e.op === "not") ||
      e.kind === "in" || e.kind === "between" || e.kind === "bool" ||
      (e.kind === "name" && e.ref?.kind === "segment");
    const v = this.value(e);
    return boolish ? v : { "===": [v, true] };
  }

  value(e: Expr): JsonLogic {
    if (LITERAL.has(e.kind)) return literalValue(e) as JsonLogic;
    switch (e.kind) {
      case "null":
        return null;
      case "list":
        return e.items.map((i) => this.value(i));
      case "name":
        return this.name(e);
      case "member":
        return this.member(e.object, e.prop);
      case "agg":
      case "exists":
        return { var: jsonLogicKey(featureKeyOf(e)) };
      case "call":
        return this.call(e);
      case "unary": {
        if (e.op === "not") return { "!": this.cond(e.operand) };
        const x = this.value(e.operand);
        return { if: [isNull(x), null, { "-": [x] }] };
      }
      case "binary":
        return this.binary(e.op, e.left, e.right);
      case "in": {
        const x = this.value(e.left);
        const list = this.value(e.right);
        const has: JsonLogic = { in: [x, list] };
        return { and: [notNull(x), notNull(list), e.negated ? { "!": has } : has] };
      }
      case "between": {
        textOrder(e.low, e.value, this.ws);
        textOrder(e.value, e.high, this.ws);
        const [v, lo, hi] = [this.value(e.value), this.value(e.low), this.value(e.high)];
        return { and: [notNull(v), notNull(lo), notNull(hi), { "<=": [lo, v, hi] }] };
      }
      default:
        throw new JsonLogicExportError(`cannot export ${e.kind} to JSON Logic`);
    }
  }

  private name(e: Extract<Expr, { kind: "name" }>): JsonLogic {
    const ref = e.ref;
    if (!ref) throw new Error(`toJsonLogic: unresolved name "${e.name}" (run the checker first)`);
    switch (ref.kind) {
      case "attribute":
        return { var: ref.name };
      case "event":
        return { "===": [{ var: jsonLogicKey(e.name) }, true] };
      case "segment": {
        const seg = this.ws.segments.get(ref.name);
        if (!seg || this.inlining.has(ref.name)) throw new JsonLogicExportError(`segment "${ref.name}" cannot be inlined`);
        this.inlining.add(ref.name);
        const out = this.cond(seg.expr);
        this.inlining.delete(ref.name);
        return out;
      }
      case "prop":
        if (ref.scope === "trigger") return { var: `trigger.props.${ref.prop}` };
        throw new JsonLogicExportError(`"${e.name}" is read inside a where clause, which is exported as a precomputed value`);
      case "trigger_event":
        return { var: "trigger" };
      case "rfm":
        return { var: "rfm" };
      case "previous":
        return null;
    }
  }

  private member(o: Expr, prop: string): JsonLogic {
    const path = prop === "ts" ? "ts" : `props.${prop}`;
    if (o.kind === "name" && o.ref?.kind === "rfm") return { var: `rfm.${prop}` };
    if (o.kind === "name" && o.ref?.kind === "trigger_event") return { var: `trigger.${path}` };
    if (o.kind === "agg") return { var: `${jsonLogicKey(featureKeyOf(o as AggExpr))}.${path}` };
    throw new JsonLogicExportError(`cannot export ".${prop}" of ${o.kind} to JSON Logic`);
  }

  private call(e: CallExpr): JsonLogic {
    switch (e.fn) {
      case "days_since":
      case "hours_since":
        return { var: jsonLogicKey(printCanonical(e)) };
      case "delivered":
      case "opened":
      case "clicked":
        return { "===": [{ var: `previous.${e.fn}` }, true] };
      case "in_cadence":
        return { "===": [{ var: "in_cadence" }, true] };
      default:
        throw new JsonLogicExportError(`${e.fn}() has no JSON Logic equivalent`);
    }
  }

  private binary(op: string, l: Expr, r: Expr): JsonLogic {
    if (op === "and" || op === "or") return { [op]: [this.cond(l), this.cond(r)] };
    if ((op === "==" || op === "!=") && (l.kind === "null" || r.kind === "null")) {
      if (l.kind === "null" && r.kind === "null") return op === "==";
      const x = this.value(l.kind === "null" ? r : l);
      return op === "==" ? isNull(x) : notNull(x);
    }
    const a = this.value(l);
    const b = this.value(r);
    if (op === "??") return { if: [isNull(a), b, a] };
    const guards: JsonLogic[] = [];
    if (!neverNull(l)) guards.push(a);
    if (!neverNull(r)) guards.push(b);
    if (op === "+" || op === "-" || op === "*" || op === "/") {
      const anyNull: JsonLogic = guards.length ? { or: guards.map(isNull) } : false;
      const result: JsonLogic = op === "/" ? { if: [{ "===": [b, 0] }, null, { "/": [a, b] }] } : { [op]: [a, b] };
      return guards.length ? { if: [anyNull, null, result] } : result;
    }
    if (isList(l, this.ws) || isList(r, this.ws)) throw new JsonLogicExportError(`comparing lists is not expressible in JSON Logic`);
    if (op !== "==" && op !== "!=") textOrder(l, r, this.ws);
    const test: JsonLogic = op === "==" ? { "===": [a, b] } : op === "!=" ? { "!==": [a, b] } : { [op]: [a, b] };
    // `x === 3` is already false for a null x; every other comparison needs the guard.
    if (op === "==" && (LITERAL.has(l.kind) || LITERAL.has(r.kind))) return test;
    return guards.length ? { and: [...guards.map(notNull), test] } : test;
  }
}

/**
 * Strings order by code point (language/text.ts); json-logic-js's `<` orders
 * them by UTF-16 code unit. The two agree whenever one side is a string
 * literal with no unit at or above U+D800 (`nativeOrderSafe`), so such
 * comparisons export as they are; any other ordered comparison of strings is
 * refused rather than exported with another order.
 */
function textOrder(l: Expr, r: Expr, ws: Workspace): void {
  const safe = (x: Expr) => x.kind === "string" && nativeOrderSafe(x.value);
  if (safe(l) || safe(r) || !(isText(l, ws) || isText(r, ws))) return;
  throw new JsonLogicExportError(
    "json-logic-js orders strings by UTF-16 code unit, playbook by code point: an ordered comparison of strings exports only against a string literal below U+D800",
  );
}

/** Is this operand a string? (The checker's type, else the schema.) */
function isText(e: Expr, ws: Workspace): boolean {
  if (e.type) return e.type.base === "string";
  switch (e.kind) {
    case "string":
      return true;
    case "call":
      return e.fn === "lower";
    case "binary":
      return e.op === "??" && (isText(e.left, ws) || isText(e.right, ws));
    case "name": {
      const ref = e.ref;
      const def = ref?.kind === "attribute" ? ws.schema.customer.get(ref.name) : ref?.kind === "prop" ? ws.schema.events.get(ref.event)?.props.get(ref.prop) : undefined;
      return def?.type.base === "string";
    }
    case "member": {
      const o = e.object;
      if (o.kind === "name" && o.ref?.kind === "rfm") return e.prop === "cell";
      const ev = o.kind === "agg" ? o.event : o.kind === "name" && o.ref?.kind === "trigger_event" ? o.ref.event : undefined;
      return ev !== undefined && ws.schema.events.get(ev)?.props.get(e.prop)?.type.base === "string";
    }
    default:
      return false;
  }
}

/** Operands that cannot be null need no guard: literals, counts and sums. */
function neverNull(e: Expr): boolean {
  return LITERAL.has(e.kind) || (e.kind === "agg" && (e.fn === "count" || e.fn === "sum"));
}

/** Is this operand a list (JSON Logic compares arrays by identity)? */
function isList(e: Expr, ws: Workspace): boolean {
  if (e.kind === "list") return true;
  if (e.type) return e.type.base === "list";
  return e.kind === "name" && e.ref?.kind === "attribute" && ws.schema.customer.get(e.ref.name)?.type.base === "list";
}

export type { AggExpr, ExistsExpr, Value };
