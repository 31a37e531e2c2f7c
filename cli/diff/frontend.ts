/**
 * The diff's adapter to the language front end and evaluator, looked up at
 * run time: the diff must work (structurally) while those modules are still
 * being written, and say exactly what it could not do without them. Every
 * function here is the agreed interface of another engineer's module
 * (preamble, "Agreed module names").
 */
import type { Diagnostic } from "../../language/diagnostics.ts";
import type { Expr, SourceFile, Workspace } from "../../language/ast.ts";
import type { EvalEnv, Value } from "../../language/values.ts";
import { tokenNormalize, type ExprNormalizer } from "./view.ts";

/** The pieces of the language the diff uses; each may be missing. */
export interface FrontEnd {
  parseExpression?: (text: string, file?: string) => { expr?: Expr; diagnostics: unknown[] };
  printExpr?: (e: Expr) => string;
  loadWorkspaceFromFiles?: (root: string, files: SourceFile[]) => { workspace: Workspace; diagnostics: Diagnostic[] };
  checkWorkspace?: (ws: Workspace) => Diagnostic[];
  evaluate?: (expr: Expr, env: EvalEnv, ws: Workspace) => Value;
  /** What could not be loaded, for the "what is missing" line. */
  missing: string[];
}

async function tryImport<T>(spec: string): Promise<T | null> {
  try {
    return (await import(spec)) as T;
  } catch {
    return null;
  }
}

/** Loads whatever of the front end exists. */
export async function loadFrontEnd(): Promise<FrontEnd> {
  // Specifiers in variables: the modules may not exist yet, and tsc must not require them.
  const [index, printer, check, evaluator] = await Promise.all([
    tryImport<Partial<FrontEnd>>("../../language/index.ts"),
    tryImport<Partial<FrontEnd>>("../../language/printer.ts"),
    tryImport<Partial<FrontEnd>>("../../language/check.ts"),
    tryImport<Partial<FrontEnd>>("../../language/evaluator.ts"),
  ]);
  const fe: FrontEnd = { missing: [] };
  if (index?.parseExpression) fe.parseExpression = index.parseExpression;
  else fe.missing.push("parseExpression (language/index.ts)");
  if (index?.loadWorkspaceFromFiles) fe.loadWorkspaceFromFiles = index.loadWorkspaceFromFiles;
  else fe.missing.push("loadWorkspaceFromFiles (language/index.ts)");
  if (printer?.printExpr) fe.printExpr = printer.printExpr;
  else fe.missing.push("printExpr (language/printer.ts)");
  if (check?.checkWorkspace) fe.checkWorkspace = check.checkWorkspace;
  else fe.missing.push("checkWorkspace (language/check.ts)");
  if (evaluator?.evaluate) fe.evaluate = evaluator.evaluate;
  else fe.missing.push("evaluate (language/evaluator.ts)");
  return fe;
}

/**
 * Expression normalizer: parse and print canonically when the parser and
 * printer exist; token-level otherwise, or when a side does not parse (its
 * text is then compared as written, less whitespace).
 */
export function normalizerOf(fe: FrontEnd): ExprNormalizer {
  const cache = new Map<string, string>();
  return (text) => {
    let out = cache.get(text);
    if (out !== undefined) return out;
    out = tokenNormalize(text);
    if (fe.parseExpression && fe.printExpr) {
      try {
        const r = fe.parseExpression(text);
        if (r.expr && !r.diagnostics.some((d) => (d as Diagnostic).severity === "error")) out = fe.printExpr(r.expr);
      } catch {
        // A parser bug must not stop the diff: keep the token form.
      }
    }
    cache.set(text, out);
    return out;
  };
}

/** A workspace side loaded and checked into an AST (for evaluation), or why not. */
export type LoadedSide = { ws: Workspace; errors: number } | { ws: null; why: string };

/** Builds and checks the AST of one side, when the front end allows. */
export function loadSide(fe: FrontEnd, root: string, files: SourceFile[]): LoadedSide {
  if (!fe.loadWorkspaceFromFiles || !fe.checkWorkspace) return { ws: null, why: "the language front end is not available in this build" };
  try {
    const { workspace, diagnostics } = fe.loadWorkspaceFromFiles(root, files);
    const all = [...diagnostics, ...fe.checkWorkspace(workspace)];
    return { ws: workspace, errors: all.filter((d) => d.severity === "error").length };
  } catch (e) {
    return { ws: null, why: `could not load: ${(e as Error).message}` };
  }
}
