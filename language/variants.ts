/**
 * `variants:` (issue 18 §1): a rule's arms (alternative journeys, each a `send:` or
 * `steps:` with a `weight`) and a step's content arms (a `template:` each). Weights are
 * all given and add up to 100%, or all left out for equal shares (PB019); a rule has arms
 * in one place only (PB020). Also `allSteps`, every step a rule may send, for the checks.
 */
import { isMap, type Node } from "yaml";
import type { ContentArm, Named, Rule, RuleArm, Span, Step } from "./ast.ts";
import { asMap, asText, checkKeys, entries, type YamlFile } from "./yaml-source.ts";
import { checkName, percentAt } from "./sections.ts";

export const ARM_KEYS = ["weight", "send", "steps"] as const;
export const CONTENT_ARM_KEYS = ["weight", "template"] as const;

/** Every step of a rule: each arm's journey, or the rule's steps. */
export function allSteps(rule: Rule): Step[] {
  return rule.arms ? rule.arms.flatMap((a) => a.steps) : rule.steps;
}

/** The steps a customer in `arm` goes through (the first arm's when the arm is unknown, e.g. removed). */
export function stepsOf(rule: Rule, arm: string | null | undefined): Step[] {
  if (!rule.arms) return rule.steps;
  return (rule.arms.find((a) => a.name === arm) ?? rule.arms[0]!).steps;
}

/** The arms a rule splits its treated customers into (rule-level or one step's content), or null. */
export function armsOf(rule: Rule): { name: string; weight: number }[] | null {
  if (rule.arms) return rule.arms;
  for (const s of rule.steps) if (s.variants) return s.variants;
  return null;
}

/** The step index (1-based) whose content variants make the arms, or null (none, or rule-level arms). */
export function contentStep(rule: Rule): number | null {
  if (rule.arms) return null;
  return rule.steps.find((s) => s.variants)?.index ?? null;
}

interface ArmDraft { name: string; span: Span; weight: number | null; weightSpan: Span | null; node: Node | null; es: ReturnType<typeof entries> }

/** Reads the arms of a `variants:` map and fills in their weights (PB019, PB020). */
function readArms(f: YamlFile, node: Node | null, what: string, at: Span, keys: readonly string[]): ArmDraft[] {
  const map = asMap(f, node, what, at);
  if (!map) return [];
  const drafts: ArmDraft[] = [];
  for (const e of entries(f, map)) {
    const span = f.spanOf(e.keyNode);
    checkName(f, e.key, "variant", span);
    const am = isMap(e.value) ? e.value : asMap(f, e.value, `variant "${e.key}"`, span);
    const es = am ? entries(f, am) : [];
    checkKeys(f, es, keys, `variant "${e.key}"`);
    const w = es.find((x) => x.key === "weight");
    const weight = w ? percentAt(f, w.value, "weight", f.spanOf(w.keyNode)) : null;
    drafts.push({ name: e.key, span, weight: w ? (weight ?? NaN) : null, weightSpan: w ? f.spanOf(w.value ?? w.keyNode) : null, node: e.value, es });
  }
  if (drafts.length === 1) f.error("PB020", "variant-shape", `${what} has one arm; variants need at least two`, drafts[0]!.span, "add another arm, or write the arm's content without `variants:`");
  if (drafts.length === 0 && map.items.length === 0) f.error("PB020", "variant-shape", `${what} has no arms`, at);
  const given = drafts.filter((d) => d.weight !== null);
  if (given.length > 0 && given.length < drafts.length) {
    const missing = drafts.find((d) => d.weight === null)!;
    f.error("PB019", "variant-weights", `variant "${missing.name}" has no weight while others have one`, missing.span, "give every arm a `weight`, or none for equal shares");
  } else if (given.length > 0 && given.every((d) => !Number.isNaN(d.weight))) {
    const bp = given.reduce((s, d) => s + Math.round(d.weight! * 10000), 0);
    if (bp !== 10000) f.error("PB019", "variant-weights", `the weights of ${what} add up to ${+(bp / 100).toFixed(2)}%, not 100%`, at, "arms split the treated customers: their weights must add up to 100%");
  }
  for (const d of drafts) if (d.weight === null) d.weight = 1 / drafts.length;
  return drafts;
}

/** A rule's `variants:`: each arm's journey read by `readJourney` (its `send:` or `steps:`). */
export function readRuleArms(
  f: YamlFile, rule: Rule, node: Node | null, at: Span,
  readJourney: (arm: string, send: { node: Node | null; span: Span } | undefined, steps: { node: Node | null; span: Span } | undefined, span: Span) => { steps: Step[]; isCadence: boolean },
): RuleArm[] {
  const out: RuleArm[] = [];
  for (const d of readArms(f, node, `the variants of rule "${rule.id}"`, at, ARM_KEYS)) {
    const s = d.es.find((x) => x.key === "send");
    const st = d.es.find((x) => x.key === "steps");
    const j = readJourney(d.name, s && { node: s.value, span: f.spanOf(s.keyNode) }, st && { node: st.value, span: f.spanOf(st.keyNode) }, d.span);
    out.push({ name: d.name, span: d.span, weight: d.weight!, steps: j.steps, isCadence: j.isCadence });
  }
  return out;
}

/** A step's content `variants:` (a template each). */
export function readContentArms(f: YamlFile, ruleId: string, index: number, node: Node | null, at: Span): ContentArm[] {
  const out: ContentArm[] = [];
  for (const d of readArms(f, node, `the variants of step ${index} of "${ruleId}"`, at, CONTENT_ARM_KEYS)) {
    const t = d.es.find((x) => x.key === "template");
    if (!t) {
      f.error("PB007", "missing-key", `variant "${d.name}" of step ${index} of rule "${ruleId}" has no \`template:\``, d.span);
      continue;
    }
    const name = asText(f, t.value, "template", f.spanOf(t.keyNode));
    if (name !== null) out.push({ name: d.name, span: d.span, weight: d.weight!, template: { name, span: f.spanOf(t.value) } as Named });
  }
  return out;
}

/** PB020: arms in more than one place of a rule (rule-level and a step, or two steps). */
export function checkArmPlaces(f: YamlFile, rule: Rule): void {
  const steps = allSteps(rule).filter((s) => s.variants);
  const extra = rule.arms ? steps : steps.slice(1);
  for (const s of extra) {
    f.error("PB020", "variant-shape", `rule "${rule.id}" already has arms${rule.arms ? " (its `variants:`)" : ` (step ${steps[0]!.index})`}; a rule splits its customers one way only`, s.variants![0]!.span, "keep one `variants:` per rule, so the report compares one set of arms");
  }
}

