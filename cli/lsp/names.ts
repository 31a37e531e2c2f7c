/**
 * Completion, hover and go-to-definition over the last checked workspace of
 * the document's folder: what may stand at the cursor (by `context.ts`), and
 * what a name under it is.
 */
import { CompletionItemKind, type CompletionItem } from "vscode-languageserver";
import type { Span, Type, Workspace } from "../../language/ast.ts";
import { SECTIONS } from "../../language/workspace.ts";
import { RULE_KEYS, STEP_KEYS, OFFER_KEYS } from "../../language/rules.ts";
import { ALERT_KEYS, CHANNEL_KEYS, DEFAULTS_KEYS, RFM_KEYS, SCHEMA_KEYS, TEMPLATE_KEYS } from "../../language/sections.ts";
import { typeName } from "../../language/resolver.ts";
import { sourceText } from "../../language/check.ts";
import type { Place } from "./context.ts";

/** `string?`, `[number]`: a type as it is written in `schema:`. */
export function typeText(t: Type): string {
  const base = t.base === "list" ? `[${t.elem ? typeText(t.elem) : "?"}]` : t.base;
  return t.nullable && t.base !== "null" ? `${base}?` : base;
}

/** The keys a map at `path` may hold (null: its keys are names the user defines). */
function keysAt(path: string[]): readonly string[] | null {
  const p = path.join(" ");
  if (path.length === 0) return SECTIONS;
  if (p === "schema") return SCHEMA_KEYS;
  if (p === "defaults") return DEFAULTS_KEYS;
  if (p === "rfm") return RFM_KEYS;
  if (p === "alerts") return Object.keys(ALERT_KEYS);
  if (path[0] === "channels" && path.length === 2) return CHANNEL_KEYS;
  if (path[0] === "templates" && path.length === 2) return TEMPLATE_KEYS;
  if (path[0] === "rules") {
    if (path.length === 2) return RULE_KEYS;
    const inner = path.slice(2).join(" ");
    if (inner === "send" || inner === "steps -") return STEP_KEYS;
    if (inner === "send offer" || inner === "steps - offer") return OFFER_KEYS;
  }
  return null;
}

/** Keys whose value is an expression (conditions), by the map they stand in. */
const EXPR_KEYS = new Set(["who", "unless", "if", "requires", "suppress", "where"]);
const TYPES = ["string", "number", "bool", "date", "datetime", "duration"];

/** The trigger event of the rule the place is in, if any. */
function triggerEvent(ws: Workspace, path: string[]): string | undefined {
  if (path[0] !== "rules" || !path[1]) return undefined;
  const on = ws.rules.get(path[1])?.on;
  return on && (on.kind === "event" || on.kind === "after" || on.kind === "inactivity") ? on.event : undefined;
}

/** The completion items for a place. */
export function complete(ws: Workspace, place: Place): CompletionItem[] {
  const items: CompletionItem[] = [];
  const add = (names: Iterable<string>, kind: CompletionItemKind, detail: (n: string) => string) => {
    for (const n of names) items.push({ label: n, kind, detail: detail(n) });
  };
  const { path } = place;
  const attributes = () => add(ws.schema.customer.keys(), CompletionItemKind.Variable, (n) => `attribute: ${typeText(ws.schema.customer.get(n)!.type)}`);
  const events = () => add(ws.schema.events.keys(), CompletionItemKind.Event, () => "event");
  const segments = () => add(ws.segments.keys(), CompletionItemKind.Reference, () => "segment");
  const props = (event: string | undefined) => {
    const ev = event ? ws.schema.events.get(event) : undefined;
    if (ev) add(ev.props.keys(), CompletionItemKind.Field, (n) => `prop of ${ev.name}: ${typeText(ev.props.get(n)!.type)}`);
  };
  if (place.atKey) {
    const keys = keysAt(path);
    if (keys) add(keys, CompletionItemKind.Property, () => (path.length ? `key of ${path.filter((k) => k !== "-").join(".")}` : "section"));
    return items;
  }
  const key = place.valueKey ?? "";
  // A value standing directly under a section key (`suppress: …`, a segment's expression).
  const exprHere = EXPR_KEYS.has(key) || (path.length === 1 && path[0] === "segments") || (path.length === 0 && key === "suppress");
  if (key === "channel") add(ws.channels.keys(), CompletionItemKind.Module, (n) => `channel (cost ${ws.channels.get(n)!.cost})`);
  else if (key === "template") add(ws.templates.keys(), CompletionItemKind.Value, () => "template");
  else if (key === "on") {
    const where = /\bwhere\b/.exec(place.before);
    if (where) {
      props(/on:\s*(?:\S+\s+after\s+)?([A-Za-z_]\w*)/.exec(place.before)?.[1]);
      attributes();
      segments();
    } else if (/\b(of|before)\s+\w*$/.test(place.before)) attributes();
    else if (/\b(enter|leave)\s+\w*$/.test(place.before)) segments();
    else events();
  } else if (key === "goal" || key === "exit" || key === "event") events();
  else if ((path[0] === "schema" && (path[1] === "customer" || path[1] === "events")) && path.length >= 2) add(TYPES, CompletionItemKind.TypeParameter, () => "type");
  else if (exprHere) {
    props(triggerEvent(ws, path));
    attributes();
    segments();
    events();
  }
  return items;
}

/** Markdown for the name `name` (after `owner.` when given), as the workspace defines it. */
export function hoverText(ws: Workspace, name: string, owner: string | undefined, path: string[]): string | null {
  const code = (s: string) => "```playbook\n" + s + "\n```";
  if (owner) {
    const ev = ws.schema.events.get(owner);
    const p = ev?.props.get(name);
    if (p) return `prop \`${owner}.${name}\`: \`${typeText(p.type)}\` — ${typeName(p.type)}`;
  }
  const trig = triggerEvent(ws, path);
  const tp = trig ? ws.schema.events.get(trig)?.props.get(name) : undefined;
  if (tp) return `prop \`${name}\` of the trigger \`${trig}\`: \`${typeText(tp.type)}\` — ${typeName(tp.type)}`;
  const seg = ws.segments.get(name);
  if (seg) return `segment \`${name}\`\n\n${code(sourceText(ws, seg.expr.span))}`;
  const attr = ws.schema.customer.get(name);
  if (attr) return `customer attribute \`${name}\`: \`${typeText(attr.type)}\` — ${typeName(attr.type)}`;
  const ev = ws.schema.events.get(name);
  if (ev) {
    const ps = [...ev.props.values()].map((p) => `${p.name}: ${typeText(p.type)}`);
    return `event \`${name}\`${ev.builtin ? " (built in)" : ""}${ps.length ? `\n\n${code(ps.join("\n"))}` : " (no props)"}`;
  }
  const ch = ws.channels.get(name);
  if (ch) return `channel \`${name}\`: cost ${ch.cost}${ch.requires ? `, requires \`${sourceText(ws, ch.requires.span)}\`` : ""}`;
  const t = ws.templates.get(name);
  if (t) return `template \`${name}\`${t.fields.length ? `: fields ${t.fields.map((x) => `\`${x.name}\``).join(", ")}` : ""}`;
  const rule = ws.rules.get(name);
  if (rule) return `rule \`${name}\`: on \`${rule.on ? sourceText(ws, rule.on.span) : "?"}\`, priority ${rule.priority}`;
  return null;
}

/** Where `name` is defined: segments, templates and channels, also events, attributes, props and rules. */
export function definitionOf(ws: Workspace, name: string, owner: string | undefined, path: string[]): Span | null {
  if (owner) {
    const p = ws.schema.events.get(owner)?.props.get(name);
    if (p && p.span.file !== "<built-in>") return p.span;
  }
  const trig = triggerEvent(ws, path);
  const tp = trig ? ws.schema.events.get(trig)?.props.get(name) : undefined;
  const found = tp ?? ws.segments.get(name) ?? ws.templates.get(name) ?? ws.channels.get(name) ?? ws.schema.customer.get(name) ?? ws.schema.events.get(name) ?? ws.rules.get(name);
  return found && found.span.file !== "<built-in>" ? found.span : null;
}
