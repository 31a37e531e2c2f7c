/**
 * Names of a workspace: the one namespace of attributes, segments and events,
 * and every reference that is not inside an expression (triggers, channels and
 * templates of steps, caps, exits, the goal, rfm, template fields). Names inside
 * expressions are resolved by the type checker as it walks them, because what a
 * bare name means depends on where it stands (`where` props first, then the
 * trigger event's props, then the workspace).
 */
import type { AttributeDef, EventDef, Expr, Span, Workspace } from "./ast.ts";
import type { Diagnostic } from "./diagnostics.ts";
import { codeInfo } from "./codes.ts";
import { didYouMean } from "./fuzzy.ts";
import { allSteps } from "./variants.ts";

/** The built-in `customer_id` attribute; it never needs declaring. */
const CUSTOMER_ID: AttributeDef = {
  name: "customer_id",
  type: { base: "string", nullable: false },
  span: { file: "", start: 0, end: 0, line: 0, col: 0, endLine: 0, endCol: 0 },
};

/** The workspace's global names, by kind. */
export interface Namespace {
  attributes: Map<string, AttributeDef>;
  segments: Set<string>;
  events: Map<string, EventDef>;
}

/** Makes a diagnostic with the registered name and severity of `code`. */
export function diag(code: string, message: string, span: Span | undefined, hint?: string, related?: Diagnostic["related"]): Diagnostic {
  const info = codeInfo(code);
  const d: Diagnostic = { code: info.code, name: info.name, severity: info.severity, message };
  if (span && span.line > 0) d.span = span;
  if (hint) d.hint = hint;
  if (related && related.length) d.related = related.filter((r) => r.span.line > 0);
  return d;
}

/** `did you mean "x"?` for the closest candidate, or undefined. */
export function suggest(name: string, candidates: Iterable<string>): string | undefined {
  const best = didYouMean(name, candidates);
  return best === undefined ? undefined : `did you mean "${best}"?`;
}

/**
 * Builds the namespace and reports definitions that take a built-in name
 * (PB108). Names defined twice, within a kind or across kinds, are reported by
 * the loader (PB006).
 */
export function buildNamespace(ws: Workspace, out: Diagnostic[]): Namespace {
  const attributes = new Map<string, AttributeDef>([["customer_id", CUSTOMER_ID]]);
  for (const [n, a] of ws.schema.customer) attributes.set(n, a);
  const ns: Namespace = { attributes, segments: new Set(ws.segments.keys()), events: ws.schema.events };
  // Two definitions of one name (across kinds too) are the loader's PB006; here only the built-ins.
  const defs: [string, string, Span][] = [
    ...[...ws.schema.customer.values()].map((a) => ["attribute", a.name, a.span] as [string, string, Span]),
    ...[...ws.segments.values()].map((x) => ["segment", x.name, x.span] as [string, string, Span]),
    ...[...ws.schema.events.values()].filter((e) => !e.builtin).map((e) => ["event", e.name, e.span] as [string, string, Span]),
  ];
  for (const [kind, name, span] of defs) {
    if (name === "rfm") out.push(diag("PB108", `"rfm" is built in (the customer's RFM scores); a ${kind} cannot take its name`, span, "choose another name"));
    if (name === "customer_id" && kind !== "attribute") out.push(diag("PB108", `"customer_id" is the built-in customer attribute; a ${kind} cannot take its name`, span, "choose another name"));
  }
  return ns;
}

/** Reports an unknown event at `span` unless it exists. Returns the event. */
export function needEvent(ns: Namespace, name: string, span: Span, out: Diagnostic[]): EventDef | undefined {
  const ev = ns.events.get(name);
  if (!ev) out.push(diag("PB102", `unknown event "${name}"`, span, suggest(name, ns.events.keys()) ?? "events are declared under schema.events"));
  return ev;
}

/**
 * Resolves every reference outside expressions: triggers, steps' channels and
 * templates, caps, exits, defaults.goal, rfm and template fields.
 */
export function resolveReferences(ws: Workspace, ns: Namespace, out: Diagnostic[]): void {
  for (const rule of ws.rules.values()) {
    const on = rule.on;
    if (on) {
      switch (on.kind) {
        case "event":
        case "after":
        case "inactivity":
          needEvent(ns, on.event, on.eventSpan, out);
          break;
        case "before":
        case "anniversary": {
          const a = ns.attributes.get(on.attribute);
          if (!a) {
            out.push(diag("PB104", `unknown attribute "${on.attribute}"`, on.attributeSpan, suggest(on.attribute, ns.attributes.keys())));
          } else if (a.type.base !== "date" && a.type.base !== "datetime") {
            const form = on.kind === "before" ? "before" : "anniversary of";
            out.push(diag("PB203", `"${form}" needs a date or datetime attribute, but "${on.attribute}" is ${typeName(a.type)}`, on.attributeSpan));
          }
          break;
        }
        case "enter":
        case "leave":
          if (!ns.segments.has(on.segment)) out.push(diag("PB103", `unknown segment "${on.segment}"`, on.segmentSpan, suggest(on.segment, ns.segments)));
          break;
        default:
          break;
      }
    }
    for (const step of rule.steps ? allSteps(rule) : []) {
      for (const ch of step.channels ?? []) {
        if (!ws.channels.has(ch.name)) out.push(diag("PB105", `unknown channel "${ch.name}"`, ch.span, suggest(ch.name, ws.channels.keys()) ?? "channels are defined under channels"));
      }
      if (step.template && !ws.templates.has(step.template.name)) {
        out.push(diag("PB106", `unknown template "${step.template.name}"`, step.template.span, suggest(step.template.name, ws.templates.keys())));
      }
      for (const v of (step.variants ?? []).slice(1)) {
        if (!ws.templates.has(v.template.name)) out.push(diag("PB106", `unknown template "${v.template.name}"`, v.template.span, suggest(v.template.name, ws.templates.keys())));
      }
    }
    for (const ex of rule.exit ?? []) needEvent(ns, ex.event, ex.eventSpan, out);
  }
  for (const cap of ws.caps) {
    if (cap.kind === "max" && cap.scope.kind === "channel" && !ws.channels.has(cap.scope.channel)) {
      out.push(diag("PB105", `unknown channel "${cap.scope.channel}"`, cap.scope.span, suggest(cap.scope.channel, ws.channels.keys()) ?? "a scope is a channel, topic or rule"));
    }
    if (cap.kind === "pause") needEvent(ns, cap.event, cap.eventSpan, out);
  }
  for (const ex of ws.defaults.exit ?? []) needEvent(ns, ex.event, ex.eventSpan, out);
  if (ws.defaults.goal !== null && ws.defaults.goal !== undefined) {
    needEvent(ns, ws.defaults.goal, ws.defaults.spans?.goal ?? ws.defaults.spans?.defaults ?? ws.rfm?.span!, out);
  }
  if (ws.rfm) {
    const ev = needEvent(ns, ws.rfm.event, valueSpan(ws, ws.rfm.span, "event", ws.rfm.event), out);
    const prop = ev?.props.get(ws.rfm.value);
    const at = valueSpan(ws, ws.rfm.span, "value", ws.rfm.value);
    if (ev && !prop) out.push(diag("PB107", `event "${ev.name}" has no prop "${ws.rfm.value}" (rfm.value)`, at, suggest(ws.rfm.value, ev.props.keys())));
    else if (prop && prop.type.base !== "number") out.push(diag("PB206", `rfm.value must be a number prop, but "${ws.rfm.value}" is ${typeName(prop.type)}`, at));
  }
  for (const t of ws.templates.values()) {
    for (const f of t.fields ?? []) {
      if (!ns.attributes.has(f.name)) out.push(diag("PB104", `template field "${f.name}" is not a customer attribute`, f.span, suggest(f.name, ns.attributes.keys())));
    }
  }
}

/**
 * The span of `key: value` 's value inside a section that the AST records only
 * as a whole (rfm), found in the source text; the section's span when absent.
 */
function valueSpan(ws: Workspace, section: Span, key: string, value: string): Span {
  const text = ws.files.find((f) => f.path === section.file)?.text;
  if (!text) return section;
  const re = new RegExp(`\\b${key}:[ \\t]*["']?(${value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")})`, "g");
  re.lastIndex = section.start;
  const m = re.exec(text);
  if (!m || m.index > section.end + 200) return section;
  const start = m.index + m[0].length - m[1]!.length;
  const before = text.slice(0, start);
  const line = before.split("\n").length;
  const col = start - before.lastIndexOf("\n");
  return { file: section.file, start, end: start + value.length, line, col, endLine: line, endCol: col + value.length };
}

/** Every node of an expression, parents before children. */
export function walkExpr(e: Expr | undefined, visit: (e: Expr) => void): void {
  if (!e) return;
  visit(e);
  switch (e.kind) {
    case "list":
      for (const i of e.items) walkExpr(i, visit);
      break;
    case "member":
      walkExpr(e.object, visit);
      break;
    case "call":
      for (const a of e.args) walkExpr(a, visit);
      break;
    case "agg":
    case "exists":
      walkExpr(e.where, visit);
      break;
    case "unary":
      walkExpr(e.operand, visit);
      break;
    case "binary":
    case "in":
      walkExpr(e.left, visit);
      walkExpr(e.right, visit);
      break;
    case "between":
      walkExpr(e.value, visit);
      walkExpr(e.low, visit);
      walkExpr(e.high, visit);
      break;
    default:
      break;
  }
}

/** Segments an expression refers to (after the type checker filled refs). */
export function segmentRefs(e: Expr | undefined): { name: string; span: Span }[] {
  const out: { name: string; span: Span }[] = [];
  walkExpr(e, (n) => {
    if (n.kind === "name" && n.ref?.kind === "segment") out.push({ name: n.name, span: n.span });
  });
  return out;
}

/**
 * Segment cycles (PB109), each reported once, at the first segment of the
 * cycle in source order, with the path: `a → b → a`.
 */
export function findSegmentCycles(ws: Workspace, out: Diagnostic[]): void {
  const deps = new Map<string, { name: string; span: Span }[]>();
  for (const [n, s] of ws.segments) deps.set(n, segmentRefs(s.expr).filter((r) => ws.segments.has(r.name)));
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const reported = new Set<string>();
  const visit = (n: string): void => {
    state.set(n, "open");
    stack.push(n);
    for (const d of deps.get(n) ?? []) {
      const st = state.get(d.name);
      if (st === "open") {
        const cycle = stack.slice(stack.indexOf(d.name));
        const key = [...cycle].sort().join(",");
        if (!reported.has(key)) {
          reported.add(key);
          const path = [...cycle, d.name].join(" → ");
          const first = ws.segments.get(cycle[0]!)!;
          const related = cycle.slice(1).map((c) => ({ message: `"${c}" is part of the cycle`, span: ws.segments.get(c)!.span }));
          out.push(diag("PB109", `segment "${cycle[0]}" depends on itself: ${path}`, first.span, "break the loop: a segment cannot be defined in terms of itself", related));
        }
      } else if (st === undefined) visit(d.name);
    }
    stack.pop();
    state.set(n, "done");
  };
  for (const n of ws.segments.keys()) if (!state.has(n)) visit(n);
}

/** A type as a marketer reads it: `a string`, `a number that may be empty`. */
export function typeName(t: { base: string; nullable: boolean; elem?: { base: string } }): string {
  const base =
    t.base === "list" ? `a list${t.elem && t.elem.base !== "error" ? ` of ${t.elem.base}s` : ""}` :
    t.base === "event" ? "an event" :
    t.base === "bool" ? "true/false" :
    t.base === "null" ? "null" :
    t.base === "rfm" ? "the RFM record" :
    `a ${t.base}`;
  return t.nullable && t.base !== "null" ? `${base} (may be null)` : base;
}
