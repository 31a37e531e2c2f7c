/**
 * The key under which a precomputed aggregate lives in `EvalEnv.features` and
 * in feature rows, and the canonical text used in listings and JSON Logic
 * keys. Both come from the front end's printer (`language/printer.ts`) so that
 * every producer and consumer of features agrees on the key; this module only
 * gives them the names the compiler uses.
 */
import type { AggExpr, Expr, ExistsExpr } from "../../language/ast.ts";
import { featureKey, printExpr } from "../../language/printer.ts";

/** The feature key of an aggregate or qualified event set (= `featureKey` of language/printer.ts). */
export function featureKeyOf(node: AggExpr | ExistsExpr): string {
  return featureKey(node);
}

/** Canonical one-line text of an expression (= `printExpr` of language/printer.ts). */
export function printCanonical(e: Expr): string {
  return printExpr(e);
}
