/**
 * `playbook fmt`: the canonical layout of a playbook file.
 *
 * Deliberately conservative, because playbooks are read in review: the YAML
 * structure, key order, comments, blank lines and the alignment after keys
 * (`champions:    rfm.r >= 4`) are the author's and are kept. What is
 * canonical is everything the language owns:
 * - every expression, trigger and cap is re-printed in canonical form
 *   (single spaces around operators, `, ` in lists, double-quoted strings, no
 *   redundant parentheses) — only when it fits on one line as written and the
 *   new text reads back to the same program (checked by re-parsing);
 * - line endings are LF, a byte-order mark is dropped, trailing spaces are
 *   removed, and the file ends in exactly one newline.
 * A file with syntax errors is left as it is (the diagnostics say why).
 */
import { isMap, isScalar, isSeq, type Node } from "yaml";
import type { Diagnostic } from "./diagnostics.ts";
import { YamlFile } from "./yaml-source.ts";
import { parseCap, parseExpr, parseTrigger } from "./parse.ts";
import { printCap, printExpr, printTrigger } from "./printer.ts";

type Kind = "expr" | "trigger" | "cap" | "capValue";

interface Edit {
  start: number;
  end: number;
  text: string;
}

/** The result of formatting one file. */
export interface Formatted {
  text: string;
  changed: boolean;
  diagnostics: Diagnostic[];
}

/** Normalizes whitespace only: LF, no BOM, no trailing spaces, one final newline. */
export function normalizeWhitespace(text: string): string {
  let t = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  t = t.replace(/\r\n?/g, "\n").replace(/[ \t]+$/gm, "");
  t = t.replace(/\n*$/, "");
  return t.length ? t + "\n" : "";
}

/** Formats one file's text. Idempotent: `format(format(x).text).text === format(x).text`. */
export function formatText(path: string, text: string): Formatted {
  const base = normalizeWhitespace(text);
  const diagnostics: Diagnostic[] = [];
  const f = new YamlFile(path, base, diagnostics);
  if (!f.doc || diagnostics.some((d) => d.severity === "error")) return { text: base, changed: base !== text, diagnostics };
  const edits: Edit[] = [];
  collect(f, f.doc.contents as Node | null, [], edits);
  let out = base;
  for (const e of edits.sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return { text: out, changed: out !== text, diagnostics };
}

/** Which scalars hold language text, by their path in the document. */
function kindAt(path: string[]): Kind | null {
  // An arm of a rule's `variants:` holds a journey as the rule does: `rules.R.variants.ARM.send.if` is `rules.R.send.if`.
  if (path[0] === "rules" && path[2] === "variants" && (path[4] === "send" || path[4] === "steps")) return kindAt([path[0], path[1]!, ...path.slice(4)]);
  const [a, b, c, d, e] = path;
  if (a === "segments" && path.length === 2) return "expr";
  if (a === "suppress" && path.length === 1) return "expr";
  if (a === "channels" && c === "requires" && path.length === 3) return "expr";
  if (a === "caps" && path.length === 2) return "cap";
  if (a === "caps" && path.length === 3) return "capValue";
  if (a === "defaults" && b === "exit") return "expr";
  if (a === "rules" && path.length >= 3) {
    if (c === "on" && path.length === 3) return "trigger";
    if ((c === "who" || c === "unless") && path.length === 3) return "expr";
    if (c === "exit") return "expr";
    if (c === "send" && (d === "if" || d === "unless") && path.length === 4) return "expr";
    if (c === "steps" && (e === "if" || e === "unless") && path.length === 5) return "expr";
  }
  return null;
}

function collect(f: YamlFile, node: Node | null, path: string[], edits: Edit[]): void {
  if (!node) return;
  if (isMap(node)) {
    for (const pair of node.items) {
      const k = pair.key as Node | null;
      if (!k || !isScalar(k)) continue;
      collect(f, pair.value as Node | null, [...path, String(k.value)], edits);
    }
    return;
  }
  if (isSeq(node)) {
    node.items.forEach((it, i) => collect(f, it as Node, [...path, String(i)], edits));
    return;
  }
  if (!isScalar(node) || node.type !== "PLAIN" || !node.range) return;
  const kind = kindAt(path);
  if (!kind) return;
  const [start, end] = node.range;
  const raw = f.text.slice(start, end);
  if (raw.includes("\n")) return;
  const canon = canonical(kind, raw);
  if (canon === null || canon === raw || !readsBackAsPlain(canon)) return;
  if (canonical(kind, canon) !== canon) return;
  edits.push({ start, end, text: canon });
}

const NO_SPANS = () => ({ file: "", start: 0, end: 0, line: 1, col: 1, endLine: 1, endCol: 1 });

function canonical(kind: Kind, text: string): string | null {
  if (kind === "expr") {
    const r = parseExpr(text, NO_SPANS);
    return r.expr ? printExpr(r.expr) : null;
  }
  if (kind === "trigger") {
    const r = parseTrigger(text, NO_SPANS);
    return r.trigger ? printTrigger(r.trigger) : null;
  }
  const r = parseCap(kind === "capValue" ? text : text, NO_SPANS);
  return r.cap ? printCap(r.cap, kind === "cap") : null;
}

/** True when `text` stays one plain YAML scalar with the same value. */
function readsBackAsPlain(text: string): boolean {
  if (/^[\[\]{}"'&*!|>%@`#,?:-]/.test(text) && !/^-\d/.test(text) && !/^-[A-Za-z_(]/.test(text)) return false;
  if (/: |\s#|:$/.test(text)) return false;
  return true;
}
