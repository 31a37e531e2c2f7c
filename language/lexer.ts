/**
 * Tokens of the expression, trigger and cap grammars (chevrotain). Keywords are
 * matched as identifiers first (`longer_alt`) so `order_placed` is never split
 * into `or` + `der_placed`.
 */
import type { TokenType } from "chevrotain";
import { createToken, Lexer } from "./chevrotain.ts";

export const WhiteSpace = createToken({ name: "WhiteSpace", pattern: /[ \t\r\n]+/, group: Lexer.SKIPPED });

// Literals whose shapes start with digits: the longest forms first.
export const DateTimeTok = createToken({
  name: "DateTime",
  pattern: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?/,
});
export const DateTok = createToken({ name: "Date", pattern: /\d{4}-\d{2}-\d{2}/ });
export const ClockTok = createToken({ name: "Clock", pattern: /\d{1,2}:\d{2}(?![\d:])/ });
export const DurationTok = createToken({ name: "Duration", pattern: /\d+(?:\.\d+)?(?:s|m|h|d|w)(?![A-Za-z0-9_])/ });
export const PercentTok = createToken({ name: "Percent", pattern: /\d+(?:\.\d+)?%/ });
export const NumberTok = createToken({ name: "Number", pattern: /\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/ });
export const StringTok = createToken({ name: "String", pattern: /"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'/ });

export const Identifier = createToken({ name: "Identifier", pattern: /[A-Za-z_][A-Za-z0-9_]*/ });

function kw(name: string, word = name.toLowerCase()): TokenType {
  return createToken({ name, pattern: new RegExp(word), longer_alt: Identifier });
}

export const And = kw("And");
export const Or = kw("Or");
export const Not = kw("Not");
export const In = kw("In");
export const Between = kw("Between");
export const Where = kw("Where");
export const Within = kw("Within");
export const True = kw("True");
export const False = kw("False");
export const Null = kw("Null");

export const Coalesce = createToken({ name: "Coalesce", pattern: /\?\?/ });
export const Eq = createToken({ name: "Eq", pattern: /==/ });
export const Neq = createToken({ name: "Neq", pattern: /!=/ });
export const Le = createToken({ name: "Le", pattern: /<=/ });
export const Ge = createToken({ name: "Ge", pattern: />=/ });
export const Lt = createToken({ name: "Lt", pattern: /</ });
export const Gt = createToken({ name: "Gt", pattern: />/ });
export const Plus = createToken({ name: "Plus", pattern: /\+/ });
export const Minus = createToken({ name: "Minus", pattern: /-/ });
export const Star = createToken({ name: "Star", pattern: /\*/ });
export const Slash = createToken({ name: "Slash", pattern: /\// });
export const LParen = createToken({ name: "LParen", pattern: /\(/ });
export const RParen = createToken({ name: "RParen", pattern: /\)/ });
export const LBracket = createToken({ name: "LBracket", pattern: /\[/ });
export const RBracket = createToken({ name: "RBracket", pattern: /\]/ });
export const Comma = createToken({ name: "Comma", pattern: /,/ });
export const Dot = createToken({ name: "Dot", pattern: /\./ });
export const Colon = createToken({ name: "Colon", pattern: /:/ });

export const ALL_TOKENS: TokenType[] = [
  WhiteSpace,
  DateTimeTok, DateTok, ClockTok, DurationTok, PercentTok, NumberTok, StringTok,
  And, Or, Not, In, Between, Where, Within, True, False, Null,
  Identifier,
  Coalesce, Eq, Neq, Le, Ge, Lt, Gt, Plus, Minus, Star, Slash,
  LParen, RParen, LBracket, RBracket, Comma, Dot, Colon,
];

/** One lexer for every grammar; built once. */
export const lexer = new Lexer(ALL_TOKENS, { positionTracking: "onlyOffset", ensureOptimizations: false });
