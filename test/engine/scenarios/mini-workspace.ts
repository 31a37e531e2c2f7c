/**
 * Builds a real `Workspace` AST from a scenario's compact description, with
 * the mini expression parser (see mini-expr.ts), so the scenario table can
 * run before the YAML front end lands. The shape mirrors the playbook YAML:
 * triggers, caps and send hours are written as in language.md.
 */
import type { Cap, CapScope, Channel, Defaults, DurationLit, Rule, Span, Step, Trigger, Workspace, Expr } from "../../../language/ast.ts";
import { FEEDBACK_EVENTS } from "../../../language/ast.ts";
import { durationMs, parseMini } from "./mini-expr.ts";

const span: Span = { file: "scenario", start: 0, end: 0, line: 1, col: 1, endLine: 1, endCol: 1 };
const dur = (raw: string): DurationLit => ({ kind: "duration", ms: durationMs(raw), raw, span });

/** A step as scenarios write it. */
export interface MiniStep { after?: string; if?: string; unless?: string; channel: string | string[]; template?: string; topic?: string }
/** A rule as scenarios write it. */
export interface MiniRule {
  on: string; who?: string; unless?: string; priority?: number; exclusive?: boolean; queue?: string; expires?: string;
  exit?: string[] | "none"; holdout?: number; salt?: string; send?: MiniStep; steps?: MiniStep[]; include_current?: boolean;
}
/** A workspace as scenarios write it. */
export interface MiniWorkspace {
  defaults?: { timezone?: string; send_hours?: string; holdout?: number; global_holdout?: number; exit?: string[]; expires?: string };
  /** channel → requires expression (or null) */
  channels: Record<string, string | null>;
  caps?: string[];
  suppress?: string;
  templates?: Record<string, string[]>;
  segments?: Record<string, string>;
  /** attribute → type name (date/datetime matter for `before` and `anniversary`) */
  attributes?: Record<string, string>;
  rules: Record<string, MiniRule>;
}

function trigger(s: string): Trigger {
  let m: RegExpExecArray | null;
  if ((m = /^(\d+[smhdw]) after (\w+)(?: where (.+))?$/.exec(s))) return { kind: "after", span, delay: dur(m[1]!), event: m[2]!, eventSpan: span, ...(m[3] ? { where: parseMini(m[3]) } : {}) };
  if ((m = /^(\d+[smhdw]) before (\w+)$/.exec(s))) return { kind: "before", span, lead: dur(m[1]!), attribute: m[2]!, attributeSpan: span };
  if ((m = /^anniversary of (\w+)$/.exec(s))) return { kind: "anniversary", span, attribute: m[1]!, attributeSpan: span };
  if ((m = /^no (\w+) for (\d+[smhdw])$/.exec(s))) return { kind: "inactivity", span, event: m[1]!, eventSpan: span, duration: dur(m[2]!) };
  if ((m = /^(enter|leave) (\w+)$/.exec(s))) return { kind: m[1] as "enter" | "leave", span, segment: m[2]!, segmentSpan: span };
  if ((m = /^every (\w+) at (\d\d):(\d\d)$/.exec(s))) return { kind: "every", span, day: m[1] as "day", time: `${m[2]}:${m[3]}`, minuteOfDay: +m[2]! * 60 + +m[3]! };
  if ((m = /^once at (\S+)$/.exec(s))) {
    const z = /Z|[+-]\d\d:\d\d$/.test(m[1]!);
    return { kind: "once", span, local: m[1]!, utcMs: z ? Date.parse(m[1]!) : null };
  }
  if ((m = /^(\w+)(?: where (.+))?$/.exec(s))) return { kind: "event", span, event: m[1]!, eventSpan: span, ...(m[2] ? { where: parseMini(m[2]) } : {}) };
  throw new Error(`bad trigger ${s}`);
}

function cap(s: string): Cap {
  let m: RegExpExecArray | null;
  if ((m = /^(?:(\w+): )?max (\d+) per (\d+[smhdw])$/.exec(s))) {
    const sc = m[1];
    const scope: CapScope = !sc ? { kind: "all" as const } : sc === "topic" || sc === "rule" ? { kind: sc as "topic" | "rule" } : { kind: "channel" as const, channel: sc, span };
    return { kind: "max", span, scope, count: Number(m[2]), per: dur(m[3]!) };
  }
  if ((m = /^gap (\d+[smhdw]) between messages$/.exec(s))) return { kind: "gap", span, duration: dur(m[1]!) };
  if ((m = /^pause (\d+[smhdw]) after (\w+)$/.exec(s))) return { kind: "pause", span, duration: dur(m[1]!), event: m[2]!, eventSpan: span };
  throw new Error(`bad cap ${s}`);
}

function hhmm(s: string): number {
  const [h, m] = s.split(":").map(Number);
  return h! * 60 + m!;
}

/** The Workspace AST for a scenario. */
export function buildWorkspace(w: MiniWorkspace): { ws: Workspace; segments: Map<string, Expr> } {
  const segments = new Map<string, Expr>(Object.entries(w.segments ?? {}).map(([k, v]) => [k, parseMini(v)]));
  const d = w.defaults ?? {};
  // `EVENT` or `EVENT where EXPR`, as in an exit: list.
  const exits = (names: string[]) =>
    names.map((text) => {
      const m = /^(\w+)(?: where (.+))?$/.exec(text);
      if (!m) throw new Error(`bad exit ${text}`);
      return { event: m[1]!, eventSpan: span, span, ...(m[2] ? { where: parseMini(m[2]) } : {}) };
    });
  const defaults: Defaults = {
    timezone: d.timezone ?? "UTC",
    sendHours: d.send_hours ? { from: hhmm(d.send_hours.split("-")[0]!), to: hhmm(d.send_hours.split("-")[1]!) } : null,
    holdout: d.holdout ?? 0, globalHoldout: d.global_holdout ?? 0, attribution: 7 * 86_400_000, goal: null,
    exit: exits(d.exit ?? []), expires: durationMs(d.expires ?? "1d"), spans: {},
  };
  const channels = new Map<string, Channel>(Object.entries(w.channels).map(([name, req]) => [name, { name, span, cost: 0, ...(req ? { requires: parseMini(req) } : {}) }]));
  const rules = new Map<string, Rule>();
  for (const [id, r] of Object.entries(w.rules)) {
    const stepsIn = r.steps ?? (r.send ? [r.send] : []);
    const steps: Step[] = stepsIn.map((s, i) => ({
      index: i + 1, span, after: s.after ? dur(s.after) : null,
      ...(s.if ? { if: parseMini(s.if) } : {}), ...(s.unless ? { unless: parseMini(s.unless) } : {}),
      channels: (Array.isArray(s.channel) ? s.channel : [s.channel]).map((name) => ({ name, span })),
      ...(s.template ? { template: { name: s.template, span } } : {}), topic: s.topic ?? id,
    }));
    rules.set(id, {
      id, span, on: trigger(r.on), ...(r.who ? { who: parseMini(r.who) } : {}), ...(r.unless ? { unless: parseMini(r.unless) } : {}),
      priority: r.priority ?? 50, exclusive: r.exclusive ?? true, queue: r.queue ? durationMs(r.queue) : 0,
      expires: r.expires ? durationMs(r.expires) : null, exit: r.exit === "none" ? [] : r.exit ? exits(r.exit) : null,
      holdout: r.holdout ?? null, salt: r.salt ?? id, steps, isCadence: !!r.steps, fieldSpans: {},
      ...(r.include_current !== undefined ? { includeCurrent: r.include_current } : {}),
    });
  }
  const customer = new Map(Object.entries(w.attributes ?? {}).map(([name, t]) => [name, { name, span, type: { base: t as "date", nullable: true } }]));
  const ws: Workspace = {
    root: "scenario", files: [{ path: "scenario.json", text: JSON.stringify(w) }],
    schema: { customer, events: new Map(FEEDBACK_EVENTS.map((n) => [n, { name: n, props: new Map(), span, builtin: true }])) },
    defaults, channels, caps: (w.caps ?? []).map(cap), ...(w.suppress ? { suppress: parseMini(w.suppress) } : {}),
    templates: new Map(Object.entries(w.templates ?? {}).map(([name, fields]) => [name, { name, span, fields: fields.map((f) => ({ name: f, span })) }])),
    segments: new Map([...segments].map(([name, expr]) => [name, { name, span, expr }])), rules, alerts: {},
  };
  return { ws, segments };
}
