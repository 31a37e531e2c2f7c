/**
 * PB304/PB310: conditions that can never hold. The conjuncts of a condition
 * (joined by `and`, with segments expanded) give numeric bounds on the same
 * left-hand side — an attribute, an aggregate, an rfm field — compared with a
 * literal; when the bounds leave an empty interval, or two `==` pick different
 * strings, the condition is dead. Domains add bounds of their own: rfm.r/f/m are
 * 1..scores, counts are ≥ 0. Only `and` is reasoned over; an `or` is left alone
 * (sound: we never call a satisfiable condition dead).
 */
import type { Expr, Workspace } from "../ast.ts";
import type { Diagnostic } from "../diagnostics.ts";
import { diag, segmentRefs } from "../resolver.ts";
import { allSteps } from "../variants.ts";

const refCache = new WeakMap<Workspace, Map<string, string[]>>();
function refsOf(ws: Workspace, seg: string): string[] {
  let m = refCache.get(ws);
  if (!m) refCache.set(ws, (m = new Map()));
  let r = m.get(seg);
  if (!r) m.set(seg, (r = segmentRefs(ws.segments.get(seg)?.expr).map((x) => x.name)));
  return r;
}

/** Where a bound comes from: a conjunct of the source, or a domain (`note`). Text is made only when reported. */
interface Atom { expr?: Expr; note?: string }
interface Bound { v: number; strict: boolean; atom: Atom }
interface Range { lo?: Bound; hi?: Bound; eq?: { s: string; atom: Atom } }

/** A contradiction: the two bounds that cannot both hold. */
export interface Conflict { a: Atom; b: Atom }

const SKIP = new Set(["span", "type", "fnSpan", "eventSpan", "propSpan", "raw"]);

/** A key equal for structurally equal expressions (spans and types ignored). */
export function exprKey(e: Expr): string {
  let k = keys.get(e);
  if (k === undefined) {
    k = JSON.stringify(e, (key, v) => (SKIP.has(key) ? undefined : v));
    keys.set(e, k);
  }
  return k;
}
const keys = new WeakMap<Expr, string>();

function numeric(e: Expr): number | undefined {
  if (e.kind === "number" || e.kind === "percent") return e.value;
  if (e.kind === "duration") return e.ms;
  if (e.kind === "unary" && e.op === "-" && e.operand.kind === "number") return -e.operand.value;
  return undefined;
}

const FLIP: Record<string, string> = { "<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==" };

/** Finds contradictions in conjunctions; segments are expanded (each once per path). */
export class IntervalReasoner {
  /** Expanded conjuncts of each segment, computed once (a workspace may chain hundreds). */
  private readonly expanded = new Map<string, { list: Expr[]; tainted: boolean }>();
  constructor(
    private readonly ws: Workspace,
    private readonly text: (e: Expr) => string,
  ) {}

  /** The conjuncts of `e`, segments expanded; `tainted` is set when a dead segment was expanded. */
  conjuncts(e: Expr | undefined, acc: Expr[] = [], seen = new Set<string>(), dead = new Set<string>(), flag = { tainted: false }): Expr[] {
    if (!e) return acc;
    if (e.kind === "binary" && e.op === "and") {
      this.conjuncts(e.left, acc, seen, dead, flag);
      this.conjuncts(e.right, acc, seen, dead, flag);
    } else if (e.kind === "name" && e.ref?.kind === "segment" && !seen.has(e.name)) {
      const seg = this.ws.segments.get(e.name);
      if (dead.has(e.name)) flag.tainted = true;
      if (!seg) return acc;
      let memo = this.expanded.get(e.name);
      if (!memo) {
        const f = { tainted: false };
        const inner = new Set(seen).add(e.name);
        const list = this.conjuncts(seg.expr, [], inner, dead, f);
        memo = { list, tainted: f.tainted };
        // Only a segment expanded outside any cycle has one expansion whatever the path.
        if (seen.size === 0 || !this.onCycle(e.name)) this.expanded.set(e.name, memo);
      }
      if (memo.tainted) flag.tainted = true;
      for (const x of memo.list) acc.push(x);
    } else acc.push(e);
    return acc;
  }

  private cycleMemo?: Set<string>;
  /** True when the segment can reach itself (its expansion then depends on the path). */
  private onCycle(name: string): boolean {
    if (!this.cycleMemo) {
      this.cycleMemo = new Set();
      for (const n of this.ws.segments.keys()) {
        const stack = [n];
        const seen = new Set<string>();
        while (stack.length) {
          const cur = stack.pop()!;
          for (const r of refsOf(this.ws, cur)) {
            if (r === n) this.cycleMemo.add(n);
            if (!seen.has(r)) (seen.add(r), stack.push(r));
          }
        }
      }
    }
    return this.cycleMemo.has(name);
  }

  /** The first contradiction among the conjuncts, or undefined. */
  conflict(conjuncts: Expr[]): Conflict | undefined {
    const ranges = new Map<string, Range>();
    const rangeOf = (x: Expr): Range => {
      const k = exprKey(x);
      let r = ranges.get(k);
      if (!r) {
        r = this.domain(x);
        ranges.set(k, r);
      }
      return r;
    };
    for (const c of conjuncts) {
      const atom: Atom = { expr: c };
      const found = this.bounds(c, atom, rangeOf);
      if (found) return found;
    }
    return undefined;
  }

  private domain(x: Expr): Range {
    const dom = (lo: number, hi: number | undefined, what: string): Range => {
      const atom = { note: what };
      return { lo: { v: lo, strict: false, atom }, ...(hi === undefined ? {} : { hi: { v: hi, strict: false, atom } }) };
    };
    if (x.kind === "member" && x.object.kind === "name" && x.object.ref?.kind === "rfm" && ["r", "f", "m"].includes(x.prop)) {
      const s = this.ws.rfm?.scores ?? 5;
      return dom(1, s, `rfm.${x.prop} is from 1 to ${s}`);
    }
    if (x.kind === "agg" && x.fn === "count") return dom(0, undefined, "a count is never negative");
    return {};
  }

  private bounds(c: Expr, atom: Atom, rangeOf: (x: Expr) => Range): Conflict | undefined {
    if (c.kind === "between") {
      const lo = numeric(c.low);
      const hi = numeric(c.high);
      if (lo === undefined || hi === undefined) return undefined;
      const r = rangeOf(c.value);
      return add(r, "lo", { v: lo, strict: false, atom }) ?? add(r, "hi", { v: hi, strict: false, atom });
    }
    if (c.kind !== "binary" || !(c.op in FLIP)) return undefined;
    let op = c.op as string;
    let subject = c.left;
    let lit = c.right;
    if (numeric(c.left) !== undefined || c.left.kind === "string") {
      subject = c.right;
      lit = c.left;
      op = FLIP[op]!;
    }
    if (lit.kind === "string" && op === "==") {
      const r = rangeOf(subject);
      if (r.eq && r.eq.s !== lit.value) return { a: r.eq.atom, b: atom };
      r.eq ??= { s: lit.value, atom };
      return undefined;
    }
    const v = numeric(lit);
    if (v === undefined || numeric(subject) !== undefined) return undefined;
    const r = rangeOf(subject);
    if (op === "==") return add(r, "lo", { v, strict: false, atom }) ?? add(r, "hi", { v, strict: false, atom });
    if (op === ">" || op === ">=") return add(r, "lo", { v, strict: op === ">", atom });
    return add(r, "hi", { v, strict: op === "<", atom });
  }
}

/** Tightens one side of a range; returns the conflict when the range becomes empty. */
function add(r: Range, side: "lo" | "hi", b: Bound): Conflict | undefined {
  const cur = r[side];
  const tighter = !cur || (side === "lo" ? b.v > cur.v || (b.v === cur.v && b.strict) : b.v < cur.v || (b.v === cur.v && b.strict));
  if (tighter) r[side] = b;
  const { lo, hi } = r;
  if (lo && hi && (lo.v > hi.v || (lo.v === hi.v && (lo.strict || hi.strict)))) {
    const other = side === "lo" ? hi : lo;
    return { a: other.atom, b: b.atom };
  }
  return undefined;
}

function conflictText(c: Conflict, text: (e: Expr) => string): string {
  const t = (a: Atom) => (a.expr ? text(a.expr) : a.note ?? "");
  if (!c.a.expr) return `"${t(c.b)}" can never be true: ${t(c.a)}`;
  if (c.a.expr === c.b.expr) return `"${t(c.a)}" is empty`;
  return `"${t(c.a)}" and "${t(c.b)}" cannot both be true`;
}

/** Appends PB304 for dead segments, trigger filters and rules' who, PB310 for dead step conditions. */
export function lintNeverHolds(ws: Workspace, text: (e: Expr) => string, out: Diagnostic[]): void {
  const ir = new IntervalReasoner(ws, text);
  const dead = new Set<string>();
  const related = (c: Conflict) => (c.a.expr === c.b.expr ? [] : [c.a, c.b].flatMap((a) => (a.expr ? [{ message: `"${text(a.expr)}"`, span: a.expr.span }] : [])));
  for (const seg of ws.segments.values()) {
    const flag = { tainted: false };
    const c = ir.conflict(ir.conjuncts(seg.expr, [], new Set([seg.name]), dead, flag));
    if (!c) continue;
    dead.add(seg.name);
    if (!flag.tainted) out.push(diag("PB304", `segment "${seg.name}" can never hold: ${conflictText(c, text)}`, seg.expr.span, undefined, related(c)));
  }
  for (const rule of ws.rules.values()) {
    const on = rule.on;
    if (on && (on.kind === "event" || on.kind === "after") && on.where) {
      // The trigger's filter is a condition like who: dead, the rule never fires.
      const tflag = { tainted: false };
      const tc = ir.conflict(ir.conjuncts(on.where, [], new Set(), dead, tflag));
      if (tc && !tflag.tainted) out.push(diag("PB304", `the trigger filter of rule "${rule.id}" can never hold: ${conflictText(tc, text)}`, on.where.span, "this rule would never fire", related(tc)));
    }
    const flag = { tainted: false };
    const who = ir.conjuncts(rule.who, [], new Set(), dead, flag);
    const c = ir.conflict(who);
    if (c) {
      if (!flag.tainted) out.push(diag("PB304", `who of rule "${rule.id}" can never hold: ${conflictText(c, text)}`, rule.who!.span, "this rule would never reach anyone", related(c)));
      continue;
    }
    for (const step of rule.steps ? allSteps(rule) : []) {
      if (!step.if) continue;
      const sflag = { tainted: false };
      const sc = ir.conflict([...who, ...ir.conjuncts(step.if, [], new Set(), dead, sflag)]);
      if (sc && !sflag.tainted) out.push(diag("PB310", `the if of step ${step.index} of "${rule.id}" can never hold: ${conflictText(sc, text)}`, step.if.span, undefined, related(sc)));
    }
  }
}
