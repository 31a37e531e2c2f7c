/**
 * The feature plan: every aggregate of a workspace, once.
 *
 * The compiler walks every expression of a checked workspace (segments, rule
 * `who`/`unless`, step `if`/`unless`, trigger and exit `where`, channel
 * `requires`, `suppress`), collects each aggregate (`count/sum/avg/min/max/
 * first/last`), qualified event set (`order_placed within 1h`) and bare event
 * name used as a condition (`order_placed`: "has happened"), and removes
 * duplicates by feature key (the canonical text, `featureKey` of
 * language/printer.ts — the key compiled code looks up in `EvalEnv.features`).
 *
 * A feature is *precomputable* when its value depends only on the customer's
 * events, attributes and the instant: then one scan of the events computes it
 * for every customer (`sql.ts`, `duckdb.ts`) or one pass over one customer's
 * events in memory (`memory.ts`). It is *per decision* when its `where` reads
 * the trigger event (`count(product_viewed where product_id ==
 * back_in_stock.product_id)`), an enclosing `where`'s event (nested
 * aggregates), a segment, `rfm`, or cadence state: those are evaluated by the
 * compiled closures at each decision, over the customer's events.
 */
import type { AggExpr, AggFn, Expr, ExistsExpr, Workspace } from "../../language/ast.ts";
import { featureKey } from "../../language/printer.ts";
import { duckdb } from "./dialect.ts";
import { condSql, NotSql, type ScanSource } from "./sql.ts";

/** One distinct aggregate of the workspace. */
export interface Feature {
  /** `featureKey` of the node: the canonical text, e.g. `count(order_placed within 30d)`. */
  key: string;
  fn: AggFn | "exists";
  event: string;
  /** The aggregated prop (sum/avg/min/max). */
  prop?: string;
  where?: Expr;
  /** Window length in ms; null for all time. */
  within: number | null;
  /** A node computing the feature with the compiled closures (the in-memory path and the oracle). */
  node: AggExpr | ExistsExpr;
  /** Null when precomputable; otherwise why it is evaluated per decision. */
  perDecision: string | null;
  /**
   * For first/last: the fields expressions read from the record (`last(order_placed).ts`), or null when
   * some expression takes the record whole; the scan carries only these props (`recordProps`).
   */
  fields?: string[] | null;
  /** Where it is used, e.g. `segment newcomers`, `rule restock_alert who`. */
  usedBy: string[];
}

/** Every aggregate of a workspace, deduplicated, in order of first use. */
export interface FeaturePlan {
  features: Feature[];
  /** Precomputable features only (what one scan computes). */
  scan: Feature[];
  /** Attributes read by precomputable `where` clauses (the scan joins them in). */
  attributes: string[];
}

/** Every expression of the workspace with a label saying where it is. */
export function workspaceExprs(ws: Workspace): { label: string; expr: Expr }[] {
  const out: { label: string; expr: Expr }[] = [];
  for (const s of ws.segments.values()) out.push({ label: `segment ${s.name}`, expr: s.expr });
  if (ws.suppress) out.push({ label: "suppress", expr: ws.suppress });
  for (const c of ws.channels.values()) if (c.requires) out.push({ label: `channel ${c.name} requires`, expr: c.requires });
  for (const x of ws.defaults.exit) if (x.where) out.push({ label: `defaults exit ${x.event} where`, expr: x.where });
  for (const r of ws.rules.values()) {
    const on = r.on as { where?: Expr };
    if (on.where) out.push({ label: `rule ${r.id} on where`, expr: on.where });
    if (r.who) out.push({ label: `rule ${r.id} who`, expr: r.who });
    if (r.unless) out.push({ label: `rule ${r.id} unless`, expr: r.unless });
    for (const x of r.exit ?? []) if (x.where) out.push({ label: `rule ${r.id} exit ${x.event} where`, expr: x.where });
    for (const a of r.arms ?? [{ name: null, steps: r.steps }]) {
      const at = a.name === null ? "" : ` variant ${a.name}`;
      for (const s of a.steps) {
        if (s.if) out.push({ label: `rule ${r.id}${at} step ${s.index} if`, expr: s.if });
        if (s.unless) out.push({ label: `rule ${r.id}${at} step ${s.index} unless`, expr: s.unless });
      }
    }
  }
  return out;
}

/** Why a `where` clause of an aggregate over `event` cannot be computed in a scan, or null. */
function perDecisionReason(ws: Workspace, where: Expr | undefined, event: string): string | null {
  let why: string | null = null;
  const visit = (e: Expr): void => {
    if (why) return;
    switch (e.kind) {
      case "name": {
        const ref = e.ref;
        if (!ref) why = `unresolved name ${e.name}`;
        else if (ref.kind === "attribute" && ws.schema.customer.get(ref.name)?.type.base === "list") why = `reads list attribute ${ref.name}`;
        else if (ref.kind === "trigger_event" || (ref.kind === "prop" && ref.scope === "trigger")) why = "reads the trigger event";
        else if (ref.kind === "prop" && ref.event !== event) why = `reads the enclosing ${ref.event} event`;
        else if (ref.kind === "segment") why = `reads segment ${ref.name}`;
        else if (ref.kind === "rfm") why = "reads rfm";
        else if (ref.kind === "event") why = `nests event set ${ref.name}`;
        else if (ref.kind === "previous") why = "reads cadence feedback";
        return;
      }
      case "agg":
      case "exists":
        why = "nests an aggregate";
        return;
      case "call":
        if (!["days_since", "hours_since", "lower"].includes(e.fn)) why = `calls ${e.fn}()`;
        e.args.forEach(visit);
        return;
      case "member":
        // Props of the event in scope are plain names; a member reads the trigger, rfm or a record.
        visit(e.object);
        if (!why) why = "reads a record field";
        return;
      case "list":
        return e.items.forEach(visit);
      case "unary":
        return visit(e.operand);
      case "binary":
      case "in":
        visit(e.left);
        return visit(e.right);
      case "between":
        visit(e.value);
        visit(e.low);
        return visit(e.high);
      default:
        return;
    }
  };
  if (where) visit(where);
  if (why || !where) return why;
  // What the structure allows must also translate (e.g. `in` over a list attribute does not).
  try {
    condSql(where, duckdb, PROBE, "0");
  } catch (e) {
    if (e instanceof NotSql) return e.message;
    throw e;
  }
  return null;
}

/** A scan source that only names columns, for trying a translation. */
const PROBE: ScanSource = {
  from: "x", customer: "c", t: "t", isEvent: () => "TRUE", prop: (p) => p, attr: (a) => a, propsOf: () => [], valid: null,
};

/** The props of `all` (an event's prop columns) that a first/last feature's record carries. */
export function recordProps(f: Feature, all: readonly string[]): string[] {
  const fields = f.fields;
  return fields ? all.filter((p) => fields.includes(p)) : [...all];
}

/** Props a `where` clause reads from its own event. */
export function whereProps(e: Expr | undefined, into: Set<string>): void {
  if (!e) return;
  if (e.kind === "name" && e.ref?.kind === "prop" && e.ref.scope === "where") into.add(e.ref.prop);
  for (const c of childrenOf(e)) whereProps(c, into);
}

/** Attribute names a `where` clause reads. */
function attributesOf(e: Expr | undefined, into: Set<string>): void {
  if (!e) return;
  if (e.kind === "name" && e.ref?.kind === "attribute") into.add(e.name);
  for (const c of childrenOf(e)) attributesOf(c, into);
}

/** Direct sub-expressions (the `where` of an aggregate included). */
export function childrenOf(e: Expr): Expr[] {
  switch (e.kind) {
    case "list":
      return e.items;
    case "member":
      return [e.object];
    case "call":
      return e.args;
    case "agg":
    case "exists":
      return e.where ? [e.where] : [];
    case "unary":
      return [e.operand];
    case "binary":
    case "in":
      return [e.left, e.right];
    case "between":
      return [e.value, e.low, e.high];
    default:
      return [];
  }
}

/** The feature plan of a checked workspace (names resolved); with `segmentsOnly`, of its segments alone. */
export function featurePlan(ws: Workspace, o: { segmentsOnly?: boolean } = {}): FeaturePlan {
  const byKey = new Map<string, Feature>();
  const add = (node: AggExpr | ExistsExpr, key: string, label: string, nested: boolean) => {
    let f = byKey.get(key);
    if (!f) {
      const reason = nested ? "inside another aggregate's where" : perDecisionReason(ws, node.where, node.event);
      f = {
        key, fn: node.kind === "exists" ? "exists" : node.fn, event: node.event, within: node.within?.ms ?? null,
        node, perDecision: reason, usedBy: [],
      };
      if (node.kind === "agg" && node.prop !== undefined) f.prop = node.prop;
      if (node.where) f.where = node.where;
      byKey.set(key, f);
    } else if (!nested && f.perDecision === "inside another aggregate's where") {
      // The same text used at top level too: computable after all.
      f.perDecision = perDecisionReason(ws, node.where, node.event);
    }
    if (!f.usedBy.includes(label)) f.usedBy.push(label);
    return f;
  };
  const walk = (e: Expr, label: string, depth: number, field?: string): void => {
    if (e.kind === "member" && e.object.kind === "agg") return walk(e.object, label, depth, e.prop);
    if (e.kind === "agg" || e.kind === "exists") {
      const f = add(e, featureKey(e), label, depth > 0);
      if (f.fn === "first" || f.fn === "last") {
        if (f.fields === undefined) f.fields = [];
        if (field === undefined) f.fields = null;
        else if (f.fields && !f.fields.includes(field)) f.fields.push(field);
      }
    }
    else if (e.kind === "name" && e.ref?.kind === "event") {
      const node: ExistsExpr = { kind: "exists", event: e.ref.name, eventSpan: e.span, span: e.span };
      add(node, e.ref.name, label, depth > 0);
    }
    const inner = e.kind === "agg" || e.kind === "exists" ? depth + 1 : depth;
    for (const c of childrenOf(e)) walk(c, label, inner);
  };
  for (const { label, expr } of workspaceExprs(ws)) if (!o.segmentsOnly || label.startsWith("segment ")) walk(expr, label, 0);
  const features = [...byKey.values()];
  const scan = features.filter((f) => f.perDecision === null);
  const attrs = new Set<string>();
  for (const f of scan) attributesOf(f.where, attrs);
  return { features, scan, attributes: [...attrs].sort() };
}
