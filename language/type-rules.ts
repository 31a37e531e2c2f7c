/**
 * Typing rules of operators, functions, lists, `in` and `between` (the part of
 * the type checker that does not touch names). Decisions where the spec is
 * silent are in docs/checking.md: dates and datetimes compare with each
 * other (a date is its UTC midnight); `date ± duration` is a datetime;
 * `datetime − datetime` is a duration; percents are numbers; null compares with
 * anything through `==`/`!=`.
 */
import type { Expr, Type } from "./ast.ts";
import { diag, typeName } from "./resolver.ts";
import { ERROR, FUNCTIONS, type Scope, type TypeChecker } from "./type-checker.ts";
import { didYouMean } from "./fuzzy.ts";

const t = (base: Type["base"], nullable = false): Type => ({ base, nullable });
const isTime = (b: string) => b === "date" || b === "datetime";

/** Same kind of value for comparing and combining: equal bases, or date with datetime. */
export function compatible(a: Type, b: Type): boolean {
  if (a.base === "error" || b.base === "error" || a.base === "null" || b.base === "null") return true;
  if (a.base === b.base) return a.base !== "list" || !a.elem || !b.elem || compatible(a.elem, b.elem);
  return isTime(a.base) && isTime(b.base);
}

const ORDERED = new Set(["number", "string", "duration", "date", "datetime"]);

/** Types the node kinds that involve no name lookup. */
export function typeExprRest(tc: TypeChecker, e: Expr, sc: Scope): Type {
  switch (e.kind) {
    case "list": {
      let elem: Type | undefined;
      for (const item of e.items) {
        const it = tc.type(item, sc);
        if (it.base === "error") continue;
        if (!elem || elem.base === "null") elem = it;
        else if (!compatible(elem, it)) {
          tc.out.push(diag("PB201", `a list holds values of one type: ${tc.what(item, it)}, the first item is ${typeName(elem)}`, item.span));
        }
      }
      return { base: "list", nullable: false, elem: elem ?? ERROR };
    }
    case "call":
      return call(tc, e, sc);
    case "unary": {
      if (e.op === "not") {
        tc.condition(e.operand, sc, `"not"`);
        return t("bool");
      }
      const o = tc.type(e.operand, sc);
      if (o.base === "error") return ERROR;
      if (o.base !== "number" && o.base !== "duration") {
        tc.out.push(diag("PB201", `cannot negate ${typeName(o)}: ${tc.what(e.operand, o)}`, e.operand.span));
        return ERROR;
      }
      return o;
    }
    case "binary":
      return binary(tc, e, sc);
    case "in": {
      const l = tc.type(e.left, sc);
      const r = tc.type(e.right, sc);
      if (e.right.kind === "list") for (const item of e.right.items) meantString(tc, item, item.type ?? ERROR, l);
      if (r.base === "error" || l.base === "error") return t("bool");
      if (r.base !== "list") {
        tc.out.push(diag("PB201", `"in" needs a list on the right, but ${tc.what(e.right, r)}`, e.right.span, `write e.g. ${tc.text(e.left)} in ["a", "b"]`));
      } else if (r.elem && !compatible(l, r.elem)) {
        tc.out.push(diag("PB201", `cannot look for ${typeName(l)} in a list of ${r.elem.base}s: ${tc.what(e.left, l)}`, e.left.span));
      }
      return t("bool");
    }
    case "between": {
      const v = tc.type(e.value, sc);
      for (const bound of [e.low, e.high]) {
        const b = tc.type(bound, sc);
        if (v.base === "error" || b.base === "error") continue;
        if (!ORDERED.has(v.base) || !compatible(v, b)) {
          tc.out.push(diag("PB201", `cannot compare ${typeName(v)} with ${typeName(b)}: ${tc.what(bound, b)}`, bound.span));
        }
      }
      return t("bool");
    }
    default:
      return ERROR;
  }
}

/**
 * `city == Moscow`: an unknown bare name compared with a string is almost
 * always the string itself without its quotes. The PB101 already reported
 * for it gets that as its hint (replacing a did-you-mean to some other name).
 */
function meantString(tc: TypeChecker, e: Expr, ty: Type, other: Type): void {
  if (e.kind !== "name" || e.ref || ty.base !== "error" || other.base !== "string") return;
  const d = tc.out.find((x) => x.code === "PB101" && x.span?.start === e.span.start && x.span?.file === e.span.file);
  if (d) d.hint = `did you mean the string "${e.name}"? write it in quotes: "${e.name}"`;
}

function binary(tc: TypeChecker, e: Extract<Expr, { kind: "binary" }>, sc: Scope): Type {
  const op = e.op;
  if (op === "and" || op === "or") {
    tc.condition(e.left, sc, `each side of "${op}"`);
    tc.condition(e.right, sc, `each side of "${op}"`);
    return t("bool");
  }
  const l = tc.type(e.left, sc);
  const r = tc.type(e.right, sc);
  if (op === "==" || op === "!=") {
    meantString(tc, e.right, r, l);
    meantString(tc, e.left, l, r);
  }
  if (l.base === "error" || r.base === "error") return op === "??" || "+-*/".includes(op) ? ERROR : t("bool");
  const nullable = l.nullable || r.nullable;
  const mismatch = (verb: string): Type => {
    const culprit = describeCulprit(tc, e.left, l, e.right, r);
    tc.out.push(diag("PB201", `cannot ${verb} ${typeName(stripNull(l))} ${verb === "compare" ? "with" : "and"} ${typeName(stripNull(r))}: ${culprit}`, e.span, hintFor(l, r)));
    return "+-*/??".includes(op) ? ERROR : t("bool");
  };
  switch (op) {
    case "==":
    case "!=":
      if (!compatible(l, r) || ((l.base === "event" || r.base === "event") && l.base !== "null" && r.base !== "null")) return mismatch("compare");
      return t("bool");
    case "<":
    case "<=":
    case ">":
    case ">=":
      if (l.base === "null" || r.base === "null") {
        tc.out.push(diag("PB201", `"${op}" with null is never true; use == null or != null`, e.span));
        return t("bool");
      }
      if (!ORDERED.has(l.base) || !compatible(l, r)) return mismatch("compare");
      return t("bool");
    case "??":
      if (!compatible(l, r)) return mismatch("combine");
      if (l.base === "null") return r;
      return { ...l, nullable: r.nullable };
    case "+":
    case "-": {
      if (l.base === "null" || r.base === "null") return { ...(l.base === "null" ? r : l), nullable: true };
      if (l.base === "number" && r.base === "number") return t("number", nullable);
      if (l.base === "duration" && r.base === "duration") return t("duration", nullable);
      if (isTime(l.base) && r.base === "duration") return t("datetime", nullable);
      if (op === "+" && l.base === "duration" && isTime(r.base)) return t("datetime", nullable);
      if (op === "-" && isTime(l.base) && isTime(r.base)) return t("duration", nullable);
      return mismatch(op === "+" ? "add" : "subtract");
    }
    case "*":
    case "/": {
      if (l.base === "null" || r.base === "null") return { ...(l.base === "null" ? r : l), nullable: true };
      if (l.base === "number" && r.base === "number") return t("number", nullable);
      if (l.base === "duration" && r.base === "number") return t("duration", nullable);
      if (op === "*" && l.base === "number" && r.base === "duration") return t("duration", nullable);
      if (op === "/" && l.base === "duration" && r.base === "duration") return t("number", nullable);
      return mismatch(op === "*" ? "multiply" : "divide");
    }
    default:
      return ERROR;
  }
}

const stripNull = (ty: Type): Type => ({ ...ty, nullable: false });

/** Names the operand a marketer should look at: a name or field before a literal. */
function describeCulprit(tc: TypeChecker, le: Expr, l: Type, re: Expr, r: Type): string {
  const isLit = (x: Expr) => ["number", "string", "bool", "null", "duration", "percent", "date", "datetime", "list"].includes(x.kind);
  if (isLit(re) && !isLit(le)) return tc.what(le, stripNull(l));
  if (isLit(le) && !isLit(re)) return tc.what(re, stripNull(r));
  return `${tc.what(le, stripNull(l))} and ${tc.what(re, stripNull(r))}`;
}

function hintFor(l: Type, r: Type): string | undefined {
  const bases = new Set([l.base, r.base]);
  if (bases.has("duration") && bases.has("number")) return "durations are written with a unit: 30d, 12h, 15m";
  if (bases.has("string") && bases.has("number")) return "quote a string, or compare a number attribute";
  if (isTime(l.base) && r.base === "number") return "to compare an age in days, use days_since(…)";
  if ((bases.has("date") || bases.has("datetime")) && bases.has("string")) return "dates are written without quotes: 2026-11-20";
  return undefined;
}

function call(tc: TypeChecker, e: Extract<Expr, { kind: "call" }>, sc: Scope): Type {
  const args = e.args;
  const arity = (n: number): boolean => {
    if (args.length === n) return true;
    tc.out.push(diag("PB205", `${e.fn}() takes ${n === 0 ? "no arguments" : n === 1 ? "one argument" : `${n} arguments`}, got ${args.length}`, e.span));
    for (const a of args) if (!(a.kind === "name" && a.name === "previous")) tc.type(a, sc);
    return false;
  };
  switch (e.fn) {
    case "days_since":
    case "hours_since": {
      if (!arity(1)) return ERROR;
      const a = tc.type(args[0]!, sc);
      if (a.base === "error") return ERROR;
      if (!isTime(a.base)) {
        tc.out.push(diag("PB201", `${e.fn} needs a date or datetime, but ${tc.what(args[0]!, a)}`, args[0]!.span, a.base === "event" ? `use ${tc.text(args[0]!)}.ts` : undefined));
        return ERROR;
      }
      return t("number", a.nullable);
    }
    case "lower": {
      if (!arity(1)) return ERROR;
      const a = tc.type(args[0]!, sc);
      if (a.base === "error") return ERROR;
      if (a.base !== "string") {
        tc.out.push(diag("PB201", `lower needs a string, but ${tc.what(args[0]!, a)}`, args[0]!.span));
        return ERROR;
      }
      return t("string", a.nullable);
    }
    case "delivered":
    case "opened":
    case "clicked": {
      if (!arity(1)) return t("bool");
      const a = args[0]!;
      if (a.kind !== "name" || a.name !== "previous") {
        tc.out.push(diag("PB205", `${e.fn}() takes the word previous: ${e.fn}(previous)`, a.span));
        return t("bool");
      }
      a.ref = { kind: "previous" };
      a.type = t("bool");
      if (sc.step === undefined || sc.step < 2) {
        const where = sc.step === 1 ? "the first step has no previous step" : "it is only allowed in the if/unless of a cadence's second or later step";
        tc.out.push(diag("PB204", `${e.fn}(previous) cannot be used here: ${where}`, e.span));
      }
      return t("bool");
    }
    case "in_cadence":
      arity(0);
      if (!sc.inRule) tc.out.push(diag("PB111", `in_cadence() is only allowed in rules (who, unless, step conditions)`, e.span));
      return t("bool");
    default: {
      for (const a of args) tc.type(a, sc);
      const best = didYouMean(e.fn, FUNCTIONS);
      tc.out.push(diag("PB110", `unknown function "${e.fn}"`, e.fnSpan ?? e.span, best ? `did you mean "${best}"?` : `functions: ${FUNCTIONS.join(", ")}`));
      return ERROR;
    }
  }
}
