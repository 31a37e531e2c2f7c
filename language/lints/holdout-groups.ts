/**
 * PB021 (issue 18 §5): the rules of one `holdout_group` hold out the same customers, so
 * they share one salt (`group:NAME`, set by the reader) and must give one share. The
 * first rule of the group (source order) sets the share; every other rule whose share
 * differs is reported, pointing at the first.
 */
import type { Diagnostic } from "../diagnostics.ts";
import type { Rule, Workspace } from "../ast.ts";
import { diag } from "../resolver.ts";

/** The salt of a holdout group's shared holdout. */
export function groupSalt(group: string): string {
  return `group:${group}`;
}

/** The holdout groups of a workspace: name → its rules in source order. */
export function holdoutGroups(ws: Workspace): Map<string, Rule[]> {
  const out = new Map<string, Rule[]>();
  for (const r of ws.rules.values()) if (r.holdoutGroup !== undefined) out.set(r.holdoutGroup, [...(out.get(r.holdoutGroup) ?? []), r]);
  return out;
}

export function lintHoldoutGroups(ws: Workspace, out: Diagnostic[]): void {
  const pct = (x: number) => `${+(x * 100).toFixed(2)}%`;
  for (const [name, rules] of holdoutGroups(ws)) {
    const first = rules[0]!;
    const share = first.holdout ?? ws.defaults.holdout;
    for (const r of rules.slice(1)) {
      const s = r.holdout ?? ws.defaults.holdout;
      if (s === share) continue;
      out.push(diag("PB021", `rule "${r.id}" holds out ${pct(s)} but its holdout_group "${name}" holds out ${pct(share)} (rule "${first.id}")`, r.fieldSpans.holdout ?? r.fieldSpans.holdout_group ?? r.span,
        `give every rule of "${name}" the same holdout: the group holds out one set of customers`, [{ message: `the group's share, set by rule "${first.id}"`, span: first.fieldSpans.holdout ?? first.fieldSpans.holdout_group ?? first.span }]));
    }
  }
}
