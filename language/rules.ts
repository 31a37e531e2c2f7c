/**
 * `rules:` (language.md "Rules"): every rule field and step field, with the
 * defaults of the language filled in so later stages never guess.
 */
import { isMap, isScalar, type Node } from "yaml";
import type { Named, Rule, Span, Step, Trigger, Workspace } from "./ast.ts";
import { asBool, asList, asMap, asNumber, asText, checkKeys, entries, type YamlFile } from "./yaml-source.ts";
import { checkName, durationAt, exprAt, firstDefinition, percentAt, readExit, type Seen } from "./sections.ts";
import { parseTrigger } from "./parse.ts";
import { groupSalt } from "./lints/holdout-groups.ts";
import { checkArmPlaces, readContentArms, readRuleArms } from "./variants.ts";

export const RULE_KEYS = ["on", "who", "unless", "priority", "exclusive", "queue", "expires", "exit", "holdout", "salt", "send", "steps", "include_current", "variants", "holdout_group"] as const;
export const STEP_KEYS = ["after", "if", "unless", "channel", "template", "topic", "offer", "variants"] as const;
export const OFFER_KEYS = ["code", "cost"] as const;

/** `rules:` */
export function readRules(f: YamlFile, node: Node | null, ws: Workspace, seen: Seen, at: Span): void {
  const map = asMap(f, node, "rules", at);
  if (!map) return;
  for (const e of entries(f, map, true)) {
    const span = f.spanOf(e.keyNode);
    checkName(f, e.key, "rule", span);
    const rule = readRule(f, e.key, span, e.value);
    if (rule && firstDefinition(f, seen, `rule:${e.key}`, `rule "${e.key}"`, span)) ws.rules.set(e.key, rule);
  }
}

function readRule(f: YamlFile, id: string, span: Span, node: Node | null): Rule | null {
  const map = asMap(f, node, `rule "${id}"`, span);
  if (!map) return null;
  const es = entries(f, map);
  checkKeys(f, es, RULE_KEYS, `rule "${id}"`);
  const rule: Rule = {
    id, span, on: undefined as unknown as Trigger, priority: 50, exclusive: true, queue: 0, expires: null, exit: null,
    holdout: null, salt: id, steps: [], isCadence: false, fieldSpans: {},
  };
  let send: { node: Node | null; span: Span } | undefined;
  let steps: { node: Node | null; span: Span } | undefined;
  let variants: { node: Node | null; span: Span } | undefined;
  for (const x of es) {
    const ks = f.spanOf(x.keyNode);
    rule.fieldSpans[x.key] = x.value ? f.spanOf(x.value) : ks;
    switch (x.key) {
      case "on": {
        if (!x.value || !isScalar(x.value) || x.value.value === null) {
          f.error("PB003", "bad-shape", "`on:` needs a trigger", ks);
          break;
        }
        const src = f.exprSource(x.value);
        const r = f.parsed("trigger", src.base, src.text, () => parseTrigger(src.text, src.spanOf));
        f.diags.push(...r.diagnostics);
        if (r.trigger) rule.on = r.trigger;
        break;
      }
      case "who":
      case "unless": {
        const ex = exprAt(f, x.value, x.key, ks);
        if (ex) rule[x.key] = ex;
        break;
      }
      case "priority": {
        const n = asNumber(f, x.value, "priority", ks);
        if (n !== null) rule.priority = n;
        break;
      }
      case "exclusive": {
        const b = asBool(f, x.value, "exclusive", ks);
        if (b !== null) rule.exclusive = b;
        break;
      }
      case "queue":
      case "expires": {
        const ms = durationAt(f, x.value, x.key, ks);
        if (ms !== null) rule[x.key] = ms;
        break;
      }
      case "exit":
        rule.exit = readExit(f, x.value, ks);
        break;
      case "include_current": {
        const b = asBool(f, x.value, "include_current", ks);
        if (b !== null) rule.includeCurrent = b;
        break;
      }
      case "holdout": {
        const p = percentAt(f, x.value, "holdout", ks);
        if (p !== null) rule.holdout = p;
        break;
      }
      case "salt":
        rule.salt = asText(f, x.value, "salt", ks) ?? id;
        break;
      case "send":
        send = { node: x.value, span: ks };
        break;
      case "steps":
        steps = { node: x.value, span: ks };
        break;
      case "variants":
        variants = { node: x.value, span: ks };
        break;
      case "holdout_group": {
        const g = asText(f, x.value, "holdout_group", ks);
        if (g !== null) {
          checkName(f, g, "holdout group", f.spanOf(x.value));
          rule.holdoutGroup = g;
        }
        break;
      }
    }
  }
  if (!rule.on) {
    if (!es.some((x) => x.key === "on")) f.error("PB007", "missing-key", `rule "${id}" has no \`on:\` trigger`, span, "add e.g. `on: signed_up`");
    rule.on = { kind: "event", span, event: "", eventSpan: span };
  }
  if (rule.includeCurrent !== undefined && rule.on.kind !== "enter") {
    f.error("PB018", "include-current-not-enter", `\`include_current\` of rule "${id}" is only for \`on: enter SEGMENT\``, f.spanOf(es.find((x) => x.key === "include_current")!.keyNode), "remove it: only an enter trigger has members to include");
  }
  if (rule.holdoutGroup !== undefined) {
    const sk = es.find((x) => x.key === "salt");
    if (sk) f.error("PB021", "holdout-group-mismatch", `rule "${id}" sets a \`salt\` and a \`holdout_group\``, f.spanOf(sk.keyNode), "the group's salt is shared by its rules: remove `salt`");
    rule.salt = groupSalt(rule.holdoutGroup);
  }
  if (variants) {
    if (send || steps) f.error("PB020", "variant-shape", `rule "${id}" has \`variants:\` and \`${send ? "send" : "steps"}:\``, (send ?? steps)!.span, "with variants, each arm gives its own `send:` or `steps:`");
    rule.arms = readRuleArms(f, rule, variants.node, variants.span, (arm, s, st, at) => readJourney(f, rule, s, st, at, `variant "${arm}" of rule "${id}"`));
    rule.steps = rule.arms[0]?.steps ?? [];
    rule.isCadence = rule.arms[0]?.isCadence ?? false;
  } else {
    const j = readJourney(f, rule, send, steps, span, `rule "${id}"`);
    rule.steps = j.steps;
    rule.isCadence = j.isCadence;
  }
  checkArmPlaces(f, rule);
  return rule;
}

type At = { node: Node | null; span: Span } | undefined;

/** A journey: `send:` (one step) or `steps:` (a cadence), of a rule or of one of its arms (PB005). */
function readJourney(f: YamlFile, rule: Rule, send: At, steps: At, span: Span, label: string): { steps: Step[]; isCadence: boolean } {
  const out: Step[] = [];
  if (send && steps) f.error("PB005", "send-or-steps", `${label} has both \`send:\` and \`steps:\``, steps.span, "a rule sends one message (`send:`) or runs a cadence (`steps:`), not both");
  else if (!send && !steps) f.error("PB005", "send-or-steps", `${label} has neither \`send:\` nor \`steps:\``, span, "add `send: { channel: email, template: … }`");
  if (steps) {
    const items = asList(f, steps.node, "steps", steps.span) ?? [];
    items.forEach((it, i) => {
      const st = readStep(f, rule, i + 1, it);
      if (st) out.push(st);
    });
    if (items.length === 0) f.error("PB003", "bad-shape", "`steps:` needs at least one step", steps.span);
    return { steps: out, isCadence: true };
  }
  if (send) {
    const st = readStep(f, rule, 1, send.node);
    if (st) out.push(st);
  }
  return { steps: out, isCadence: false };
}

function readStep(f: YamlFile, rule: Rule, index: number, node: Node | null): Step | null {
  const span = node ? f.spanOf(node) : rule.span;
  const map = asMap(f, node, `step ${index} of "${rule.id}"`, span);
  if (!map) return null;
  const es = entries(f, map);
  checkKeys(f, es, STEP_KEYS, `a step of rule "${rule.id}"`);
  const step: Step = { index, span, after: null, channels: [], topic: rule.id };
  for (const x of es) {
    const ks = f.spanOf(x.keyNode);
    switch (x.key) {
      case "after": {
        const ms = durationAt(f, x.value, "after", ks);
        if (ms !== null) step.after = { kind: "duration", ms, raw: String((x.value as { value: unknown }).value), span: f.spanOf(x.value) };
        break;
      }
      case "if":
      case "unless": {
        const ex = exprAt(f, x.value, x.key, ks);
        if (ex) step[x.key] = ex;
        break;
      }
      case "channel": {
        const items = asList(f, x.value, "channel", ks, true) ?? [];
        for (const it of items) {
          const name = asText(f, it, "a channel", ks);
          if (name !== null) step.channels.push({ name, span: f.spanOf(it) });
        }
        if (items.length === 0) f.error("PB003", "bad-shape", "`channel:` needs at least one channel", ks);
        break;
      }
      case "template": {
        const name = asText(f, x.value, "template", ks);
        if (name !== null) step.template = { name, span: f.spanOf(x.value) } as Named;
        break;
      }
      case "topic": {
        const t = asText(f, x.value, "topic", ks);
        if (t !== null) {
          step.topic = t;
          step.topicSpan = f.spanOf(x.value);
        }
        break;
      }
      case "variants":
        step.variants = readContentArms(f, rule.id, index, x.value, ks);
        if (step.variants[0]) step.template ??= step.variants[0].template;
        break;
      case "offer": {
        const om = asMap(f, x.value, "offer", ks);
        if (!om) break;
        const oes = entries(f, om);
        checkKeys(f, oes, OFFER_KEYS, "offer");
        const code = oes.find((o) => o.key === "code");
        const cost = oes.find((o) => o.key === "cost");
        step.offer = {
          code: code ? asText(f, code.value, "offer code", ks) ?? "" : "",
          cost: cost ? asNumber(f, cost.value, "offer cost", ks) ?? 0 : 0,
          span: f.spanOf(x.value),
        };
        if (!code) f.error("PB007", "missing-key", "an offer needs a `code`", f.spanOf(x.value));
        break;
      }
    }
  }
  if (!es.some((x) => x.key === "channel")) f.error("PB007", "missing-key", `step ${index} of rule "${rule.id}" has no \`channel:\``, span);
  const tk = es.find((x) => x.key === "template");
  if (step.variants && tk) f.error("PB020", "variant-shape", `step ${index} of rule "${rule.id}" has \`variants:\` and \`template:\``, f.spanOf(tk.keyNode), "each content variant names its own template");
  if (node && !isMap(node)) return null;
  return step;
}
