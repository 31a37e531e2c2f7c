/**
 * JSON Logic → our expression AST, so a segment written `{ jsonlogic: … }`
 * goes through our checker and compiler and means what our language means.
 *
 * Mapping (everything else is PB090 jsonlogic-unsupported; a rule that is not
 * JSON Logic at all is PB091 jsonlogic-malformed):
 * - `{"var": "a.b"}` → `a.b` (a name, then members); `{"var": ["a", d]}` → `a ?? d`.
 *   Our model has no "missing" apart from null, so the default also replaces null.
 * - `==`/`===` → `==`, `!=`/`!==` → `!=` (ours is strict: `1 == "1"` is a type
 *   error for the checker, false at run time); `< <= > >=`; the 3-argument
 *   `{"<": [a, b, c]}` → `a < b and b < c`, `{"<=": [a, b, c]}` → `b between a and c`.
 * - `and`/`or` (n-ary, folded left), `!` → `not`, `!!` → `not not`
 *   (conditions: they give booleans, never an operand as JSON Logic does).
 * - `if`/`?:` with branches → `(c1 and a1) or (not c1 and (…else…))`: exact
 *   when the branches are conditions, which is what a segment is; the checker
 *   reports non-boolean branches.
 * - `+` `*` (n-ary, folded), `-` (unary or binary), `/`.
 * - `in` with a list (a literal or a var) → `x in list`. Substring `in` (a
 *   string literal on the right) has no equivalent and is refused.
 * - Literals: numbers, strings, booleans, null, arrays → lists.
 * Every node gets the span of the whole `jsonlogic:` value; messages name the
 * JSON path of the offending part (`and[1].substr`).
 */
import type { BinaryOp, Expr, Span } from "./ast.ts";
import type { Diagnostic } from "./diagnostics.ts";

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Deeper rules are refused rather than risking the stack (a YAML bomb, not a real segment). */
const MAX_DEPTH = 200;

class ImportError extends Error {
  constructor(
    readonly code: "PB090" | "PB091",
    message: string,
  ) {
    super(message);
  }
}

/** Imports a JSON Logic rule; on failure, one diagnostic for the first offending part. */
export function importJsonLogic(value: unknown, span: Span): { expr?: Expr; diagnostics: Diagnostic[] } {
  try {
    return { expr: new Importer(span).conv(value, "jsonlogic"), diagnostics: [] };
  } catch (e) {
    if (!(e instanceof ImportError)) throw e;
    const name = e.code === "PB090" ? "jsonlogic-unsupported" : "jsonlogic-malformed";
    return { diagnostics: [{ code: e.code, name, severity: "error", message: e.message, span }] };
  }
}

class Importer {
  constructor(private readonly span: Span) {}

  private depth = 0;

  conv(v: unknown, path: string): Expr {
    if (++this.depth > MAX_DEPTH) throw new ImportError("PB091", `${path.slice(0, 60)}…: nested more than ${MAX_DEPTH} levels deep`);
    try {
      return this.convAt(v, path);
    } finally {
      this.depth--;
    }
  }

  private convAt(v: unknown, path: string): Expr {
    const span = this.span;
    if (v === null) return { kind: "null", span };
    if (typeof v === "boolean") return { kind: "bool", value: v, span };
    if (typeof v === "number") {
      if (!Number.isFinite(v)) throw new ImportError("PB091", `${path}: ${v} is not a number a playbook can hold`);
      return { kind: "number", value: v, raw: String(v), span };
    }
    if (typeof v === "string") return { kind: "string", value: v, raw: JSON.stringify(v), span };
    if (Array.isArray(v)) return { kind: "list", items: v.map((x, i) => this.conv(x, `${path}[${i}]`)), span };
    if (typeof v !== "object") throw new ImportError("PB091", `${path}: ${typeof v} is not JSON`);
    const keys = Object.keys(v);
    if (keys.length !== 1) throw new ImportError("PB091", `${path}: a JSON Logic operation is an object with exactly one key, this one has ${keys.length}`);
    const op = keys[0]!;
    const raw = (v as Record<string, unknown>)[op];
    const args = Array.isArray(raw) ? raw : [raw];
    return this.operation(op, args, `${path}.${op}`);
  }

  private operation(op: string, args: unknown[], path: string): Expr {
    const arg = (i: number) => this.conv(args[i], `${path}[${i}]`);
    const arity = (...allowed: number[]) => {
      if (!allowed.includes(args.length)) throw new ImportError("PB091", `${path}: "${op}" takes ${allowed.join(" or ")} arguments, got ${args.length}`);
    };
    const bin = (o: BinaryOp, l: Expr, r: Expr): Expr => ({ kind: "binary", op: o, left: l, right: r, span: this.span });
    const not = (x: Expr): Expr => ({ kind: "unary", op: "not", operand: x, span: this.span });
    const fold = (o: BinaryOp): Expr => args.map((_, i) => arg(i)).reduce((l, r) => bin(o, l, r));
    switch (op) {
      case "var":
        return this.variable(args, path);
      case "==":
      case "===":
        arity(2);
        return bin("==", arg(0), arg(1));
      case "!=":
      case "!==":
        arity(2);
        return bin("!=", arg(0), arg(1));
      case "<":
      case "<=": {
        arity(2, 3);
        if (args.length === 2) return bin(op, arg(0), arg(1));
        if (op === "<=") return { kind: "between", value: arg(1), low: arg(0), high: arg(2), span: this.span };
        return bin("and", bin("<", arg(0), arg(1)), bin("<", arg(1), arg(2)));
      }
      case ">":
      case ">=":
        arity(2);
        return bin(op, arg(0), arg(1));
      case "!":
        arity(1);
        return not(arg(0));
      case "!!":
        arity(1);
        return not(not(arg(0)));
      case "and":
      case "or":
        if (args.length === 0) throw new ImportError("PB091", `${path}: "${op}" needs at least one argument`);
        return fold(op);
      case "if":
      case "?:": {
        if (args.length === 0) throw new ImportError("PB090", `${path}: an "if" without arguments has no meaning in a playbook`);
        // [c1, a1, c2, a2, …, else]: (c1 and a1) or (not c1 and (…)).
        const chain = (i: number): Expr => {
          if (i === args.length - 1) return arg(i);
          if (i >= args.length) return { kind: "bool", value: false, span: this.span };
          const c = arg(i);
          return bin("or", bin("and", c, arg(i + 1)), bin("and", not(c), chain(i + 2)));
        };
        return chain(0);
      }
      case "+":
      case "*":
        if (args.length < 2) throw new ImportError("PB090", `${path}: "${op}" with one argument converts a string to a number, which playbooks do not do`);
        return fold(op);
      case "-":
        arity(1, 2);
        return args.length === 1 ? { kind: "unary", op: "-", operand: arg(0), span: this.span } : bin("-", arg(0), arg(1));
      case "/":
        arity(2);
        return bin("/", arg(0), arg(1));
      case "in":
        arity(2);
        if (typeof args[1] === "string") throw new ImportError("PB090", `${path}: "in" on a string (substring search) has no playbook equivalent; "in" works on lists`);
        return { kind: "in", negated: false, left: arg(0), right: arg(1), span: this.span };
      default:
        throw new ImportError("PB090", `${path}: JSON Logic "${op}" has no playbook equivalent`);
    }
  }

  /** `var` with a dotted path and an optional default. */
  private variable(args: unknown[], path: string): Expr {
    const p = args[0];
    if (typeof p !== "string" || p === "") throw new ImportError("PB090", `${path}: only a var naming a field ("age", "rfm.r") is supported, not ${JSON.stringify(p ?? null)}`);
    const parts = p.split(".");
    for (const part of parts) {
      if (!IDENT.test(part)) throw new ImportError("PB090", `${path}: "${part}" in "${p}" is not a name (array indexes and odd characters are not supported)`);
    }
    const span = this.span;
    let e: Expr = { kind: "name", name: parts[0]!, span };
    for (const prop of parts.slice(1)) e = { kind: "member", object: e, prop, propSpan: span, span };
    if (args.length > 1 && args[1] !== null) e = { kind: "binary", op: "??", left: e, right: this.conv(args[1], `${path}[1]`), span };
    return e;
  }
}
