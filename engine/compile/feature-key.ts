/**
 * The key under which a precomputed aggregate lives in `EvalEnv.features` and
 * in feature rows: the canonical text of the aggregate node.
 *
 * The agreed owner of this function is `language/printer.ts` (`featureKey`).
 * Until it lands, this file holds a small printer with the same intent
 * (canonical one-line text, minimal parentheses) so the compiler can work;
 * when the front end's printer exists, `featureKeyOf` must delegate to it so
 * that every producer and consumer of features agrees on the key.
 */
import type { AggExpr, Expr, ExistsExpr } from "../../language/ast.ts";

/** The feature key of an aggregate or qualified event set. */
export function featureKeyOf(node: AggExpr | ExistsExpr): string {
  return printCanonical(node);
}

/** Binding strength of each level of the grammar (language.md), loosest first. */
const PREC = { or: 1, and: 2, not: 3, compare: 4, sum: 5, product: 6, unary: 7, coalesce: 8, postfix: 9 } as const;

function precOf(e: Expr): number {
  switch (e.kind) {
    case "binary":
      if (e.op === "or") return PREC.or;
      if (e.op === "and") return PREC.and;
      if (e.op === "+" || e.op === "-") return PREC.sum;
      if (e.op === "*" || e.op === "/") return PREC.product;
      if (e.op === "??") return PREC.coalesce;
      return PREC.compare;
    case "unary":
      return e.op === "not" ? PREC.not : PREC.unary;
    case "in":
    case "between":
      return PREC.compare;
    case "exists":
      return e.where || e.within ? PREC.or : PREC.postfix;
    default:
      return PREC.postfix;
  }
}

/** Canonical one-line text of an expression (a stand-in for printer.printExpr). */
export function printCanonical(e: Expr): string {
  const sub = (x: Expr, min: number): string => (precOf(x) < min ? `(${printCanonical(x)})` : printCanonical(x));
  const qual = (where?: Expr, within?: { raw: string }): string =>
    (where ? ` where ${printCanonical(where)}` : "") + (within ? ` within ${within.raw}` : "");
  switch (e.kind) {
    case "number":
    case "percent":
    case "duration":
    case "date":
    case "datetime":
      return e.raw;
    case "string":
      return JSON.stringify(e.value);
    case "bool":
      return String(e.value);
    case "null":
      return "null";
    case "list":
      return `[${e.items.map(printCanonical).join(", ")}]`;
    case "name":
      return e.name;
    case "member":
      return `${sub(e.object, PREC.postfix)}.${e.prop}`;
    case "call":
      return `${e.fn}(${e.args.map(printCanonical).join(", ")})`;
    case "agg":
      return `${e.fn}(${e.event}${e.prop ? `.${e.prop}` : ""}${qual(e.where, e.within)})`;
    case "exists":
      return `${e.event}${qual(e.where, e.within)}`;
    case "unary":
      return e.op === "not" ? `not ${sub(e.operand, PREC.not)}` : `-${sub(e.operand, PREC.unary)}`;
    case "binary": {
      const p = precOf(e);
      // Comparisons do not chain; arithmetic is left-associative.
      const rightMin = p === PREC.compare || p === PREC.coalesce ? p + 1 : p + 1;
      const leftMin = p === PREC.compare ? p + 1 : p;
      return `${sub(e.left, leftMin)} ${e.op} ${sub(e.right, rightMin)}`;
    }
    case "in":
      return `${sub(e.left, PREC.sum)} ${e.negated ? "not in" : "in"} ${sub(e.right, PREC.postfix)}`;
    case "between":
      return `${sub(e.value, PREC.sum)} between ${sub(e.low, PREC.sum)} and ${sub(e.high, PREC.sum)}`;
  }
}
