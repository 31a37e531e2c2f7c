/**
 * PB303: a template field that may be null for the rule's audience. A message
 * whose template needs an empty field ends as `missing_field` at run time; the
 * checker warns ahead unless the audience is narrowed: the rule's `who`, its
 * `unless` (when false), the step's `if`/`unless`, an `enter SEGMENT` trigger's
 * segment, or the `requires` of every channel of the step prove it non-null.
 */
import type { Workspace } from "../ast.ts";
import type { Diagnostic } from "../diagnostics.ts";
import { diag, type Namespace } from "../resolver.ts";
import { NullFacts } from "./facts.ts";
import { allSteps } from "../variants.ts";

/** Appends PB303 for every step whose template needs an attribute that may be null. */
export function lintNullableFields(ws: Workspace, ns: Namespace, out: Diagnostic[]): void {
  const facts = new NullFacts(ws);
  const channelFacts = new Map<string, Set<string>>();
  const requires = (name: string) => {
    let f = channelFacts.get(name);
    if (!f) channelFacts.set(name, (f = facts.whenTrue(ws.channels.get(name)?.requires)));
    return f;
  };
  for (const rule of ws.rules.values()) {
    // Facts are proved lazily: most steps send templates without nullable fields.
    let ruleFacts: Set<string> | undefined;
    const ofRule = (): Set<string> => {
      if (ruleFacts) return ruleFacts;
      ruleFacts = new Set([...facts.whenTrue(rule.who), ...facts.whenFalse(rule.unless)]);
      const on = rule.on;
      if (on && on.kind === "enter") for (const a of facts.whenTrue(ws.segments.get(on.segment)?.expr)) ruleFacts.add(a);
      return ruleFacts;
    };
    for (const step of rule.steps ? allSteps(rule) : []) {
      const tpl = step.template ? ws.templates.get(step.template.name) : undefined;
      if (!tpl || !step.template) continue;
      const risky = (tpl.fields ?? []).filter((f) => ns.attributes.get(f.name)?.type.nullable);
      if (!risky.length) continue;
      const known = new Set([...ofRule(), ...facts.whenTrue(step.if), ...facts.whenFalse(step.unless)]);
      const chans = (step.channels ?? []).map((c) => c.name);
      if (chans.length && chans.every((c) => ws.channels.has(c))) {
        const each = chans.map(requires);
        for (const a of each[0]!) if (each.every((s) => s.has(a))) known.add(a);
      }
      for (const f of risky) {
        if (known.has(f.name)) continue;
        const where = rule.isCadence ? `step ${step.index} of "${rule.id}"` : `rule "${rule.id}"`;
        out.push(
          diag(
            "PB303",
            `template "${tpl.name}" needs "${f.name}", which may be null for the audience of ${where}`,
            step.template.span,
            `add "${f.name} != null" to who${rule.isCadence ? " or to the step's if" : ""}, or messages to customers without it end as missing_field`,
            [{ message: `"${f.name}" is required by template "${tpl.name}"`, span: f.span }],
          ),
        );
      }
    }
  }
}
