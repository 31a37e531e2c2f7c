/**
 * How the runtime evaluates expressions. The runtime never interprets the AST
 * itself: it asks an `ExprRunner`, built from a compile function (the fast
 * closures of `engine/compile/closure.ts` in production, the reference
 * evaluator in tests that compare the two). Compiled closures are cached per
 * AST node, so a rule's predicate is compiled once per engine.
 */
import type { Expr } from "../../language/ast.ts";
import type { EvalEnv, Value } from "../../language/values.ts";

/** Turns an expression into a function of the environment. */
export type CompileFn = (expr: Expr) => (env: EvalEnv) => Value;

/** Evaluates expressions with a per-node cache of compiled closures. */
export interface ExprRunner {
  value(expr: Expr, env: EvalEnv): Value;
  /** The expression as a condition: null and non-true values are false (language.md, "Null"). */
  test(expr: Expr, env: EvalEnv): boolean;
}

/** An `ExprRunner` over `compile`, caching one closure per AST node. */
export function exprRunner(compile: CompileFn): ExprRunner {
  const cache = new WeakMap<Expr, (env: EvalEnv) => Value>();
  const get = (e: Expr) => {
    let f = cache.get(e);
    if (!f) cache.set(e, (f = compile(e)));
    return f;
  };
  return {
    value: (e, env) => get(e)(env),
    test: (e, env) => get(e)(env) === true,
  };
}
