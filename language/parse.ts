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
import { charHint, describeChar } from "./unicode.ts";

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
  for (const e of lex.errors) diagnostics.push(lexError(text, e.offset, grammar, spanOf));
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
    diagnostics.push(parseError(text, lex.tokens, parser.errors[0]!.token, parser.errors[0]!.message, grammar, spanOf));
    return { diagnostics };
  }
  return { value, diagnostics };
}

/** Operators of other languages, with the playbook spelling (PB015). */
const FOREIGN: [string, string][] = [
  ["&&", 'use and / or (here "and")'],
  ["||", 'use and / or (here "or")'],
  ["&", 'use and / or (here "and")'],
  ["|", 'use and / or (here "or")'],
  ["=>", "use >= for greater or equal"],
  ["=<", "use <= for less or equal"],
  ["=", "use == to compare"],
  ["!", 'use "not" to negate, != to compare'],
];

/** Words the grammar knows only in lower case. */
const KEYWORDS = new Set(["and", "or", "not", "in", "between", "where", "within", "true", "false", "null"]);

/**
 * A character no token starts with. An operator from another language gets
 * its playbook spelling (PB015); a non-ASCII character is named by its code
 * point, with the character it is mistaken for (PB011).
 */
function lexError(text: string, at: number, grammar: Grammar, spanOf: SpanMap): Diagnostic {
  const rest = text.slice(at);
  const foreign = FOREIGN.find(([op]) => rest.startsWith(op));
  if (foreign) {
    const [op, hint] = foreign;
    return { code: "PB015", name: "foreign-operator", severity: "error", message: `"${op}" is not an operator here: ${hint}`, span: spanOf(at, at + op.length) };
  }
  const ch = String.fromCodePoint(text.codePointAt(at)!);
  const named = ch.codePointAt(0)! > 0x7f ? describeChar(ch) : JSON.stringify(ch);
  return {
    code: "PB011", name: "unexpected-character", severity: "error",
    message: `unexpected character ${named} in ${what(grammar)}`,
    span: spanOf(at, at + ch.length),
    ...(ch.codePointAt(0)! > 0x7f ? { hint: charHint(ch) } : {}),
  };
}

/**
 * The first token the grammar could not take. An upper-case keyword is PB015;
 * running out of input inside an open bracket points at that bracket, since
 * the place to fix is where the group should have been closed, not the end.
 */
function parseError(text: string, tokens: IToken[], tok: IToken, message: string, grammar: Grammar, spanOf: SpanMap): Diagnostic {
  const atEnd = tok.tokenType.name === "EOF" || Number.isNaN(tok.startOffset);
  // `a AND b` fails at AND; `NOT a` parses NOT as a name and fails at the token after it.
  const i = atEnd ? tokens.length : tokens.findIndex((t) => t.startOffset === tok.startOffset);
  const upper = [tokens[i], tokens[i - 1]].find((t) => t && t.tokenType.name === "Identifier" && KEYWORDS.has(t.image.toLowerCase()) && t.image !== t.image.toLowerCase());
  if (upper) {
    const low = upper.image.toLowerCase();
    return { code: "PB015", name: "foreign-operator", severity: "error", message: `keywords are lower case: write "${low}", not "${upper.image}"`, span: spanOf(upper.startOffset, upper.startOffset + upper.image.length) };
  }
  if (atEnd) {
    const open = unclosedBracket(tokens);
    if (open) {
      const close = open.image === "(" ? ")" : "]";
      return {
        code: "PB010", name: "syntax-error", severity: "error",
        message: `this "${open.image}" is never closed`,
        span: spanOf(open.startOffset, open.startOffset + 1), hint: `add "${close}" where the group ends`,
      };
    }
  }
  const s = atEnd ? text.length : tok.startOffset;
  const e = atEnd ? text.length + 1 : tok.startOffset + tok.image.length;
  return {
    code: "PB010", name: "syntax-error", severity: "error",
    message: atEnd ? `unexpected end of ${what(grammar)}` : `unexpected ${JSON.stringify(tok.image)} in ${what(grammar)}`,
    span: spanOf(s, e),
    hint: hintFor(grammar, message),
  };
}

/** The innermost bracket left open at the end of the input, if any. */
function unclosedBracket(tokens: IToken[]): IToken | undefined {
  const stack: IToken[] = [];
  for (const t of tokens) {
    const k = t.tokenType.name;
    if (k === "LParen" || k === "LBracket") stack.push(t);
    else if ((k === "RParen" || k === "RBracket") && stack.length) stack.pop();
  }
  return stack.at(-1);
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
