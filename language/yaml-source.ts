/**
 * Reading one YAML file with positions: parse with the `yaml` package, turn its
 * errors into diagnostics, and give the builders small typed accessors that
 * report shape problems (a list where a map belongs, …) instead of throwing.
 * The key idea for exact spans inside expressions: an expression is parsed from
 * the scalar's *raw source* (plain and block scalars differ from their value
 * only in whitespace, which the grammar skips), so token offsets map 1:1 onto
 * the file.
 */
import { isMap, isPair, isScalar, isSeq, parseDocument, visit, type Document, type Node, type Pair, type Scalar, type YAMLMap } from "yaml";
import type { Span } from "./ast.ts";
import type { Diagnostic } from "./diagnostics.ts";
import { didYouMean } from "./fuzzy.ts";
import { computeLineStarts, posOf, type SpanMapLike } from "./spans.ts";
import { clearChecked, exprNodes, type FileParses } from "./parse-cache.ts";

/** One file being read: its text, line table and the diagnostics list. */
export class YamlFile {
  readonly lineStarts: number[];
  readonly doc: Document.Parsed | null;

  constructor(
    readonly path: string,
    readonly text: string,
    readonly diags: Diagnostic[],
    /** Parses of this text kept from an earlier load (parse-cache.ts), or none. */
    private readonly parses?: FileParses,
  ) {
    this.lineStarts = parses?.lineStarts ?? computeLineStarts(text);
    if (parses) parses.lineStarts = this.lineStarts;
    let doc: Document.Parsed | null = null;
    try {
      // Duplicate keys are reported by `entries` (with the key's name and the first place), not by the YAML library.
      doc = parses?.doc ?? parseDocument(text, { prettyErrors: false, uniqueKeys: false });
      if (parses) parses.doc = doc;
    } catch (e) {
      this.error("PB001", "yaml-syntax", `cannot read this file as YAML: ${(e as Error).message}`, this.span(0, Math.min(1, text.length)));
    }
    if (doc && doc.errors.length && this.reportTabs()) doc = null;
    if (doc) {
      for (const e of doc.errors) {
        const [s, en] = e.pos;
        this.error("PB001", "yaml-syntax", yamlMessage(e.message), this.span(s, Math.max(en, s + 1)));
      }
      for (const w of doc.warnings) {
        const [s, en] = w.pos;
        this.diags.push({ code: "PB001", name: "yaml-syntax", severity: "warning", message: yamlMessage(w.message), span: this.span(s, Math.max(en, s + 1)) });
      }
      if (doc.errors.length) doc = null;
    }
    // An alias is written `*name`: a text without a `*` has none, and the walk over its nodes is skipped.
    if (doc && text.includes("*")) this.reportAliases(doc);
    this.doc = doc;
  }

  /**
   * Ranges of aliases already reported (PB014): a reader that then finds no
   * map or expression there would report the same cause again, so the
   * loader drops its diagnostics inside these ranges.
   */
  readonly aliasRanges: [number, number][] = [];

  /**
   * A tab in a line's indentation makes the YAML library report several
   * errors, the first often lines away. When the file fails to parse and
   * some line is indented with a tab, that is the cause: one PB013 per such
   * line replaces the library's errors. True when any was found.
   */
  private reportTabs(): boolean {
    let found = false;
    const re = /^([ ]*)\t[ \t]*(?=\S)/gm;
    for (let m = re.exec(this.text); m; m = re.exec(this.text)) {
      const at = m.index + m[1]!.length;
      this.error("PB013", "tab-indent", "indent with spaces, not a tab", this.span(at, at + 1), "YAML allows only spaces in indentation; replace the tab with spaces (2 per level)");
      found = true;
    }
    return found;
  }

  /** PB014 for every alias (`*name`) outside a `jsonlogic:` value, where the importer expands a few. */
  private reportAliases(doc: Document.Parsed): void {
    visit(doc, {
      Alias: (_key, node, path) => {
        const keys = path.filter(isPair).map((p) => (isScalar(p.key) ? String(p.key.value) : ""));
        if (keys.includes("jsonlogic")) return;
        const last = keys.at(-1);
        const parent = path.at(-1);
        const step = last === "send" || (last === "steps" && isSeq(parent));
        const r = node.range ?? [0, 0];
        this.error("PB014", "yaml-alias", `YAML aliases are not supported here: write the ${step ? "step" : "value"} out`, this.span(r[0], Math.max(r[1], r[0] + 1)), `*${node.source} repeats the value anchored as &${node.source}; a playbook spells every value where it applies, so a reviewer sees it`);
        this.aliasRanges.push([r[0], Math.max(r[1], r[0] + 1)]);
      },
    });
  }

  /** A span of [start, end) offsets of this file. */
  span(start: number, end: number): Span {
    const s = Math.max(0, Math.min(start, this.text.length));
    const e = Math.max(s, Math.min(end, this.text.length + 1));
    const a = posOf(this.lineStarts, s);
    const b = posOf(this.lineStarts, e);
    return { file: this.path, start: s, end: e, line: a.line, col: a.col, endLine: b.line, endCol: b.col };
  }

  /** The span of a node (its value range). */
  spanOf(node: Node | null | undefined): Span {
    const r = node?.range;
    if (!r) return this.span(0, 0);
    return this.span(r[0], Math.max(r[1], r[0] + 1));
  }

  error(code: string, name: string, message: string, span: Span, hint?: string): void {
    this.diags.push({ code, name, severity: "error", message, span, ...(hint ? { hint } : {}) });
  }

  warn(code: string, name: string, message: string, span: Span, hint?: string): void {
    this.diags.push({ code, name, severity: "warning", message, span, ...(hint ? { hint } : {}) });
  }

  /** The raw text of a scalar and the file offset it starts at, for parsing expressions inside it. */
  /**
   * `parse()` of the source at `base` (an expression, trigger or cap of kind `kind`), or the
   * result kept for the same place of the same text, with the checker's marks cleared.
   */
  parsed<R>(kind: string, base: number, text: string, parse: () => R): R {
    if (!this.parses) return parse();
    const key = `${kind}:${base}:${text}`;
    const had = this.parses.results.get(key);
    if (had !== undefined) {
      clearChecked(had.nodes);
      return had.value as R;
    }
    const r = parse();
    this.parses.results.set(key, { value: r, nodes: exprNodes(r) });
    return r;
  }

  exprSource(node: Node): { text: string; base: number; spanOf: SpanMapLike } {
    const r = node.range ?? [0, 0, 0];
    let text: string;
    let base: number;
    const sc = node as Scalar;
    if (isScalar(node) && (sc.type === "QUOTE_DOUBLE" || sc.type === "QUOTE_SINGLE")) {
      const inner = this.text.slice(r[0] + 1, r[1] - 1);
      if (inner === String(sc.value)) {
        text = inner;
        base = r[0] + 1;
      } else {
        // Escapes shift offsets: parse the value and point every token at the scalar.
        const value = String(sc.value);
        return { text: value, base: r[0], spanOf: () => this.span(r[0], r[1]) };
      }
    } else if (isScalar(node) && (sc.type === "BLOCK_LITERAL" || sc.type === "BLOCK_FOLDED")) {
      const nl = this.text.indexOf("\n", r[0]);
      base = nl < 0 || nl >= r[1] ? r[1] : nl + 1;
      text = this.text.slice(base, r[1]);
    } else {
      base = r[0];
      text = this.text.slice(r[0], r[1]);
    }
    return { text, base, spanOf: (s, e) => this.span(base + s, base + e) };
  }
}

function yamlMessage(m: string): string {
  return m.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
}

/** `31:3`, a span's place within its own file, for messages that cite an earlier one. */
export function lineCol(span: Span): string {
  return `${span.line}:${span.col}`;
}

/**
 * A YAML map's entries as [key text, key node, value node], reporting
 * non-string keys. A key given twice is reported here (PB006, citing the
 * first) and only its first entry is kept, unless `names` says the caller
 * reports duplicate definitions itself (segments, rules, … across files).
 */
export function entries(f: YamlFile, map: YAMLMap, names = false): { key: string; keyNode: Node; value: Node | null; pair: Pair }[] {
  const out: { key: string; keyNode: Node; value: Node | null; pair: Pair }[] = [];
  const first = new Map<string, Node>();
  for (const pair of map.items) {
    if (!isPair(pair)) continue;
    const k = pair.key as Node | null;
    if (!k || !isScalar(k)) {
      f.error("PB003", "bad-shape", "keys must be plain names", f.spanOf(k ?? (pair.value as Node)));
      continue;
    }
    const key = String(k.value);
    const prev = first.get(key);
    if (prev && !names) {
      const ps = f.spanOf(prev);
      f.diags.push({
        code: "PB006", name: "duplicate-definition", severity: "error",
        message: `"${key}" is given twice in this map (first at ${lineCol(ps)})`, span: f.spanOf(k),
        hint: "keep one of them", related: [{ message: "first given here", span: ps }],
      });
      continue;
    }
    if (!prev) first.set(key, k);
    out.push({ key, keyNode: k, value: (pair.value as Node | null) ?? null, pair });
  }
  return out;
}

/** Expects a map; reports PB003 otherwise. */
export function asMap(f: YamlFile, node: Node | null, what: string, at: Span): YAMLMap | null {
  if (node && isMap(node)) return node;
  if (node && isScalar(node) && (node.value === null || node.value === "")) return null;
  f.error("PB003", "bad-shape", `${what} must be a map of names to values`, node ? f.spanOf(node) : at);
  return null;
}

/** Expects a list (a single scalar is accepted as a one-element list when `single`). */
export function asList(f: YamlFile, node: Node | null, what: string, at: Span, single = false): Node[] | null {
  if (node && isSeq(node)) return node.items as Node[];
  if (single && node && !isMap(node)) return [node];
  f.error("PB003", "bad-shape", `${what} must be a list`, node ? f.spanOf(node) : at);
  return null;
}

/** A scalar's value as text, or a PB003. */
export function asText(f: YamlFile, node: Node | null, what: string, at: Span): string | null {
  if (node && isScalar(node) && node.value !== null && typeof node.value !== "object") return String(node.value);
  f.error("PB003", "bad-shape", `${what} must be a single value`, node ? f.spanOf(node) : at);
  return null;
}

/** A quoted scalar whose text would be a number or a boolean unquoted: the hint to drop the quotes. */
function quotedHint(node: Node | null, want: "number" | "bool"): string | undefined {
  if (!node || !isScalar(node) || (node.type !== "QUOTE_DOUBLE" && node.type !== "QUOTE_SINGLE") || typeof node.value !== "string") return undefined;
  const v = node.value.trim();
  const ok = want === "number" ? v !== "" && Number.isFinite(Number(v)) : v === "true" || v === "false";
  return ok ? `remove the quotes: write ${v}` : undefined;
}

/** A number, or a PB004. */
export function asNumber(f: YamlFile, node: Node | null, what: string, at: Span): number | null {
  if (node && isScalar(node) && typeof node.value === "number" && Number.isFinite(node.value)) return node.value;
  f.error("PB004", "bad-value", `${what} must be a number`, node ? f.spanOf(node) : at, quotedHint(node, "number"));
  return null;
}

/** A boolean, or a PB004. */
export function asBool(f: YamlFile, node: Node | null, what: string, at: Span): boolean | null {
  if (node && isScalar(node) && typeof node.value === "boolean") return node.value;
  f.error("PB004", "bad-value", `${what} must be true or false`, node ? f.spanOf(node) : at, quotedHint(node, "bool"));
  return null;
}

/** Reports keys not in `allowed`, with a did-you-mean. */
export function checkKeys(f: YamlFile, es: { key: string; keyNode: Node }[], allowed: readonly string[], where: string): void {
  for (const e of es) {
    if (allowed.includes(e.key)) continue;
    const s = didYouMean(e.key, allowed);
    f.error("PB002", "unknown-key", `unknown key "${e.key}" in ${where}`, f.spanOf(e.keyNode), s ? `did you mean "${s}"?` : `allowed here: ${allowed.join(", ")}`);
  }
}
