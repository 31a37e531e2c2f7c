/**
 * Canonical text of an expression: single spaces around operators, `, ` in
 * lists and calls, double-quoted strings, and only the parentheses the grammar
 * needs (so `fmt` never changes meaning and printing is a fixpoint). The same
 * text is the key of a precomputed aggregate (`featureKey`), so two spellings
 * of one aggregate share one feature.
 */
import type { AggExpr, Cap, Expr, ExistsExpr, Trigger } from "./ast.ts";

const BIN_PREC: Record<string, number> = {
  or: 1, and: 2, "==": 4, "!=": 4, "<": 4, "<=": 4, ">": 4, ">=": 4, "+": 5, "-": 5, "*": 6, "/": 6, "??": 8,
};

function prec(e: Expr): number {
  switch (e.kind) {
    case "binary": return BIN_PREC[e.op]!;
    case "unary": return e.op === "not" ? 3 : 7;
    case "in":
    case "between": return 4;
    // `where` swallows everything to its right, so a qualified event set is bracketed when nested.
    case "exists": return e.where ? 0 : 10;
    // A negative literal is written with a leading minus: it binds like unary minus (`10% ?? (-1)`).
    case "number":
    case "percent":
    case "duration": return e.raw.trimStart().startsWith("-") ? 7 : 10;
    default: return 10;
  }
}

function wrap(e: Expr, min: number): string {
  const s = print(e);
  return prec(e) < min ? `(${s})` : s;
}

function qualifiers(e: AggExpr | ExistsExpr): string {
  return (e.where ? ` where ${print(e.where)}` : "") + (e.within ? ` within ${e.within.raw}` : "");
}

function print(e: Expr): string {
  switch (e.kind) {
    case "number": return e.raw;
    case "string": return JSON.stringify(e.value);
    case "bool": return e.value ? "true" : "false";
    case "null": return "null";
    case "duration":
    case "percent":
    case "date":
    case "datetime": return e.raw;
    case "list": return `[${e.items.map(print).join(", ")}]`;
    case "name": return e.name;
    case "member": return `${wrap(e.object, 9)}.${e.prop}`;
    case "call": return `${e.fn}(${e.args.map(print).join(", ")})`;
    case "agg": return `${e.fn}(${e.event}${e.prop ? "." + e.prop : ""}${qualifiers(e)})`;
    case "exists": return `${e.event}${qualifiers(e)}`;
    case "unary": return e.op === "not" ? `not ${wrap(e.operand, 3)}` : `-${wrap(e.operand, 7)}`;
    case "in": return `${wrap(e.left, 5)} ${e.negated ? "not in" : "in"} ${wrap(e.right, 5)}`;
    case "between": return `${wrap(e.value, 5)} between ${wrap(e.low, 5)} and ${wrap(e.high, 5)}`;
    case "binary": {
      const p = BIN_PREC[e.op]!;
      const [l, r] = p === 4 ? [5, 5] : [p, p + 1];
      return `${wrap(e.left, l)} ${e.op} ${wrap(e.right, r === 3 ? 3 : r)}`;
    }
  }
}

/** The canonical one-line text of an expression. */
export function printExpr(e: Expr): string {
  return print(e);
}

/** The key of a precomputed aggregate in `EvalEnv.features`: its canonical text. */
export function featureKey(agg: AggExpr | ExistsExpr): string {
  return print(agg);
}

/** The canonical text of a trigger (`on:`). */
export function printTrigger(t: Trigger): string {
  const where = (w?: Expr) => (w ? ` where ${print(w)}` : "");
  switch (t.kind) {
    case "event": return `${t.event}${where(t.where)}`;
    case "after": return `${t.delay.raw} after ${t.event}${where(t.where)}`;
    case "before": return `${t.lead.raw} before ${t.attribute}`;
    case "anniversary": return `anniversary of ${t.attribute}`;
    case "inactivity": return `no ${t.event} for ${t.duration.raw}`;
    case "enter":
    case "leave": return `${t.kind} ${t.segment}`;
    case "every": return `every ${t.day} at ${t.time}`;
    case "once": return `once at ${t.utcMs === null ? t.local : new Date(t.utcMs).toISOString().replace(".000Z", "Z")}`;
  }
}

/** The canonical text of a cap line; `withScope: false` leaves out `SCOPE: ` (for the one-key map form). */
export function printCap(c: Cap, withScope = true): string {
  switch (c.kind) {
    case "gap": return `gap ${c.duration.raw} between messages`;
    case "pause": return `pause ${c.duration.raw} after ${c.event}`;
    case "max": {
      const scope = c.scope.kind === "all" ? "" : c.scope.kind === "channel" ? c.scope.channel : c.scope.kind;
      return `${withScope && scope ? scope + ": " : ""}max ${c.count} per ${c.per.raw}`;
    }
  }
}
