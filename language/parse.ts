/**
 * Entry points of the three grammars: lex, guard, parse, and turn chevrotain's
 * errors into diagnostics at the offending token.
 */
import type { Cap, Expr, Trigger } from "./ast.ts";
import type { Diagnostic } from "./diagnostics.ts";
import type { IToken } from "chevrotain";
import { lexer } from "./lexer.ts";
import { ExprParser, type SpanMap } from "./expr-parser.ts";
import { computeLineStarts, posOf } from "./spans.ts";

const parser = new ExprParser();

/** Deeper nesting than this is refused before parsing (the parser recurses per level). */
export const MAX_NESTING = 200;
/** Longer expression texts are refused (a 10 MB expression is a mistake, not a rule). */
export const MAX_EXPR_LENGTH = 100_000;

type Grammar = "expression" | "trigger" | "cap";

function what(g: Grammar): string {
  return g === "expression" ? "expression" : g === "trigger" ? "trigger (`on:`)" : "cap";
}

/** Parses `text` with one grammar; spans are mapped to the file by `spanOf`. */
export function parseWith<R>(grammar: Grammar, text: string, spanOf: SpanMap): { value?: R; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const whole = spanOf(0, text.length);
  if (text.trim() === "") {
    diagnostics.push({ code: "PB010", name: "syntax-error", severity: "error", message: `empty ${what(grammar)}`, span: whole });
    return { diagnostics };
  }
  if (text.length > MAX_EXPR_LENGTH) {
    diagnostics.push({
      code: "PB012", name: "expression-too-large", severity: "error",
      message: `this ${what(grammar)} is ${text.length} characters long; the limit is ${MAX_EXPR_LENGTH}`,
      span: spanOf(0, 1), hint: "split it into named segments",
    });
    return { diagnostics };
  }
  const lex = lexer.tokenize(text);
  for (const e of lex.errors) {
    const ch = text.slice(e.offset, e.offset + e.length);
    diagnostics.push({
      code: "PB011", name: "unexpected-character", severity: "error",
      message: `unexpected character ${JSON.stringify(ch.slice(0, 1))} in ${what(grammar)}`,
      span: spanOf(e.offset, e.offset + Math.max(1, Math.min(e.length, 1))),
    });
  }
  if (lex.errors.length) return { diagnostics };
  const deep = tooDeepAt(lex.tokens);
  if (deep) {
    diagnostics.push({
      code: "PB012", name: "expression-too-large", severity: "error",
      message: `${what(grammar)} nested more than ${MAX_NESTING} levels deep (brackets, \`not\` and unary \`-\`)`,
      span: spanOf(deep.startOffset, deep.startOffset + deep.image.length), hint: "split it into named segments",
    });
    return { diagnostics };
  }
  parser.spanOf = spanOf;
  parser.ranges.clear();
  parser.input = lex.tokens;
  let value: R;
  try {
    value = (grammar === "expression" ? parser.expression() : grammar === "trigger" ? parser.trigger() : parser.cap()) as R;
  } catch (e) {
    // The depth guard should make this unreachable; if some shape still
    // exhausts the stack, the user gets a diagnostic rather than a trace.
    if (!(e instanceof RangeError)) throw e;
    diagnostics.push({ code: "PB012", name: "expression-too-large", severity: "error", message: `this ${what(grammar)} is nested too deeply to read`, span: whole, hint: "split it into named segments" });
    return { diagnostics };
  }
  if (parser.errors.length) {
    const err = parser.errors[0]!;
    const tok = err.token;
    const atEnd = tok.tokenType.name === "EOF" || Number.isNaN(tok.startOffset);
    const s = atEnd ? text.length : tok.startOffset;
    const e = atEnd ? text.length + 1 : tok.startOffset + tok.image.length;
    diagnostics.push({
      code: "PB010", name: "syntax-error", severity: "error",
      message: atEnd ? `unexpected end of ${what(grammar)}` : `unexpected ${JSON.stringify(tok.image)} in ${what(grammar)}`,
      span: spanOf(s, e),
      hint: hintFor(grammar, err.message),
    });
    return { diagnostics };
  }
  return { value, diagnostics };
}

/** Tokens after which `-` is a binary minus (they end an operand). */
const OPERAND_END = new Set(["Identifier", "Number", "String", "Duration", "Percent", "Date", "DateTime", "Clock", "True", "False", "Null", "RParen", "RBracket"]);
/** Binary operators tighter than `not`: they end a run of unary minus only. */
const TIGHT_BINARY = new Set(["Eq", "Neq", "Lt", "Le", "Gt", "Ge", "Plus", "Minus", "Star", "Slash", "In", "Between"]);

/**
 * The first token at which the parser's recursion would pass MAX_NESTING
 * levels, or undefined. Each bracket is a level; so is each `not` or unary
 * `-` until a weaker operator closes it (`and`/`or`/`,` close both, a tighter
 * binary operator closes only the minus run). The count errs high, never low,
 * so the chevrotain parser never sees input that could exhaust the stack;
 * brackets inside string literals are single tokens and do not count.
 */
function tooDeepAt(tokens: IToken[]): IToken | undefined {
  const saved: number[] = [];
  let outer = 0;
  let nots = 0;
  let minus = 0;
  let prev = "";
  for (const t of tokens) {
    const k = t.tokenType.name;
    if (k === "LParen" || k === "LBracket") {
      saved.push(nots, minus);
      outer += nots + minus + 1;
      nots = minus = 0;
    } else if (k === "RParen" || k === "RBracket") {
      if (saved.length) {
        minus = saved.pop()!;
        nots = saved.pop()!;
        outer -= nots + minus + 1;
      }
    } else if (k === "Not") nots++;
    else if (k === "Minus" && !OPERAND_END.has(prev)) minus++;
    else if (k === "And" || k === "Or" || k === "Comma") nots = minus = 0;
    else if (TIGHT_BINARY.has(k)) minus = 0;
    if (outer + nots + minus > MAX_NESTING) return t;
    prev = k;
  }
  return undefined;
}

function hintFor(grammar: Grammar, msg: string): string | undefined {
  if (grammar === "trigger")
    return "triggers are: EVENT [where …], DURATION after EVENT, DURATION before ATTRIBUTE, anniversary of ATTRIBUTE, no EVENT for DURATION, enter/leave SEGMENT, every DAY at HH:MM, once at DATETIME";
  if (grammar === "cap") return "caps are: [SCOPE:] max N per DURATION, gap DURATION between messages, pause DURATION after EVENT";
  const m = /Expecting[^:]*:?\s*(.*?)(?:\s+but found|$)/s.exec(msg);
  if (m && m[1] && m[1].length < 120) return `expected ${m[1].replace(/\s+/g, " ").replace(/--> /g, "").replace(/ <--/g, "")}`;
  return undefined;
}

/** Parses an expression. */
export function parseExpr(text: string, spanOf: SpanMap): { expr?: Expr; diagnostics: Diagnostic[] } {
  const r = parseWith<Expr>("expression", text, spanOf);
  return { expr: r.value, diagnostics: r.diagnostics };
}

/** Parses a trigger. */
export function parseTrigger(text: string, spanOf: SpanMap): { trigger?: Trigger; diagnostics: Diagnostic[] } {
  const r = parseWith<Trigger>("trigger", text, spanOf);
  return { trigger: r.value, diagnostics: r.diagnostics };
}

/** Parses a cap line. */
export function parseCap(text: string, spanOf: SpanMap): { cap?: Cap; diagnostics: Diagnostic[] } {
  const r = parseWith<Cap>("cap", text, spanOf);
  return { cap: r.value, diagnostics: r.diagnostics };
}

/** A span map for a standalone text: offsets are the text's own. */
export function textSpanMap(file: string, text: string): SpanMap {
  const starts = computeLineStarts(text);
  return (s, e) => {
    const a = posOf(starts, s);
    const b = posOf(starts, e);
    return { file, start: s, end: e, line: a.line, col: a.col, endLine: b.line, endCol: b.col };
  };
}
