/**
 * What an expression tells about nullness when it holds (or fails): the
 * attributes it proves non-null. Used by the template-field lint to narrow a
 * rule's audience (`who: first_name != null` makes `first_name` safe). The laws
 * follow language.md's null semantics: a comparison with null is false except
 * `== null`/`!= null`, and `and`/`or`/`not` see null as false.
 */
import type { Expr, Workspace } from "../ast.ts";

const LITERALS = new Set(["number", "string", "bool", "duration", "percent", "date", "datetime", "list"]);

/** Attributes that must be non-null for `e` to be non-null (arithmetic and functions propagate null; `??` stops it). */
function strict(e: Expr): string[] {
  switch (e.kind) {
    case "name":
      return e.ref?.kind === "attribute" ? [e.name] : [];
    case "unary":
      return e.op === "-" ? strict(e.operand) : [];
    case "binary":
      return "+-*/".includes(e.op) ? [...strict(e.left), ...strict(e.right)] : [];
    case "call":
      return ["days_since", "hours_since", "lower"].includes(e.fn) ? e.args.flatMap(strict) : [];
    default:
      return [];
  }
}

const isNull = (e: Expr) => e.kind === "null";
const isLit = (e: Expr) => LITERALS.has(e.kind);

/** Proves non-null facts from expressions of one workspace, expanding segments once each. */
export class NullFacts {
  private readonly expanding = new Set<string>();
  /** Facts of segments expanded from the top (not through a cycle), computed once each. */
  private readonly memo = new Map<string, Set<string>>();
  constructor(private readonly ws: Workspace) {}

  /** Attributes proved non-null when `e` is true. */
  whenTrue(e: Expr | undefined): Set<string> {
    if (!e) return new Set();
    switch (e.kind) {
      case "name":
        if (e.ref?.kind === "attribute") return new Set([e.name]);
        if (e.ref?.kind === "segment") return this.segment(e.name);
        return new Set();
      case "unary":
        return e.op === "not" ? this.whenFalse(e.operand) : new Set();
      case "binary":
        switch (e.op) {
          case "and":
            return union(this.whenTrue(e.left), this.whenTrue(e.right));
          case "or":
            return intersect(this.whenTrue(e.left), this.whenTrue(e.right));
          case "==":
            if (isNull(e.left) || isNull(e.right)) return new Set();
            if (isLit(e.right)) return new Set(strict(e.left));
            if (isLit(e.left)) return new Set(strict(e.right));
            return new Set();
          case "!=":
            if (isNull(e.right)) return new Set(strict(e.left));
            if (isNull(e.left)) return new Set(strict(e.right));
            return new Set();
          case "<":
          case "<=":
          case ">":
          case ">=":
            return new Set([...strict(e.left), ...strict(e.right)]);
          default:
            return new Set();
        }
      case "in":
        return e.negated ? new Set() : new Set(strict(e.left));
      case "between":
        return new Set(strict(e.value));
      default:
        return new Set();
    }
  }

  /** Attributes proved non-null when `e` is false. */
  whenFalse(e: Expr | undefined): Set<string> {
    if (!e) return new Set();
    switch (e.kind) {
      case "unary":
        return e.op === "not" ? this.whenTrue(e.operand) : new Set();
      case "binary":
        if (e.op === "or") return union(this.whenFalse(e.left), this.whenFalse(e.right));
        if (e.op === "and") return intersect(this.whenFalse(e.left), this.whenFalse(e.right));
        if (e.op === "==" && isNull(e.right)) return new Set(strict(e.left));
        if (e.op === "==" && isNull(e.left)) return new Set(strict(e.right));
        return new Set();
      default:
        return new Set();
    }
  }

  private segment(name: string): Set<string> {
    const seg = this.ws.segments.get(name);
    if (!seg || this.expanding.has(name)) return new Set();
    const cached = this.memo.get(name);
    if (cached) return cached;
    const top = this.expanding.size === 0;
    this.expanding.add(name);
    try {
      const facts = this.whenTrue(seg.expr);
      if (top) this.memo.set(name, facts);
      return facts;
    } finally {
      this.expanding.delete(name);
    }
  }
}

function union(a: Set<string>, b: Set<string>): Set<string> {
  return new Set([...a, ...b]);
}

function intersect(a: Set<string>, b: Set<string>): Set<string> {
  return new Set([...a].filter((x) => b.has(x)));
}
