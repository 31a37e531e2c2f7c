/**
 * The fast path: expressions compiled once to JavaScript functions.
 *
 * - `compileExpr(expr, ws)` → `(env) => Value`, equal to `evaluate(expr, env, ws)`
 *   on every input (property-tested). Aggregates read
 *   `env.features[featureKey(node)]` when present, else scan `env.events`.
 * - `compileRowPredicate(expr, ws, columnOf)` → `(row, now) => boolean` for
 *   bulk evaluation over flat rows (attributes and precomputed features as
 *   properties of one object), e.g. segments over a million customers.
 * - `compiledSource(...)` returns the generated text, for `playbook compile --target js`.
 */
import type { Expr, Workspace } from "../../language/ast.ts";
import { listHas, memberOf, valueEquals } from "../../language/evaluator.ts";
import { compareText, lessOp, lowerText } from "../../language/text.ts";
import type { EvalEnv, Value } from "../../language/values.ts";
import { CodeGen, Fn, type Mode } from "./codegen.ts";
import { featureKeyOf } from "./feature-key.ts";

export { featureKeyOf };

/** Runtime helpers the generated code calls for the rare generic cases. */
const HELPERS = { valueEquals, listHas, memberOf, compareText, lessOp, lowerText };

/** A compiled expression over one customer's environment. */
export type CompiledExpr = (env: EvalEnv) => Value;

/** A compiled predicate over one flat row; `now` is epoch ms (for days_since etc.). */
export type RowPredicate = (row: object, now: number) => boolean;

interface Generated {
  source: string;
  consts: unknown[];
}

function generate(expr: Expr, ws: Workspace, mode: Mode, asCondition: boolean): Generated {
  const gen = new CodeGen(ws, mode);
  const f = new Fn();
  const body = asCondition ? gen.cond(expr, f, []) : gen.expr(expr, f, []);
  const params = mode.kind === "env" ? "env" : "row, now";
  const main = `function compiled(${params}) {\n${f.decl()}return ${body};\n}`;
  return { source: gen.factory(main), consts: gen.consts };
}

function instantiate<T>(g: Generated): T {
  // The source is generated from the AST only (literals are JSON-quoted), never from user text.
  const factory = new Function("K", "H", g.source) as (k: unknown[], h: typeof HELPERS) => T;
  return factory(g.consts, HELPERS);
}

/**
 * Compiles `expr` (names resolved by the checker) to a function equal to the
 * reference evaluator. Throws only on an unresolved tree (a bug).
 */
export function compileExpr(expr: Expr, ws: Workspace): CompiledExpr {
  return instantiate<CompiledExpr>(generate(expr, ws, { kind: "env" }, false));
}

/** Like `compileExpr`, but the result is a boolean: `true` when the value is `true` (conditions). */
export function compileCondition(expr: Expr, ws: Workspace): (env: EvalEnv) => boolean {
  return instantiate<(env: EvalEnv) => boolean>(generate(expr, ws, { kind: "env" }, true));
}

/**
 * Compiles a condition over flat rows. `columnOf(key)` names the row property
 * holding an attribute (key = attribute name; default: the same name), a
 * precomputed aggregate (key = `featureKeyOf(node)`; required), a bare event
 * used as a condition (key = event name: "has happened") or an RFM field
 * (key = `rfm.r` …, via member access; required). Segments are inlined.
 * Triggers, `previous` and `in_cadence()` have no meaning on a row and throw.
 * Missing (undefined) row properties read as null; absent counts/sums as 0.
 */
export function compileRowPredicate(expr: Expr, ws: Workspace, columnOf: (key: string) => string | undefined = () => undefined): RowPredicate {
  const mode: Mode = { kind: "row", columnOf };
  return instantiate<RowPredicate>(generate(expr, ws, mode, true));
}

/** The generated JavaScript of an expression (env mode, or row mode when `columnOf` is given). */
export function compiledSource(expr: Expr, ws: Workspace, columnOf?: (key: string) => string | undefined): string {
  const mode: Mode = columnOf ? { kind: "row", columnOf } : { kind: "env" };
  return generate(expr, ws, mode, true).source;
}
