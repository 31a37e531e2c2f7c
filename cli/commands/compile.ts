/**
 * `playbook compile DIR --target js|jsonlogic|sql [--segment NAME]`: prints the
 * compiled form of every segment, rule condition and channel requirement (or
 * of one segment) for review — what the engine will actually run.
 */
import { parseArgs } from "node:util";
import { resolve } from "node:path";
import { EXIT, UsageError, type CliIO } from "../io.ts";
import type { Expr, Workspace } from "../../language/ast.ts";
import type { Diagnostic } from "../../language/diagnostics.ts";
import { checkWorkspace } from "../../language/check.ts";
import { renderDiagnostics } from "../../language/render.ts";
import { didYouMean } from "../../language/fuzzy.ts";
import { compiledSource } from "../../engine/compile/closure.ts";
import { JsonLogicExportError, formatJsonLogic, toJsonLogic } from "../../engine/compile/jsonlogic.ts";
import { printCanonical } from "../../engine/compile/feature-key.ts";

/** One line for `playbook --help`. */
export const summary = "print segments and conditions compiled to JS, JSON Logic or SQL";

/** `playbook compile --help`. */
export const usage = `Usage: playbook compile DIR --target js|jsonlogic|sql [--segment NAME]

Prints the compiled form of every segment, rule condition (who, unless, step
if/unless) and channel requirement of the workspace, each under a "# …"
header with its source text, or of one segment with --segment.

Targets:
  js         the JavaScript the engine runs (one generated function per condition)
  jsonlogic  JSON Logic with playbook null semantics; aggregates and
             days_since/hours_since read precomputed vars (engine/compile/README.md)
  sql        SQL for the data engine (when engine/features provides it)

Exit codes: 0 printed; 1 the workspace has errors, or a condition has no
JSON Logic form; 2 bad usage or target not available.
`;

type Target = "js" | "jsonlogic" | "sql";

/** A named condition of the workspace, in the order they are printed. */
export interface Condition {
  title: string;
  expr: Expr;
}

/** Every condition of the workspace (or the one segment), in source order. */
export function conditionsOf(ws: Workspace, segment?: string): Condition[] {
  if (segment !== undefined) {
    const s = ws.segments.get(segment);
    return s ? [{ title: `segment ${s.name}`, expr: s.expr }] : [];
  }
  const out: Condition[] = [];
  for (const s of ws.segments.values()) out.push({ title: `segment ${s.name}`, expr: s.expr });
  for (const r of ws.rules.values()) {
    if (r.who) out.push({ title: `rule ${r.id} who`, expr: r.who });
    if (r.unless) out.push({ title: `rule ${r.id} unless`, expr: r.unless });
    for (const st of r.steps) {
      const at = r.isCadence ? ` step ${st.index}` : "";
      if (st.if) out.push({ title: `rule ${r.id}${at} if`, expr: st.if });
      if (st.unless) out.push({ title: `rule ${r.id}${at} unless`, expr: st.unless });
    }
  }
  for (const c of ws.channels.values()) if (c.requires) out.push({ title: `channel ${c.name} requires`, expr: c.requires });
  if (ws.suppress) out.push({ title: "suppress", expr: ws.suppress });
  return out;
}

/** The listing for `js` or `jsonlogic`; `failed` lists conditions JSON Logic cannot express. */
export function compileListing(ws: Workspace, target: "js" | "jsonlogic", segment?: string): { text: string; failed: string[] } {
  const parts: string[] = [];
  const failed: string[] = [];
  for (const c of conditionsOf(ws, segment)) {
    const head = `# ${c.title}: ${printCanonical(c.expr)}`;
    if (target === "js") {
      parts.push(`${head}\n${compiledSource(c.expr, ws)}`);
      continue;
    }
    try {
      parts.push(`${head}\n${formatJsonLogic(toJsonLogic(c.expr, ws))}`);
    } catch (e) {
      if (!(e instanceof JsonLogicExportError)) throw e;
      parts.push(`${head}\n# not expressible in JSON Logic: ${e.message}`);
      failed.push(`${c.title}: ${e.message}`);
    }
  }
  return { text: parts.join("\n\n") + (parts.length ? "\n" : ""), failed };
}

async function optionalImport<T>(spec: string): Promise<T | null> {
  try {
    return (await import(spec)) as T;
  } catch (e) {
    if ((e as NodeJS.ErrnoException)?.code === "ERR_MODULE_NOT_FOUND") return null;
    throw e;
  }
}

type SqlCompiler = (expr: Expr, ws: Workspace) => string;

/** The data engineer's SQL compiler, under any of the names it may be exported as. */
async function sqlCompiler(): Promise<SqlCompiler | null> {
  const mod = await optionalImport<Record<string, unknown>>("../../engine/features/index.ts");
  for (const name of ["compileSql", "toSql", "exprToSql", "compileExprSql"]) {
    if (typeof mod?.[name] === "function") return mod[name] as SqlCompiler;
  }
  return null;
}

/** Runs the command. */
export async function run(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { target: { type: "string" }, segment: { type: "string" } },
  });
  if (positionals.length !== 1) throw new UsageError("give exactly one workspace folder");
  const target = values.target as Target | undefined;
  if (target !== "js" && target !== "jsonlogic" && target !== "sql") throw new UsageError(`--target must be js, jsonlogic or sql${values.target ? `, not "${values.target}"` : ""}`);
  const sql = target === "sql" ? await sqlCompiler() : null;
  if (target === "sql" && !sql) {
    io.stderr("playbook compile: the sql target is not available yet (engine/features exports no SQL compiler)\n");
    return EXIT.usage;
  }
  const front = await optionalImport<{ loadWorkspace(d: string): Promise<{ workspace: Workspace; diagnostics: Diagnostic[] }> }>("../../language/index.ts");
  if (!front) {
    io.stderr("playbook compile: the language front end (language/index.ts) is not available in this build\n");
    return EXIT.usage;
  }
  const { workspace: ws, diagnostics } = await front.loadWorkspace(resolve(io.cwd, positionals[0]!));
  const all = [...diagnostics, ...(diagnostics.some((d) => d.severity === "error") ? [] : checkWorkspace(ws))];
  const errors = all.filter((d) => d.severity === "error");
  if (errors.length) {
    io.stderr(renderDiagnostics(errors, ws.files, { color: false, cwd: io.cwd }));
    return EXIT.failed;
  }
  if (values.segment !== undefined && !ws.segments.has(values.segment)) {
    const best = didYouMean(values.segment, ws.segments.keys());
    const names = [...ws.segments.keys()];
    throw new UsageError(`no segment "${values.segment}"; ${best ? `did you mean "${best}"?` : names.length ? `segments: ${names.join(", ")}` : "the workspace has no segments"}`);
  }
  if (sql) {
    const text = conditionsOf(ws, values.segment).map((c) => `-- ${c.title}: ${printCanonical(c.expr)}\n${sql(c.expr, ws)}`);
    io.stdout(text.join("\n\n") + (text.length ? "\n" : ""));
    return EXIT.ok;
  }
  const { text, failed } = compileListing(ws, target as "js" | "jsonlogic", values.segment);
  io.stdout(text);
  if (failed.length) {
    io.stderr(failed.map((f) => `playbook compile: ${f}\n`).join(""));
    return EXIT.failed;
  }
  return EXIT.ok;
}
