/**
 * Settings outside their sensible range: holdouts (PB307 above 50%, PB308
 * outside 0–100%), priorities outside 0..100 (PB309), and channels without
 * `requires` (PB306). The loader may already reject a malformed value; these
 * are about well-formed values that make no sense.
 */
import type { Span, Workspace } from "../ast.ts";
import type { Diagnostic } from "../diagnostics.ts";
import { diag } from "../resolver.ts";

const pct = (x: number) => `${Math.round(x * 10000) / 100}%`;

function holdout(value: number | null | undefined, what: string, span: Span | undefined, out: Diagnostic[]): void {
  if (value === null || value === undefined || Number.isNaN(value)) return;
  if (value < 0 || value > 1) out.push(diag("PB308", `${what} is ${pct(value)}; a holdout must be between 0% and 100%`, span));
  else if (value > 0.5) out.push(diag("PB307", `${what} is ${pct(value)}: more than half of the audience would get nothing`, span, "holdouts of 5–20% are usual; 50% is the most an experiment needs"));
}

/** Appends PB306–PB309. */
export function lintPolicy(ws: Workspace, out: Diagnostic[]): void {
  for (const ch of ws.channels.values()) {
    if (!ch.requires) out.push(diag("PB306", `channel "${ch.name}" has no requires: it will be tried for every customer`, ch.span, `say what it needs, e.g. requires: consent_${ch.name} and ${ch.name} != null`));
  }
  const ds = ws.defaults.spans ?? {};
  holdout(ws.defaults.holdout, "defaults.holdout", ds.holdout, out);
  holdout(ws.defaults.globalHoldout, "defaults.global_holdout", ds.global_holdout, out);
  for (const rule of ws.rules.values()) {
    const fs = rule.fieldSpans ?? {};
    holdout(rule.holdout, `the holdout of "${rule.id}"`, fs.holdout ?? rule.span, out);
    if (typeof rule.priority === "number" && (rule.priority < 0 || rule.priority > 100)) {
      out.push(diag("PB309", `priority ${rule.priority} of "${rule.id}" is outside 0..100`, fs.priority ?? rule.span, "higher wins; use 0 to 100"));
    }
  }
}
