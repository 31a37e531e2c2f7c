/**
 * Segments evaluated in DuckDB, for `computeSegments` when every segment's
 * condition translates: the features stay in a table (`materializeFeatures`),
 * RFM scores are computed in SQL from the bounds `engine/rfm.ts` fitted, and
 * only the sizes (and, when asked for, the members) come back. The conditions
 * go through the feature scan's translator (`features/sql.ts`: the
 * language's null semantics, property-tested against the evaluator for
 * `where` clauses); this file adds what a segment reads that a `where` does
 * not: feature columns, `first`/`last` record fields, RFM scores, other
 * segments (inlined: the checker rules out cycles), bare event names. What
 * does not translate (a record used whole, a list attribute, a function of a
 * trigger or cadence) throws NotSql, and the caller evaluates in JS instead.
 * test/engine/segments-sql.test.ts holds both paths equal under fast-check.
 */
import type { AggExpr, Expr, Workspace } from "../language/ast.ts";
import { featureKey } from "../language/printer.ts";
import { duckdb } from "./features/dialect.ts";
import { condSql, NotSql, type ScanColumn, type ScanSource } from "./features/sql.ts";
import type { RfmBounds } from "./rfm.ts";

/** Where a feature's parts are, as SQL over the segments relation. */
export interface FeatureColumns {
  value?: string;
  ts?: string;
  props: Map<string, string>;
  fn: string;
}

/** What the conditions read: feature columns by key, attribute columns, whether RFM scores exist. */
export interface SegmentScope {
  feature(key: string): FeatureColumns | undefined;
  attr(name: string): string;
  rfm: boolean;
}

const q = (s: string) => duckdb.ident(s);
const RFM_COLUMNS: Record<string, string> = { r: "__rfm_r", f: "__rfm_f", m: "__rfm_m", cell: "__rfm_cell" };

/** The SQL condition of every segment of `ws`, in workspace order; throws NotSql when one does not translate. */
export function segmentConditions(ws: Workspace, scope: SegmentScope, now: number): string[] {
  const inlining = new Set<string>();
  const nowSql = duckdb.number(now);
  const column = (key: string): FeatureColumns => {
    const c = scope.feature(key);
    if (!c) throw new NotSql(`no column for ${key}`);
    return c;
  };
  const isRecord = (e: Expr): e is AggExpr => e.kind === "agg" && (e.fn === "first" || e.fn === "last");
  const isRfm = (e: Expr) => e.kind === "name" && e.ref?.kind === "rfm";
  const src: ScanSource = {
    from: "__seg s", customer: "customer_id", t: "NULL", isEvent: () => "FALSE",
    prop: (p) => {
      throw new NotSql(`prop ${p} outside a where`);
    },
    attr: (a) => scope.attr(a),
    propsOf: () => [],
    valid: null,
    node: (e) => {
      switch (e.kind) {
        case "agg": {
          if (e.fn === "first" || e.fn === "last") throw new NotSql("a first/last record used whole");
          const c = column(featureKey(e));
          return e.fn === "count" || e.fn === "sum" ? `COALESCE(${c.value}, 0)` : c.value;
        }
        case "exists":
          return `COALESCE(${column(featureKey(e)).value}, FALSE)`;
        case "name": {
          const ref = e.ref;
          if (ref?.kind === "event") return `COALESCE(${column(ref.name).value}, FALSE)`;
          if (ref?.kind === "segment") {
            const seg = ws.segments.get(ref.name);
            if (!seg || inlining.has(ref.name)) throw new NotSql(`segment ${ref.name} cannot be inlined`);
            inlining.add(ref.name);
            const sql = condSql(seg.expr, duckdb, src, nowSql);
            inlining.delete(ref.name);
            return sql;
          }
          if (ref?.kind === "rfm") throw new NotSql("rfm used whole");
          if (ref?.kind === "attribute" && ws.schema.customer.get(ref.name)?.type.base === "list") throw new NotSql(`list attribute ${ref.name}`);
          return undefined;
        }
        case "member": {
          const o = e.object;
          if (isRecord(o)) {
            const c = column(featureKey(o));
            return e.prop === "ts" ? c.ts! : (c.props.get(e.prop) ?? "NULL");
          }
          if (isRfm(o)) {
            if (!scope.rfm) return "NULL";
            const col = RFM_COLUMNS[e.prop];
            if (!col) throw new NotSql(`rfm.${e.prop}`);
            return `s.${col}`;
          }
          throw new NotSql("a field of something other than a first/last record or rfm");
        }
        case "binary": {
          // `last(x) == null`, `rfm != null`: whether the record or the scores exist.
          if ((e.op === "==" || e.op === "!=") && (e.left.kind === "null") !== (e.right.kind === "null")) {
            const x = e.left.kind === "null" ? e.right : e.left;
            const not = e.op === "!=" ? "NOT " : "";
            if (isRecord(x)) return `(${column(featureKey(x)).ts} IS ${not}NULL)`;
            if (isRfm(x)) return scope.rfm ? `(s.__rfm_r IS ${not}NULL)` : duckdb.bool(e.op === "==");
          }
          return undefined;
        }
        default:
          return undefined;
      }
    },
  };
  return [...ws.segments.values()].map((s) => condSql(s.expr, duckdb, src, nowSql));
}

/** Whether every segment of `ws` translates (tried on stand-in columns, before any data is read). */
export function segmentsTranslate(ws: Workspace): boolean {
  const stand: FeatureColumns = { value: "x", ts: "x", props: new Map(), fn: "count" };
  try {
    segmentConditions(ws, { feature: () => stand, attr: () => "x", rfm: true }, 0);
    return true;
  } catch (e) {
    if (e instanceof NotSql) return false;
    throw e;
  }
}

/** Feature columns by key from the scan's columns (named as in the features table, read through alias `s`). */
export function featureColumns(columns: readonly ScanColumn[]): Map<string, FeatureColumns> {
  const out = new Map<string, FeatureColumns>();
  for (const c of columns) {
    if (!c.feature) continue;
    let f = out.get(c.feature.key);
    if (!f) out.set(c.feature.key, (f = { props: new Map(), fn: c.feature.fn }));
    const col = `s.${q(c.name)}`;
    if (c.part === "value") f.value = col;
    else if (c.part === "ts") f.ts = col;
    else if (typeof c.part === "object") f.props.set(c.part.prop, col);
    else if (c.part === "avg_n" || c.part === "avg_sum") throw new NotSql("partial averages are not segment values");
  }
  return out;
}

/**
 * The SELECT list of RFM scores over the features table `f` with the bounds as parameters `$1…`
 * (exact doubles, as engine/rfm.ts compares them): r, f, m and the cell, NULL for a customer
 * without a goal event in the window. Returns the SQL and the parameter values.
 */
export function rfmScoresSql(columns: readonly ScanColumn[], scores: number, b: RfmBounds, now: number): { sql: string; params: number[] } {
  const col = (part: string) => `f.${q(columns.find((c) => c.part === part)!.name)}`;
  const [n, sum, last] = [col("rfm_n"), col("rfm_sum"), col("rfm_last")];
  const params: number[] = [];
  const reached = (x: string, op: string, bounds: number[]) =>
    bounds.filter(Number.isFinite).map((v) => `CAST(${x} ${op} $${params.push(v)} AS INTEGER)`).join(" + ") || "0";
  const has = `COALESCE(${n}, 0) > 0`;
  const r = `CAST(${scores} - (${reached(`(${duckdb.number(now)} - ${last})`, ">", b.recency)}) AS INTEGER)`;
  const f = `CAST(1 + ${reached(n, ">=", b.frequency)} AS INTEGER)`;
  const m = `CAST(1 + ${reached(sum, ">=", b.monetary)} AS INTEGER)`;
  const sql = [
    `CASE WHEN ${has} THEN ${r} END AS __rfm_r`,
    `CASE WHEN ${has} THEN ${f} END AS __rfm_f`,
    `CASE WHEN ${has} THEN ${m} END AS __rfm_m`,
    `CASE WHEN ${has} THEN CAST(${r} AS VARCHAR) || CAST(${f} AS VARCHAR) || CAST(${m} AS VARCHAR) END AS __rfm_cell`,
  ].join(", ");
  return { sql, params };
}
