/**
 * A workspace as the diff sees it: every segment, rule, cap, channel, default
 * (and suppress, rfm, template, alert, schema entry) as a flat map of fields to
 * canonical text. Canonical means: expressions through the normalizer (parse,
 * then `printExpr`), durations and percentages re-spelled, and a field left out
 * equal to its default written out — so only a change in meaning is a change.
 *
 * Read from the YAML directly rather than from the checked AST so a diff works
 * even when one side does not load cleanly (a PR that breaks a playbook still
 * deserves a diff; `playbook check` is where errors are reported).
 */
import { parseAllDocuments } from "yaml";
import type { SourceFile } from "../../language/ast.ts";

/** Normalizes one expression's text to its canonical form. */
export type ExprNormalizer = (text: string) => string;

/** What is compared. */
export type EntryKind = "segment" | "rule" | "cap" | "channel" | "default" | "suppress" | "rfm" | "template" | "alerts" | "attribute" | "event";

/** One field's canonical text; `expr` marks expressions (they get witnesses). */
export interface FieldValue { text: string; expr: boolean }

/** One named thing of the workspace. */
export interface Entry { kind: EntryKind; name: string; fields: Map<string, FieldValue>; file: string }

/** The whole workspace, keyed `kind:name`. */
export type View = Map<string, Entry>;

const DUR: [string, number][] = [["w", 604_800_000], ["d", 86_400_000], ["h", 3_600_000], ["m", 60_000], ["s", 1000]];

/** `24h` → `1d`; anything that is not a duration is returned as written. */
export function canonDuration(v: unknown): string {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$/.exec(String(v));
  if (!m) return String(v).trim();
  const ms = Number(m[1]) * DUR.find(([u]) => u === m[2])![1];
  for (const [u, size] of DUR) if (u !== "w" && ms % size === 0) return `${ms / size}${u}`;
  return `${ms / 1000}s`;
}

/** `10%`, `10.0%`, `0.1` → `10%`. */
export function canonPercent(v: unknown): string {
  const s = String(v).trim();
  const m = /^(\d+(?:\.\d+)?)\s*%$/.exec(s);
  const x = m ? Number(m[1]) / 100 : Number(s);
  return Number.isFinite(x) ? `${Math.round(x * 1e6) / 1e4}%` : s;
}

/** Token-level normalizer: the fallback when the expression parser is unavailable or the text does not parse. */
export function tokenNormalize(text: string): string {
  const toks = String(text).match(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|\d+(?:\.\d+)?[a-z%]*|[A-Za-z_][A-Za-z0-9_]*|==|!=|<=|>=|\?\?|\S/g) ?? [];
  return toks.join(" ").replace(/ ?([.]) ?/g, "$1").replace(/\( /g, "(").replace(/ \)/g, ")").replace(/ ,/g, ",");
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === "object" && !Array.isArray(v);
const list = (v: unknown): unknown[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);

/** Stable JSON (sorted keys) for values compared as data (JSON Logic, lists). */
export function stableText(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableText).join(", ")}]`;
  if (isObj(v)) return `{${Object.keys(v).sort().map((k) => `${k}: ${stableText(v[k])}`).join(", ")}}`;
  return typeof v === "string" ? v : JSON.stringify(v);
}

class Builder {
  readonly view: View = new Map();
  constructor(private readonly norm: ExprNormalizer) {}

  entry(kind: EntryKind, name: string, file: string): Map<string, FieldValue> {
    const key = `${kind}:${name}`;
    // A name defined twice is the checker's error; the diff keeps the first.
    if (!this.view.has(key)) this.view.set(key, { kind, name, fields: new Map(), file });
    return this.view.get(key)!.fields;
  }

  expr(v: unknown): string {
    return this.norm(String(v));
  }

  /** `EVENT where EXPR` (triggers, exit events): the part after `where` is an expression. */
  whereForm(v: unknown): string {
    const s = String(v).trim();
    const m = /^(.*?)\s+where\s+([\s\S]*)$/.exec(s);
    const head = tokenNormalize(m ? m[1]! : s).replace(/\b(\d+(?:\.\d+)?[smhdw])\b/g, (d) => canonDuration(d));
    return m ? `${head} where ${this.expr(m[2])}` : head;
  }

  rule(id: string, r: Obj, file: string): void {
    const f = this.entry("rule", id, file);
    const set = (k: string, text: string, expr = false) => f.set(k, { text, expr });
    // A trigger's `where` is an expression (its witness gets a trigger event).
    set("on", this.whereForm(r.on), /\swhere\s/.test(String(r.on ?? "")));
    set("who", r.who === undefined ? "true" : this.expr(r.who), true);
    set("unless", r.unless === undefined ? "false" : this.expr(r.unless), true);
    set("priority", String(r.priority ?? 50));
    set("exclusive", String(r.exclusive ?? true));
    set("queue", r.queue === undefined ? "0s" : canonDuration(r.queue));
    set("expires", r.expires === undefined ? "(default)" : canonDuration(r.expires));
    set("exit", r.exit === undefined ? "(default)" : this.exits(r.exit));
    set("holdout", r.holdout === undefined ? "(default)" : canonPercent(r.holdout));
    set("salt", String(r.salt ?? id));
    const steps = r.steps !== undefined ? list(r.steps) : r.send !== undefined ? [r.send] : [];
    set("shape", r.steps !== undefined ? `cadence of ${steps.length}` : "one message");
    steps.forEach((st, i) => {
      const s = isObj(st) ? st : {};
      const p = `step ${i + 1}`;
      set(`${p}.after`, s.after === undefined ? "0s" : canonDuration(s.after));
      if (s.if !== undefined) set(`${p}.if`, this.expr(s.if), true);
      if (s.unless !== undefined) set(`${p}.unless`, this.expr(s.unless), true);
      set(`${p}.channel`, list(s.channel).map(String).join(", "));
      if (s.template !== undefined) set(`${p}.template`, String(s.template));
      set(`${p}.topic`, String(s.topic ?? id));
      if (s.offer !== undefined) set(`${p}.offer`, stableText(s.offer));
    });
  }

  exits(v: unknown): string {
    if (v === "none") return "none";
    return list(v).map((e) => this.whereForm(e)).sort().join(" | ");
  }

  file(f: SourceFile): void {
    for (const doc of parseAllDocuments(f.text)) {
      const root = doc.toJS({ maxAliasCount: 100 }) as unknown;
      if (!isObj(root)) continue;
      this.sections(root, f.path);
    }
  }

  sections(root: Obj, file: string): void {
    for (const [name, v] of Object.entries(isObj(root.segments) ? root.segments : {})) {
      const isJl = isObj(v) && "jsonlogic" in v;
      this.entry("segment", name, file).set("expr", { text: isJl ? `jsonlogic ${stableText((v as Obj).jsonlogic)}` : this.expr(v), expr: !isJl });
    }
    for (const [id, r] of Object.entries(isObj(root.rules) ? root.rules : {})) this.rule(id, isObj(r) ? r : {}, file);
    for (const [name, c] of Object.entries(isObj(root.channels) ? root.channels : {})) {
      const ch = isObj(c) ? c : {};
      const f = this.entry("channel", name, file);
      f.set("requires", { text: ch.requires === undefined ? "true" : this.expr(ch.requires), expr: true });
      f.set("cost", { text: String(ch.cost ?? 0), expr: false });
    }
    for (const c of list(root.caps)) {
      const line = isObj(c) ? Object.entries(c).map(([k, v]) => `${k}: ${v}`).join("") : String(c);
      const text = tokenNormalize(line).replace(/\b(\d+(?:\.\d+)?[smhdw])\b/g, (d) => canonDuration(d)).replace(/ :/g, ":");
      this.entry("cap", text, file).set("cap", { text, expr: false });
    }
    if (isObj(root.defaults)) {
      for (const [k, v] of Object.entries(root.defaults)) {
        const text = k === "holdout" || k === "global_holdout" ? canonPercent(v)
          : k === "attribution" || k === "expires" ? canonDuration(v)
          : k === "exit" ? this.exits(v)
          : stableText(v);
        this.entry("default", k, file).set("value", { text, expr: false });
      }
    }
    if (root.suppress !== undefined) this.entry("suppress", "suppress", file).set("expr", { text: this.expr(root.suppress), expr: true });
    if (isObj(root.rfm)) for (const [k, v] of Object.entries(root.rfm)) this.entry("rfm", "rfm", file).set(k, { text: k === "window" ? canonDuration(v) : stableText(v), expr: false });
    for (const [name, t] of Object.entries(isObj(root.templates) ? root.templates : {}))
      this.entry("template", name, file).set("fields", { text: list(isObj(t) ? t.fields : []).map(String).join(", "), expr: false });
    if (isObj(root.alerts)) for (const [k, v] of Object.entries(root.alerts)) this.entry("alerts", "alerts", file).set(k, { text: canonPercent(v), expr: false });
    const schema = isObj(root.schema) ? root.schema : {};
    for (const [name, t] of Object.entries(isObj(schema.customer) ? schema.customer : {}))
      this.entry("attribute", name, file).set("type", { text: String(t).replace(/\s+/g, ""), expr: false });
    for (const [name, props] of Object.entries(isObj(schema.events) ? schema.events : {}))
      this.entry("event", name, file).set("props", { text: stableText(isObj(props) ? props : {}).replace(/\s+/g, " "), expr: false });
  }
}

/** The diff's view of a workspace's files. A file that is not YAML at all contributes nothing. */
export function buildView(files: readonly SourceFile[], norm: ExprNormalizer): { view: View; problems: string[] } {
  const b = new Builder(norm);
  const problems: string[] = [];
  for (const f of files) {
    try {
      b.file(f);
    } catch (e) {
      problems.push(`${f.path}: not readable as YAML (${(e as Error).message.split("\n")[0]})`);
    }
  }
  return { view: b.view, problems };
}
