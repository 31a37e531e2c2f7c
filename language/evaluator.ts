/**
 * The reference evaluator: THE meaning of a playbook expression. Every other
 * execution (compiled closures, JSON Logic export, SQL) is tested against it.
 * It is written for clarity, not speed: it walks the tree and scans
 * `env.events` for every aggregate.
 *
 * The rules (language.md "Expressions", plus decisions where it is silent —
 * also listed in engine/compile/README.md):
 * - Null: arithmetic, `-x`, `lower`, `days_since`, `hours_since` and member
 *   access on null give null. `x / 0` gives null (no Infinity in a playbook).
 * - Comparisons (`== != < <= > >=`, `in`, `not in`, `between`) with a null
 *   operand are false. The exception is syntactic: when one side of `==`/`!=` is
 *   the literal `null`, they test whether the other side is null
 *   (`x == null`, `x != null`). So `city != "London"` is false for an unknown
 *   city, like SQL. `null == null` (both literals) is true.
 * - `and`/`or`/`not` see null (and anything not `true`) as false; they always
 *   give a boolean. `a ?? b` is `b` when `a` is null.
 * - `==` on lists compares items in order; other values compare with `===`
 *   (dates and datetimes are epoch ms, so a date equals its UTC midnight).
 * - `x in list`: is some item `==` x (items that are null never match);
 *   `not in` is its negation, except that a null x or a null list gives false.
 * - `between` is inclusive at both ends.
 * - Strings order by Unicode code point, and `lower` maps each code point by
 *   the simple lowercase mapping (text.ts), as every SQL target does.
 * - `days_since(t)` = floor((now − t) / 1 day), `hours_since` likewise: whole
 *   units rounded down, so an instant 1 ms in the future is −1.
 * - Aggregates scan events with `ts <= now` (and `ts > now − within`) whose
 *   `where` holds. count/sum of none = 0; avg/min/max of none = null; null prop
 *   values are skipped by sum/avg/min/max; first/last give the event or null.
 * - Inside `where`, a prop reads the innermost event under scan with that
 *   event name; a trigger-scoped prop reads `env.trigger`.
 * - A segment name evaluates the segment's expression; the answer is stored in
 *   `env.segments` when the caller provided that record.
 */
import type { AggExpr, Expr, ExistsExpr, NameRef, Workspace } from "./ast.ts";
import { lessOp, lowerText } from "./text.ts";
import type { EvalEnv, EventRecord, RfmScores, Value } from "./values.ts";

/** One day and one hour in ms, for days_since / hours_since. */
export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;

/**
 * Evaluates `expr` for one customer at `env.now`. Names must be resolved
 * (`NameExpr.ref` filled by the checker); an unresolved name is a bug and
 * throws.
 */
export function evaluate(expr: Expr, env: EvalEnv, ws: Workspace): Value {
  return new Evaluator(env, ws).eval(expr, []);
}

/** Events under scan by enclosing `where` clauses, innermost last. */
type WhereStack = readonly EventRecord[];

/** Is `v` true? (null and everything else is false.) */
export const truthy = (v: Value): boolean => v === true;

/** Structural equality of two non-null values (lists item by item). */
export function valueEquals(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!valueEquals(a[i]!, b[i]!)) return false;
    return true;
  }
  return false;
}

/** Membership by `==`; null items never match. */
export function listHas(list: readonly Value[], x: Value): boolean {
  for (const item of list) if (item !== null && valueEquals(item, x)) return true;
  return false;
}

/** Is this event inside the aggregate's time window at `now`? */
export function inWindow(ts: number, now: number, within: number | undefined): boolean {
  return ts <= now && (within === undefined || ts > now - within);
}

/** Reads a field of an event record or an RFM record. */
export function memberOf(o: Value, prop: string): Value {
  if (o === null || typeof o !== "object" || Array.isArray(o)) return null;
  if ("props" in o) {
    const ev = o as EventRecord;
    return prop === "ts" ? ev.ts : (ev.props[prop] ?? null);
  }
  const r = o as RfmScores;
  switch (prop) {
    case "r":
      return r.r;
    case "f":
      return r.f;
    case "m":
      return r.m;
    case "cell":
      return r.cell;
    default:
      return null;
  }
}

class Evaluator {
  constructor(
    private readonly env: EvalEnv,
    private readonly ws: Workspace,
  ) {}

  eval(e: Expr, w: WhereStack): Value {
    switch (e.kind) {
      case "number":
      case "percent":
        return e.value;
      case "string":
        return e.value;
      case "bool":
        return e.value;
      case "null":
        return null;
      case "duration":
      case "date":
      case "datetime":
        return e.ms;
      case "list":
        return e.items.map((i) => this.eval(i, w));
      case "name":
        return this.name(e.ref, e.name, w);
      case "member":
        return memberOf(this.eval(e.object, w), e.prop);
      case "call":
        return this.call(e.fn, e.args, w);
      case "agg":
        return this.agg(e, w);
      case "exists":
        return this.exists(e, w);
      case "unary": {
        if (e.op === "not") return !truthy(this.eval(e.operand, w));
        const v = this.eval(e.operand, w);
        return v === null ? null : -(v as number);
      }
      case "binary":
        return this.binary(e.op, e.left, e.right, w);
      case "in": {
        const x = this.eval(e.left, w);
        const list = this.eval(e.right, w);
        if (x === null || !Array.isArray(list)) return false;
        return listHas(list, x) !== e.negated;
      }
      case "between": {
        const v = this.eval(e.value, w);
        const lo = this.eval(e.low, w);
        const hi = this.eval(e.high, w);
        if (v === null || lo === null || hi === null) return false;
        return lessOp("<=", lo, v) && lessOp("<=", v, hi);
      }
    }
  }

  private name(ref: NameRef | undefined, name: string, w: WhereStack): Value {
    if (!ref) throw new Error(`evaluate: unresolved name "${name}" (run the checker first)`);
    const env = this.env;
    switch (ref.kind) {
      case "attribute":
        return env.customer[ref.name] ?? null;
      case "segment":
        return this.segment(ref.name);
      case "event":
        for (const ev of env.events) if (ev.name === ref.name && ev.ts <= env.now) return true;
        return false;
      case "prop": {
        if (ref.scope === "trigger") return env.trigger?.props[ref.prop] ?? null;
        for (let i = w.length - 1; i >= 0; i--) if (w[i]!.name === ref.event) return w[i]!.props[ref.prop] ?? null;
        return null;
      }
      case "trigger_event":
        return env.trigger ?? null;
      case "rfm":
        return env.rfm ?? null;
      case "previous":
        return null;
    }
  }

  private segment(name: string): boolean {
    const memo = this.env.segments;
    if (memo && memo[name] !== undefined) return memo[name]!;
    const seg = this.ws.segments.get(name);
    if (!seg) throw new Error(`evaluate: unknown segment "${name}"`);
    // A segment sees the customer only: no where-scope, whatever encloses the name.
    const v = truthy(this.eval(seg.expr, []));
    if (memo) memo[name] = v;
    return v;
  }

  private call(fn: string, args: Expr[], w: WhereStack): Value {
    const env = this.env;
    switch (fn) {
      case "days_since":
      case "hours_since": {
        const t = this.eval(args[0]!, w);
        if (t === null) return null;
        return Math.floor((env.now - (t as number)) / (fn === "days_since" ? DAY_MS : HOUR_MS));
      }
      case "lower": {
        const s = this.eval(args[0]!, w);
        return s === null ? null : lowerText(s as string);
      }
      case "delivered":
        return env.previous?.delivered ?? false;
      case "opened":
        return env.previous?.opened ?? false;
      case "clicked":
        return env.previous?.clicked ?? false;
      case "in_cadence":
        return env.inCadence ?? false;
      default:
        throw new Error(`evaluate: unknown function ${fn}()`);
    }
  }

  /** Calls `visit` for every event of the set, in ts order; stops when it returns true. */
  private scan(e: AggExpr | ExistsExpr, w: WhereStack, visit: (ev: EventRecord) => boolean | void): void {
    const { now, events } = this.env;
    const within = e.within?.ms;
    for (const ev of events) {
      if (ev.name !== e.event || !inWindow(ev.ts, now, within)) continue;
      if (e.where && !truthy(this.eval(e.where, [...w, ev]))) continue;
      if (visit(ev) === true) return;
    }
  }

  private exists(e: ExistsExpr, w: WhereStack): boolean {
    let found = false;
    this.scan(e, w, () => (found = true));
    return found;
  }

  private agg(e: AggExpr, w: WhereStack): Value {
    switch (e.fn) {
      case "count": {
        let n = 0;
        this.scan(e, w, () => void n++);
        return n;
      }
      case "first": {
        let first: EventRecord | null = null;
        this.scan(e, w, (ev) => ((first = ev), true));
        return first;
      }
      case "last": {
        let last: EventRecord | null = null;
        this.scan(e, w, (ev) => void (last = ev));
        return last;
      }
      default: {
        const prop = e.prop!;
        let n = 0;
        let acc = 0;
        this.scan(e, w, (ev) => {
          const v = ev.props[prop];
          if (v === null || v === undefined) return;
          const x = v as number;
          if (n === 0) acc = e.fn === "min" || e.fn === "max" ? x : 0;
          if (e.fn === "sum" || e.fn === "avg") acc += x;
          else if (e.fn === "min") acc = x < acc ? x : acc;
          else acc = x > acc ? x : acc;
          n++;
        });
        if (e.fn === "sum") return acc;
        if (n === 0) return null;
        return e.fn === "avg" ? acc / n : acc;
      }
    }
  }

  private binary(op: string, l: Expr, r: Expr, w: WhereStack): Value {
    if (op === "and") return truthy(this.eval(l, w)) && truthy(this.eval(r, w));
    if (op === "or") return truthy(this.eval(l, w)) || truthy(this.eval(r, w));
    if (op === "??") {
      const a = this.eval(l, w);
      return a !== null ? a : this.eval(r, w);
    }
    if ((op === "==" || op === "!=") && (l.kind === "null" || r.kind === "null")) {
      const isNull = (l.kind === "null" || this.eval(l, w) === null) && (r.kind === "null" || this.eval(r, w) === null);
      return op === "==" ? isNull : !isNull;
    }
    const a = this.eval(l, w);
    const b = this.eval(r, w);
    if (a === null || b === null) return op === "+" || op === "-" || op === "*" || op === "/" ? null : false;
    switch (op) {
      case "==":
        return valueEquals(a, b);
      case "!=":
        return !valueEquals(a, b);
      case "<":
        return lessOp("<", a, b);
      case "<=":
        return lessOp("<=", a, b);
      case ">":
        return lessOp(">", a, b);
      case ">=":
        return lessOp(">=", a, b);
      case "+":
        return (a as number) + (b as number);
      case "-":
        return (a as number) - (b as number);
      case "*":
        return (a as number) * (b as number);
      case "/":
        return (b as number) === 0 ? null : (a as number) / (b as number);
      default:
        throw new Error(`evaluate: unknown operator ${op}`);
    }
  }
}
