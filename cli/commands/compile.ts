/**
 * `playbook compile DIR --target js|jsonlogic|sql [--segment NAME]`: prints the
 * compiled form of every segment, rule condition and channel requirement (or
 * of one segment) for review — what the engine will actually run.
 */
import { parseArgs } from "node:util";
import { resolve } from "node:path";
import { EXIT, UsageError, type CliIO } from "../io.ts";
import type { Expr, Workspace } from "../../language/ast.ts";
import { checkWorkspace } from "../../language/check.ts";
import { renderDiagnostics } from "../../language/render.ts";
import { didYouMean } from "../../language/fuzzy.ts";
import { compiledSource } from "../../engine/compile/closure.ts";
import { JsonLogicExportError, formatJsonLogic, toJsonLogic } from "../../engine/compile/jsonlogic.ts";
import { printCanonical } from "../../engine/compile/feature-key.ts";
import { DIALECTS, compileSql } from "../../engine/features/index.ts";
import { loadWorkspace } from "../../language/index.ts";
import { parseTime } from "../../engine/runtime/read.ts";

/** One line for `playbook --help`. */
export const summary = "print segments and conditions compiled to JS, JSON Logic or SQL";

/** `playbook compile --help`. */
export const usage = `Usage: playbook compile DIR --target js|jsonlogic [--segment NAME]
       playbook compile DIR --target sql [--dialect duckdb|postgres|clickhouse] [--at TIME]

Prints the compiled form of every segment, rule condition (who, unless, step
if/unless) and channel requirement of the workspace, each under a "# …"
header with its source text, or of one segment with --segment.

Targets:
  js         the JavaScript the engine runs (one generated function per condition)
  jsonlogic  JSON Logic with playbook null semantics; aggregates and
             days_since/hours_since read precomputed vars (engine/compile/README.md)
  sql        the feature scan: one GROUP BY query over tables events and
             customers computing every aggregate of the workspace (and the
             RFM inputs), with a header saying which aggregates are left to
             each decision and why; --at fixes the instant (default: a :now
             parameter, epoch ms; {now:Float64} in ClickHouse); --dialect
             picks the SQL flavour (duckdb)

Exit codes: 0 printed; 1 the workspace has errors, or a condition has no
JSON Logic form; 2 bad usage.
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
    for (const [arm, st] of (r.arms ?? [{ name: "", steps: r.steps }]).flatMap((a) => a.steps.map((s) => [a.name, s] as const))) {
      const at = (arm ? ` variant ${arm}` : "") + (r.isCadence ? ` step ${st.index}` : "");
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

/** Runs the command. */
export async function run(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { target: { type: "string" }, segment: { type: "string" }, dialect: { type: "string" }, at: { type: "string" } },
  });
  if (positionals.length !== 1) throw new UsageError("give exactly one workspace folder");
  const target = values.target as Target | undefined;
  if (target !== "js" && target !== "jsonlogic" && target !== "sql") throw new UsageError(`--target must be js, jsonlogic or sql${values.target ? `, not "${values.target}"` : ""}`);
  if (target !== "sql" && (values.dialect !== undefined || values.at !== undefined)) throw new UsageError("--dialect and --at go with --target sql");
  if (values.dialect !== undefined && !(values.dialect in DIALECTS)) throw new UsageError(`--dialect must be ${Object.keys(DIALECTS).join(" or ")}, not "${values.dialect}"`);
  if (target === "sql" && values.segment !== undefined) throw new UsageError("--segment does not go with --target sql (the scan computes every feature at once)");
  let at: number | undefined;
  if (values.at !== undefined) {
    const t = parseTime(values.at);
    if (t === null) throw new UsageError(`--at: cannot read "${values.at}" as a time (ISO 8601, e.g. 2026-11-20T00:00:00Z)`);
    at = t;
  }
  const { workspace: ws, diagnostics } = await loadWorkspace(resolve(io.cwd, positionals[0]!));
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
  if (target === "sql") {
    io.stdout(compileSql(ws, { dialect: values.dialect ?? "duckdb", now: at }));
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
