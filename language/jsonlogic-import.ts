import type { Expr, Span } from "./ast.ts";
import type { Diagnostic } from "./diagnostics.ts";

/**
 * JSON Logic → our expression AST, so a segment written `{ jsonlogic: … }` goes
 * through our checker and compiler. (Placeholder until the evaluator engineer
 * lands the importer; it reports every input as unsupported.)
 */
export function importJsonLogic(_value: unknown, span: Span): { expr?: Expr; diagnostics: Diagnostic[] } {
  return {
    diagnostics: [
      { code: "PB090", name: "jsonlogic-unsupported", severity: "error", message: "JSON Logic import is not available yet", span },
    ],
  };
}
