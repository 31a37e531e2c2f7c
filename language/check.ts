/**
 * `checkWorkspace`: everything after parsing — names, types, lints — over a
 * loaded workspace. It fills `NameExpr.ref` and `node.type` in place and
 * returns the diagnostics sorted (file, position, code). It never throws on a
 * malformed workspace: the loader may hand over a partial AST after syntax
 * errors, and every pass skips what is missing.
 */
import type { EventDef, Expr, Span, Workspace } from "./ast.ts";
import { compareDiagnostics, type Diagnostic } from "./diagnostics.ts";
import { buildNamespace, findSegmentCycles, resolveReferences } from "./resolver.ts";
import { TypeChecker, type Scope } from "./type-checker.ts";
import { lintUnused } from "./lints/unused.ts";
import { lintNullableFields } from "./lints/nullable-fields.ts";
import { lintNeverHolds } from "./lints/intervals.ts";
import { lintCadenceCaps } from "./lints/cadence-caps.ts";
import { lintPolicy } from "./lints/policy.ts";
import { lintSilent } from "./lints/silent.ts";
import { lintHoldoutGroups } from "./lints/holdout-groups.ts";
import { loadWorkspace, type LoadOptions } from "./index.ts";
import { renderDiagnostics } from "./render.ts";
import { allSteps } from "./variants.ts";

/**
 * Loads and checks a workspace folder, as the commands that run a playbook
 * need it: names and types are checked only when it parses. Errors and
 * warnings come back rendered (plain text, no color); "" when there are none.
 */
export async function loadCheckedWorkspace(dir: string, opts: LoadOptions = {}): Promise<{ workspace: Workspace; errors: string; warnings: string }> {
  const { workspace, diagnostics } = await loadWorkspace(dir, opts);
  const all = diagnostics.some((d) => d.severity === "error") ? diagnostics : [...diagnostics, ...checkWorkspace(workspace)];
  const text = (ds: Diagnostic[]) => (ds.length === 0 ? "" : renderDiagnostics(ds, workspace.files, { color: false }));
  return { workspace, errors: text(all.filter((d) => d.severity === "error")), warnings: text(all.filter((d) => d.severity !== "error")) };
}

/** Resolves, type-checks and lints a workspace; returns its diagnostics, sorted. */
export function checkWorkspace(ws: Workspace): Diagnostic[] {
  const out: Diagnostic[] = [];
  const ns = buildNamespace(ws, out);
  resolveReferences(ws, ns, out);
  const tc = new TypeChecker(ws, ns, out);
  typeWorkspace(ws, tc);
  findSegmentCycles(ws, out);
  const hasErrors = out.some((d) => d.severity === "error");
  lintUnused(ws, out);
  lintPolicy(ws, out);
  lintSilent(ws, out);
  lintHoldoutGroups(ws, out);
  lintCadenceCaps(ws, (s) => sourceText(ws, s), out);
  // Reasoning over bounds and nullness needs resolved, well-typed expressions;
  // after an error it would only add noise.
  if (!hasErrors) {
    lintNullableFields(ws, ns, out);
    lintNeverHolds(ws, (e: Expr) => tc.text(e), out);
  }
  return dedupe(out.sort(compareDiagnostics));
}

/** Types every expression in the place it stands, with that place's scope. */
function typeWorkspace(ws: Workspace, tc: TypeChecker): void {
  const global: Scope = { where: [], inRule: false };
  for (const seg of ws.segments.values()) tc.condition(seg.expr, global, `segment "${seg.name}"`);
  for (const ch of ws.channels.values()) tc.condition(ch.requires, global, `requires of channel "${ch.name}"`);
  tc.condition(ws.suppress, global, "suppress");
  const exits = (list: { event: string; where?: Expr }[] | null | undefined, sc: Scope) => {
    for (const ex of list ?? []) {
      const ev = ws.schema.events.get(ex.event);
      if (ex.where) tc.condition(ex.where, ev ? { ...sc, where: [...sc.where, ev] } : sc, "an exit's where clause");
    }
  };
  exits(ws.defaults.exit, global);
  for (const rule of ws.rules.values()) {
    let trigger: EventDef | undefined;
    const on = rule.on;
    if (on && (on.kind === "event" || on.kind === "after")) trigger = ws.schema.events.get(on.event);
    const sc: Scope = { where: [], inRule: true, ...(trigger ? { trigger } : {}) };
    if (on && (on.kind === "event" || on.kind === "after") && on.where) {
      // Without the event there is nothing to resolve against; the trigger's unknown event is already reported.
      if (trigger) tc.condition(on.where, sc, "the trigger's where clause");
    }
    tc.condition(rule.who, sc, "who");
    tc.condition(rule.unless, sc, "unless");
    exits(rule.exit, sc);
    for (const step of rule.steps ? allSteps(rule) : []) {
      const ssc: Scope = { ...sc, step: step.index };
      tc.condition(step.if, ssc, "a step's if");
      tc.condition(step.unless, ssc, "a step's unless");
    }
  }
}

/** The source text under a span ("" when the file is unknown). */
export function sourceText(ws: Workspace, span: Span): string {
  const f = ws.files.find((x) => x.path === span.file);
  return f ? f.text.slice(span.start, span.end).trim() : "";
}

/** The same problem found twice at the same place (e.g. via two paths) is reported once. */
function dedupe(ds: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return ds.filter((d) => {
    const k = `${d.code}|${d.span?.file}|${d.span?.start}|${d.span?.end}|${d.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
