/**
 * PB301/PB302: segments and templates nothing uses. A segment counts as used
 * when any rule (trigger, who, unless, steps, exits), another segment, a
 * channel's requires or suppress names it; a template when a step sends it.
 * Run after the type checker, which fills the refs this reads.
 */
import type { Expr, Workspace } from "../ast.ts";
import type { Diagnostic } from "../diagnostics.ts";
import { diag, segmentRefs } from "../resolver.ts";
import { allSteps } from "../variants.ts";

/** Every expression of the workspace, for passes that need them all. */
export function allExprs(ws: Workspace, withSegments = true): Expr[] {
  const xs: (Expr | undefined)[] = [ws.suppress];
  if (withSegments) for (const s of ws.segments.values()) xs.push(s.expr);
  for (const c of ws.channels.values()) xs.push(c.requires);
  for (const ex of ws.defaults.exit ?? []) xs.push(ex.where);
  for (const r of ws.rules.values()) {
    if (r.on && (r.on.kind === "event" || r.on.kind === "after")) xs.push(r.on.where);
    xs.push(r.who, r.unless);
    for (const ex of r.exit ?? []) xs.push(ex.where);
    for (const s of r.steps ? allSteps(r) : []) xs.push(s.if, s.unless);
  }
  return xs.filter((x): x is Expr => x !== undefined);
}

/** Appends PB301 and PB302. */
export function lintUnused(ws: Workspace, out: Diagnostic[]): void {
  const usedSeg = new Set<string>();
  for (const [name, seg] of ws.segments) for (const r of segmentRefs(seg.expr)) if (r.name !== name) usedSeg.add(r.name);
  for (const x of allExprs(ws, false)) for (const r of segmentRefs(x)) usedSeg.add(r.name);
  const usedTpl = new Set<string>();
  for (const r of ws.rules.values()) {
    if (r.on && (r.on.kind === "enter" || r.on.kind === "leave")) usedSeg.add(r.on.segment);
    for (const s of r.steps ? allSteps(r) : []) for (const t of s.variants ? s.variants.map((v) => v.template) : s.template ? [s.template] : []) usedTpl.add(t.name);
  }
  for (const seg of ws.segments.values()) {
    if (!usedSeg.has(seg.name)) out.push(diag("PB301", `segment "${seg.name}" is not used by any rule, segment, channel or suppress`, seg.span, "delete it, or use it in a rule's who or an enter trigger"));
  }
  for (const t of ws.templates.values()) {
    if (!usedTpl.has(t.name)) out.push(diag("PB302", `template "${t.name}" is not sent by any step`, t.span, "delete it, or send it from a rule"));
  }
}
