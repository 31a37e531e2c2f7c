/**
 * Files → one Workspace. All files of a folder form one program: any file may
 * hold any section, names are global, and a name defined twice is reported
 * citing both places. The loader never throws on content: it returns what it
 * could build plus diagnostics.
 */
import { isMap, isScalar } from "yaml";
import type { AttributeDef, EventDef, SourceFile, Workspace } from "./ast.ts";
import { FEEDBACK_EVENTS } from "./ast.ts";
import type { Diagnostic } from "./diagnostics.ts";
import { checkKeys, entries, YamlFile } from "./yaml-source.ts";
import { readAlerts, readCaps, readChannels, readDefaults, readRfm, readSource, readSchema, readSegments, readTemplates, exprAt, type Seen } from "./sections.ts";
import { readRules } from "./rules.ts";
import type { ParseCache } from "./parse-cache.ts";

export const SECTIONS = ["schema", "defaults", "channels", "caps", "suppress", "rfm", "source", "templates", "segments", "rules", "alerts"] as const;

const DAY = 86_400_000;

/** An empty workspace with the language's defaults (documented in docs/language.md). */
export function emptyWorkspace(root: string): Workspace {
  const events = new Map<string, EventDef>();
  const span = { file: "<built-in>", start: 0, end: 0, line: 1, col: 1, endLine: 1, endCol: 1 };
  for (const name of FEEDBACK_EVENTS) {
    const props = new Map<string, AttributeDef>([
      ["rule", { name: "rule", type: { base: "string" as const, nullable: false }, span }],
      ["step", { name: "step", type: { base: "number" as const, nullable: false }, span }],
      ["channel", { name: "channel", type: { base: "string" as const, nullable: false }, span }],
    ]);
    if (name === "message_bounced") props.set("hard", { name: "hard", type: { base: "bool" as const, nullable: false }, span });
    events.set(name, { name, props, span, builtin: true });
  }
  return {
    root,
    files: [],
    schema: { customer: new Map(), events },
    defaults: { timezone: "UTC", sendHours: null, holdout: 0.1, globalHoldout: 0, attribution: 7 * DAY, goal: null, exit: [], expires: DAY, spans: {} },
    channels: new Map(),
    caps: [],
    templates: new Map(),
    segments: new Map(),
    rules: new Map(),
    alerts: {},
  };
}

/**
 * Builds a workspace from files already read (sorted by path here). With `cache`, parses of
 * files whose text is unchanged since the last build with it are reused (parse-cache.ts).
 */
export function buildWorkspace(root: string, files: SourceFile[], cache?: ParseCache): { workspace: Workspace; diagnostics: Diagnostic[] } {
  const ws = emptyWorkspace(root);
  const diags: Diagnostic[] = [];
  const seen: Seen = new Map();
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const src of sorted) {
    let text = src.text;
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    ws.files.push(src.name === undefined ? { path: src.path, text } : { path: src.path, text, name: src.name });
    if (text.includes("\u0000") || text.includes("\uFFFD")) {
      const at = Math.max(text.indexOf("\u0000"), text.indexOf("\uFFFD"));
      const f = new YamlFile(src.path, "", diags);
      diags.push({ code: "PB008", name: "not-text", severity: "error", message: "this file is not UTF-8 text", span: { ...f.span(0, 0), start: at, end: at + 1 } });
      continue;
    }
    const before = diags.length;
    const f = new YamlFile(src.path, text, diags, cache?.file(src.path, text));
    readFile(f, ws, seen);
    dropInsideAliases(f, diags, before);
  }
  cache?.retain(sorted.map((f) => f.path));
  return { workspace: ws, diagnostics: diags };
}

/**
 * An alias is reported once (PB014); what the readers then said about the
 * same place (not a map, not an expression) is the same cause again.
 */
function dropInsideAliases(f: YamlFile, diags: Diagnostic[], from: number): void {
  if (!f.aliasRanges.length) return;
  const inside = (d: Diagnostic) => d.code !== "PB014" && d.span?.file === f.path && f.aliasRanges.some(([s, e]) => d.span!.start >= s && d.span!.end <= e);
  const kept = diags.slice(from).filter((d) => !inside(d));
  diags.splice(from, diags.length - from, ...kept);
}

function readFile(f: YamlFile, ws: Workspace, seen: Seen): void {
  const root = f.doc?.contents;
  if (!f.doc) return;
  if (root === null || root === undefined || (isScalar(root) && (root.value === null || root.value === ""))) {
    f.warn("PB017", "empty-file", "this file is empty", f.span(0, 0), "delete it, or add a section (schema, rules, …)");
    return;
  }
  if (!isMap(root)) {
    f.error("PB003", "bad-shape", "a playbook file is a map of sections (schema, rules, …)", f.spanOf(root));
    return;
  }
  const es = entries(f, root);
  checkKeys(f, es, SECTIONS, "the top level");
  for (const e of es) {
    const at = f.spanOf(e.keyNode);
    switch (e.key) {
      case "schema": readSchema(f, e.value, ws, seen, at); break;
      case "defaults": readDefaults(f, e.value, ws, at); break;
      case "channels": readChannels(f, e.value, ws, seen, at); break;
      case "caps": readCaps(f, e.value, ws, at); break;
      case "suppress": {
        if (ws.suppress) f.error("PB006", "duplicate-definition", "`suppress` is defined twice", at);
        else ws.suppress = exprAt(f, e.value, "suppress", at);
        break;
      }
      case "rfm": readRfm(f, e.value, ws, at); break;
      case "source": readSource(f, e.value, ws, at); break;
      case "templates": readTemplates(f, e.value, ws, seen, at); break;
      case "segments": readSegments(f, e.value, ws, seen, at); break;
      case "rules": readRules(f, e.value, ws, seen, at); break;
      case "alerts": readAlerts(f, e.value, ws, at); break;
    }
  }
}
