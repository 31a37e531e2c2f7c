/**
 * The expression grammar of language.md, as a chevrotain parser that builds the
 * AST of `ast.ts` directly (embedded actions: no CST to walk afterwards).
 * Spans are computed by a `SpanMap` that turns offsets inside the expression
 * text into file positions, so a diagnostic points at the exact token in YAML.
 */
import type { IToken, TokenType } from "chevrotain";
import { EmbeddedActionsParser } from "./chevrotain.ts";
import * as T from "./lexer.ts";
import type { AggExpr, AggFn, BinaryOp, Cap, CapScope, DurationLit, Expr, Span, Trigger, Weekday } from "./ast.ts";
import { parseClock, parseDurationText, parseDateMs, parseDateTimeMs } from "./literals.ts";

/** Maps [start, end) offsets of the expression text to a file span. */
export type SpanMap = (start: number, end: number) => Span;

/** Offsets inside one expression fit in 2^21 (texts over 100,000 characters are refused before parsing). */
const RANGE_SHIFT = 2 ** 21;

const AGG_FNS = new Set(["count", "sum", "avg", "min", "max", "first", "last"]);
const COMPARE: Record<string, BinaryOp> = { Eq: "==", Neq: "!=", Lt: "<", Le: "<=", Gt: ">", Ge: ">=" };

/** Parses one expression; the parser instance is reused (build once). */
export class ExprParser extends EmbeddedActionsParser {
  /**
   * Each node's [start, end) inside the expression text, packed in one number
   * (a Map entry is far cheaper than a hidden property per node); cleared per parse.
   */
  readonly ranges = new Map<Expr, number>();

  spanOf: SpanMap = () => {
    throw new Error("spanOf not set");
  };

  constructor() {
    super(T.ALL_TOKENS, { maxLookahead: 3, recoveryEnabled: false });
    this.performSelfAnalysis();
  }

  private sp(a: IToken | { s: number }, b: IToken | { e: number }): Span {
    const s = "s" in a ? a.s : a.startOffset;
    const e = "e" in b ? b.e : b.startOffset + b.image.length;
    return this.spanOf(s, e);
  }

  private range(x: Expr): { s: number; e: number } {
    const packed = this.ranges.get(x);
    return packed === undefined ? (undefined as unknown as { s: number; e: number }) : { s: Math.floor(packed / RANGE_SHIFT), e: packed % RANGE_SHIFT };
  }

  private mark<E extends Expr>(x: E, s: number, e: number): E {
    this.ranges.set(x, s * RANGE_SHIFT + e);
    return x;
  }

  private tokR(t: IToken): { s: number; e: number } {
    return { s: t.startOffset, e: t.startOffset + t.image.length };
  }

  private bin(op: BinaryOp, left: Expr, right: Expr): Expr {
    const a = this.range(left);
    const b = this.range(right);
    if (!a || !b) return { kind: "binary", op, left, right, span: left.span };
    return this.mark({ kind: "binary", op, left, right, span: this.sp({ s: a.s }, { e: b.e }) }, a.s, b.e);
  }

  public expression = this.RULE("expression", (): Expr => this.SUBRULE(this.orExpr));

  private orExpr = this.RULE("orExpr", (): Expr => {
    let left = this.SUBRULE(this.andExpr);
    this.MANY(() => {
      this.CONSUME(T.Or);
      const right = this.SUBRULE2(this.andExpr);
      left = this.ACTION(() => this.bin("or", left, right));
    });
    return left;
  });

  private andExpr = this.RULE("andExpr", (): Expr => {
    let left = this.SUBRULE(this.notExpr);
    this.MANY(() => {
      this.CONSUME(T.And);
      const right = this.SUBRULE2(this.notExpr);
      left = this.ACTION(() => this.bin("and", left, right));
    });
    return left;
  });

  private notExpr = this.RULE("notExpr", (): Expr =>
    this.OR([
      {
        ALT: () => {
          const t = this.CONSUME(T.Not);
          const operand = this.SUBRULE(this.notExpr);
          return this.ACTION(() => {
            const r = this.range(operand);
            return this.mark({ kind: "unary", op: "not", operand, span: this.sp(t, { e: r.e }) } as Expr, t.startOffset, r.e);
          });
        },
      },
      { ALT: () => this.SUBRULE(this.compare) },
    ]),
  );

  private compare = this.RULE("compare", (): Expr => {
    let left = this.SUBRULE(this.sum);
    this.OPTION(() =>
      this.OR([
        {
          ALT: () => {
            const op = this.OR2([
              { ALT: () => this.CONSUME(T.Eq) },
              { ALT: () => this.CONSUME(T.Neq) },
              { ALT: () => this.CONSUME(T.Le) },
              { ALT: () => this.CONSUME(T.Ge) },
              { ALT: () => this.CONSUME(T.Lt) },
              { ALT: () => this.CONSUME(T.Gt) },
            ]);
            const right = this.SUBRULE2(this.sum);
            left = this.ACTION(() => this.bin(COMPARE[op.tokenType.name]!, left, right));
          },
        },
        {
          ALT: () => {
            let negated = false;
            this.OPTION2(() => {
              this.CONSUME2(T.Not);
              negated = true;
            });
            this.CONSUME(T.In);
            const right = this.SUBRULE3(this.sum);
            left = this.ACTION(() => {
              const a = this.range(left);
              const b = this.range(right);
              return this.mark({ kind: "in", negated, left, right, span: this.sp({ s: a.s }, { e: b.e }) } as Expr, a.s, b.e);
            });
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.Between);
            const low = this.SUBRULE4(this.sum);
            this.CONSUME(T.And);
            const high = this.SUBRULE5(this.sum);
            left = this.ACTION(() => {
              const a = this.range(left);
              const b = this.range(high);
              return this.mark({ kind: "between", value: left, low, high, span: this.sp({ s: a.s }, { e: b.e }) } as Expr, a.s, b.e);
            });
          },
        },
      ]),
    );
    return left;
  });

  private sum = this.RULE("sum", (): Expr => {
    let left = this.SUBRULE(this.product);
    this.MANY(() => {
      const op = this.OR([{ ALT: () => this.CONSUME(T.Plus) }, { ALT: () => this.CONSUME(T.Minus) }]);
      const right = this.SUBRULE2(this.product);
      left = this.ACTION(() => this.bin(op.image as BinaryOp, left, right));
    });
    return left;
  });

  private product = this.RULE("product", (): Expr => {
    let left = this.SUBRULE(this.unary);
    this.MANY(() => {
      const op = this.OR([{ ALT: () => this.CONSUME(T.Star) }, { ALT: () => this.CONSUME(T.Slash) }]);
      const right = this.SUBRULE2(this.unary);
      left = this.ACTION(() => this.bin(op.image as BinaryOp, left, right));
    });
    return left;
  });

  private unary = this.RULE("unary", (): Expr =>
    this.OR([
      {
        ALT: () => {
          const t = this.CONSUME(T.Minus);
          const operand = this.SUBRULE(this.unary);
          return this.ACTION(() => {
            const r = this.range(operand);
            return this.mark({ kind: "unary", op: "-", operand, span: this.sp(t, { e: r.e }) } as Expr, t.startOffset, r.e);
          });
        },
      },
      { ALT: () => this.SUBRULE(this.coalesce) },
    ]),
  );

  private coalesce = this.RULE("coalesce", (): Expr => {
    let left = this.SUBRULE(this.postfix);
    this.MANY(() => {
      this.CONSUME(T.Coalesce);
      const right = this.SUBRULE2(this.postfix);
      left = this.ACTION(() => this.bin("??", left, right));
    });
    return left;
  });

  private postfix = this.RULE("postfix", (): Expr => {
    let obj = this.SUBRULE(this.primary);
    this.MANY(() => {
      this.CONSUME(T.Dot);
      const p = this.CONSUME(T.Identifier);
      obj = this.ACTION(() => {
        const a = this.range(obj);
        const e = p.startOffset + p.image.length;
        return this.mark({ kind: "member", object: obj, prop: p.image, propSpan: this.sp(p, p), span: this.sp({ s: a.s }, { e }) } as Expr, a.s, e);
      });
    });
    return obj;
  });

  private primary = this.RULE("primary", (): Expr =>
    this.OR([
      { ALT: () => this.literal(this.CONSUME(T.NumberTok), (t) => ({ kind: "number", value: Number(t.image), raw: t.image })) },
      { ALT: () => this.literal(this.CONSUME(T.StringTok), (t) => ({ kind: "string", value: unquote(t.image), raw: t.image })) },
      { ALT: () => this.literal(this.CONSUME(T.True), () => ({ kind: "bool", value: true })) },
      { ALT: () => this.literal(this.CONSUME(T.False), () => ({ kind: "bool", value: false })) },
      { ALT: () => this.literal(this.CONSUME(T.Null), () => ({ kind: "null" })) },
      { ALT: () => this.literal(this.CONSUME(T.DurationTok), (t) => ({ kind: "duration", ms: parseDurationText(t.image) ?? 0, raw: t.image })) },
      { ALT: () => this.literal(this.CONSUME(T.PercentTok), (t) => ({ kind: "percent", value: Number(t.image.slice(0, -1)) / 100, raw: t.image })) },
      { ALT: () => this.literal(this.CONSUME(T.DateTimeTok), (t) => ({ kind: "datetime", ms: parseDateTimeMs(t.image) ?? NaN, raw: t.image })) },
      { ALT: () => this.literal(this.CONSUME(T.DateTok), (t) => ({ kind: "date", ms: parseDateMs(t.image) ?? NaN, raw: t.image })) },
      { ALT: () => this.SUBRULE(this.list) },
      { ALT: () => this.SUBRULE(this.paren) },
      { ALT: () => this.SUBRULE(this.identStart) },
    ]),
  );

  private literal(t: IToken, build: (t: IToken) => object): Expr {
    return this.ACTION(() => {
      const r = this.tokR(t);
      return this.mark({ ...build(t), span: this.sp(t, t) } as Expr, r.s, r.e);
    }) as Expr;
  }

  private list = this.RULE("list", (): Expr => {
    const open = this.CONSUME(T.LBracket);
    const items: Expr[] = [];
    this.MANY_SEP({ SEP: T.Comma, DEF: () => items.push(this.SUBRULE(this.expression)) });
    const close = this.CONSUME(T.RBracket);
    return this.ACTION(() => this.mark({ kind: "list", items, span: this.sp(open, close) } as Expr, open.startOffset, close.startOffset + 1));
  });

  private paren = this.RULE("paren", (): Expr => {
    const open = this.CONSUME(T.LParen);
    const inner = this.SUBRULE(this.expression);
    const close = this.CONSUME(T.RParen);
    // Parentheses widen the node's range (so a caret covers them) but leave no node.
    return this.ACTION(() => this.mark(inner, open.startOffset, close.startOffset + 1));
  });

  /** IDENT, IDENT(args), aggregate calls, or an event set `IDENT where … within …`. */
  private identStart = this.RULE("identStart", (): Expr => {
    const id = this.CONSUME(T.Identifier);
    return this.OR([
      { GATE: () => AGG_FNS.has(id.image), ALT: () => this.SUBRULE(this.aggCall, { ARGS: [id] }) },
      { GATE: () => this.LA(1).tokenType === T.LParen, ALT: () => this.SUBRULE(this.call, { ARGS: [id] }) },
      { GATE: () => this.LA(1).tokenType === T.Where || this.LA(1).tokenType === T.Within, ALT: () => this.SUBRULE(this.eventSet, { ARGS: [id] }) },
      {
        ALT: () =>
          this.ACTION(() => {
            const r = this.tokR(id);
            return this.mark({ kind: "name", name: id.image, span: this.sp(id, id) } as Expr, r.s, r.e);
          }),
      },
    ]);
  });

  private call = this.RULE("call", (id: IToken): Expr => {
    this.CONSUME(T.LParen);
    const args: Expr[] = [];
    this.MANY_SEP({ SEP: T.Comma, DEF: () => args.push(this.SUBRULE(this.expression)) });
    const close = this.CONSUME(T.RParen);
    return this.ACTION(
      () =>
        this.mark(
          { kind: "call", fn: id.image, fnSpan: this.sp(id, id), args, span: this.sp(id, close) } as Expr,
          id.startOffset,
          close.startOffset + 1,
        ),
    );
  });

  private qualifiers = this.RULE("qualifiers", (): { where?: Expr; within?: DurationLit; end: number } => {
    let where: Expr | undefined;
    let within: DurationLit | undefined;
    let end = -1;
    this.OPTION(() => {
      this.CONSUME(T.Where);
      where = this.SUBRULE(this.expression);
      end = this.ACTION(() => this.range(where!).e);
    });
    this.OPTION2(() => {
      this.CONSUME(T.Within);
      const d = this.CONSUME(T.DurationTok);
      within = this.ACTION(() => ({ kind: "duration", ms: parseDurationText(d.image) ?? 0, raw: d.image, span: this.sp(d, d) }) as DurationLit);
      end = d.startOffset + d.image.length;
    });
    return { where, within, end };
  });

  private eventSet = this.RULE("eventSet", (id: IToken): Expr => {
    const q = this.SUBRULE(this.qualifiers);
    return this.ACTION(() => {
      const s = id.startOffset;
      return this.mark(
        { kind: "exists", event: id.image, eventSpan: this.sp(id, id), where: q.where, within: q.within, span: this.sp({ s }, { e: q.end }) } as Expr,
        s,
        q.end,
      );
    }) as Expr;
  });

  private aggCall = this.RULE("aggCall", (fn: IToken): Expr => {
    this.CONSUME(T.LParen);
    const ev = this.CONSUME2(T.Identifier);
    let prop: IToken | undefined;
    this.OPTION(() => {
      this.CONSUME(T.Dot);
      prop = this.CONSUME3(T.Identifier);
    });
    const q = this.SUBRULE(this.qualifiers);
    const close = this.CONSUME(T.RParen);
    return this.ACTION(() => {
      const node: AggExpr = {
        kind: "agg",
        fn: fn.image as AggFn,
        fnSpan: this.sp(fn, fn),
        event: ev.image,
        eventSpan: this.sp(ev, ev),
        span: this.sp(fn, close),
      };
      if (prop) {
        node.prop = prop.image;
        node.propSpan = this.sp(prop, prop);
      }
      if (q.where) node.where = q.where;
      if (q.within) node.within = q.within;
      return this.mark(node, fn.startOffset, close.startOffset + 1);
    }) as Expr;
  });
  // ───────────── triggers (language.md "Triggers") ─────────────
  // Trigger and cap words are contextual: they are identifiers elsewhere, so an
  // event may be called `no` or `every` without breaking expressions.

  private isWord(k: number, w: string): boolean {
    const t = this.LA(k);
    return t.tokenType === T.Identifier && t.image === w;
  }

  private dur(t: IToken): DurationLit {
    return { kind: "duration", ms: parseDurationText(t.image) ?? 0, raw: t.image, span: this.sp(t, t) };
  }

  public trigger = this.RULE("trigger", (): Trigger =>
    this.OR([
      {
        GATE: () => this.isWord(1, "every"),
        ALT: () => {
          const first = this.consume(1, T.Identifier);
          const day = this.consume(2, T.Identifier);
          this.consume(3, T.Identifier);
          const clock = this.CONSUME(T.ClockTok);
          return this.ACTION(() => ({
            kind: "every",
            span: this.sp(first, clock),
            day: day.image as "day" | Weekday,
            time: clock.image.padStart(5, "0"),
            minuteOfDay: parseClock(clock.image) ?? 0,
          })) as Trigger;
        },
      },
      {
        GATE: () => this.isWord(1, "once"),
        ALT: () => {
          const first = this.consume(4, T.Identifier);
          this.consume(5, T.Identifier);
          const dt = this.CONSUME(T.DateTimeTok);
          return this.ACTION(() => {
            const explicit = /(Z|[+-]\d{2}:\d{2})$/.test(dt.image);
            return { kind: "once", span: this.sp(first, dt), local: explicit ? dt.image.replace(/(Z|[+-]\d{2}:\d{2})$/, "") : dt.image, utcMs: explicit ? parseDateTimeMs(dt.image) : null };
          }) as Trigger;
        },
      },
      {
        GATE: () => this.isWord(1, "anniversary"),
        ALT: () => {
          const first = this.consume(6, T.Identifier);
          this.consume(7, T.Identifier);
          const attr = this.consume(8, T.Identifier);
          return this.ACTION(() => ({ kind: "anniversary", span: this.sp(first, attr), attribute: attr.image, attributeSpan: this.sp(attr, attr) })) as Trigger;
        },
      },
      {
        GATE: () => this.isWord(1, "no") && this.LA(2).tokenType === T.Identifier,
        ALT: () => {
          const first = this.consume(9, T.Identifier);
          const ev = this.consume(10, T.Identifier, { LABEL: "event" });
          this.consume(11, T.Identifier, { LABEL: "for" });
          const d = this.CONSUME(T.DurationTok);
          return this.ACTION(() => ({ kind: "inactivity", span: this.sp(first, d), event: ev.image, eventSpan: this.sp(ev, ev), duration: this.dur(d) })) as Trigger;
        },
      },
      {
        GATE: () => (this.isWord(1, "enter") || this.isWord(1, "leave")) && this.LA(2).tokenType === T.Identifier,
        ALT: () => {
          const first = this.consume(12, T.Identifier, { LABEL: "enterLeave" });
          const seg = this.consume(13, T.Identifier, { LABEL: "segment" });
          return this.ACTION(() => ({ kind: first.image as "enter" | "leave", span: this.sp(first, seg), segment: seg.image, segmentSpan: this.sp(seg, seg) })) as Trigger;
        },
      },
      {
        ALT: () => {
          const d = this.CONSUME2(T.DurationTok);
          const dir = this.consume(14, T.Identifier, { LABEL: "afterBefore" });
          const name = this.consume(15, T.Identifier, { LABEL: "name" });
          let where: Expr | undefined;
          let end: IToken | { e: number } = name;
          this.OPTION(() => {
            this.CONSUME(T.Where);
            where = this.SUBRULE(this.expression);
            end = this.ACTION(() => ({ e: this.range(where!).e }));
          });
          return this.ACTION(() => {
            if (dir.image === "before")
              return { kind: "before", span: this.sp(d, end), lead: this.dur(d), attribute: name.image, attributeSpan: this.sp(name, name) };
            return { kind: "after", span: this.sp(d, end), delay: this.dur(d), event: name.image, eventSpan: this.sp(name, name), ...(where ? { where } : {}) };
          }) as Trigger;
        },
      },
      {
        ALT: () => {
          const ev = this.consume(16, T.Identifier, { LABEL: "event" });
          let where: Expr | undefined;
          let end: IToken | { e: number } = ev;
          this.OPTION2(() => {
            this.CONSUME2(T.Where);
            where = this.SUBRULE2(this.expression);
            end = this.ACTION(() => ({ e: this.range(where!).e }));
          });
          return this.ACTION(() => ({ kind: "event", span: this.sp(ev, end), event: ev.image, eventSpan: this.sp(ev, ev), ...(where ? { where } : {}) })) as Trigger;
        },
      },
    ]),
  );

  // ───────────── caps (language.md "Caps") ─────────────

  public cap = this.RULE("cap", (): Cap =>
    this.OR([
      {
        GATE: () => this.isWord(1, "gap"),
        ALT: () => {
          const first = this.CONSUME(T.Identifier);
          const d = this.CONSUME(T.DurationTok);
          this.CONSUME(T.Between);
          const last = this.CONSUME2(T.Identifier);
          return this.ACTION(() => ({ kind: "gap", span: this.sp(first, last), duration: this.dur(d) })) as Cap;
        },
      },
      {
        GATE: () => this.isWord(1, "pause"),
        ALT: () => {
          const first = this.CONSUME3(T.Identifier);
          const d = this.CONSUME2(T.DurationTok);
          this.CONSUME4(T.Identifier);
          const ev = this.CONSUME5(T.Identifier);
          return this.ACTION(() => ({ kind: "pause", span: this.sp(first, ev), duration: this.dur(d), event: ev.image, eventSpan: this.sp(ev, ev) })) as Cap;
        },
      },
      {
        ALT: () => {
          let scope: CapScope = { kind: "all" };
          let start: IToken | undefined;
          this.OPTION(() => {
            const sc = this.CONSUME6(T.Identifier);
            this.CONSUME(T.Colon);
            start = sc;
            scope = this.ACTION(() =>
              sc.image === "topic" ? { kind: "topic" } : sc.image === "rule" ? { kind: "rule" } : { kind: "channel", channel: sc.image, span: this.sp(sc, sc) },
            ) as CapScope;
          });
          const max = this.CONSUME7(T.Identifier);
          const n = this.CONSUME(T.NumberTok);
          this.CONSUME8(T.Identifier);
          const d = this.CONSUME3(T.DurationTok);
          return this.ACTION(() => ({ kind: "max", span: this.sp(start ?? max, d), scope, count: Number(n.image), per: this.dur(d) })) as Cap;
        },
      },
    ]),
  );
}

function unquote(raw: string): string {
  const body = raw.slice(1, -1);
  return body.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c === "t" ? "\t" : c));
}

export const TOKENS_BY_NAME: Record<string, TokenType> = Object.fromEntries(T.ALL_TOKENS.map((t) => [t.name, t]));
