/**
 * The feature scan as SQL: one `GROUP BY customer` over the events computing
 * every precomputable feature of the plan (and the RFM inputs) with
 * `FILTER (WHERE …)` aggregates, so the events are read once however many
 * features there are.
 *
 * Expressions inside `where` keep the language's semantics, not SQL's
 * three-valued logic (language.md, "Null"): every condition is made total
 * (`COALESCE(…, FALSE)`), so `not (amount > 5)` is true for a null amount as
 * it is in the evaluator; `x == null` is `IS NULL`; division by zero is NULL;
 * `x in [..]` and `x not in [..]` are both false for a null x.
 *
 * `now` is SQL: a literal (epoch ms) or a parameter such as `:now`.
 *
 * Windows are half-open like the evaluator's: `within D` at `now` keeps
 * `now − D < t <= now`; nothing after `now` counts.
 *
 * Known differences from the in-memory path, both at the last bit or the last
 * tie: sums are order-independent in SQL (`Dialect.sum`, the same bits every
 * run however DuckDB's threads split the rows) and sequential in time order
 * in memory; `first`/`last` among events of the same name at the same
 * millisecond pick by their props in SQL and by file order in memory.
 */
import type { Expr, RfmConfig } from "../../language/ast.ts";
import { DAY_MS, HOUR_MS } from "../../language/evaluator.ts";
import type { Dialect } from "./dialect.ts";
import { recordProps, type Feature, type FeaturePlan } from "./plan.ts";

/** How the scan reads its input relation. */
export interface ScanSource {
  /** The FROM clause (a table, view or subquery with an alias). */
  from: string;
  /** The customer key column. */
  customer: string;
  /** Event time as epoch ms (double). */
  t: string;
  /** SQL true for rows of event `name`. */
  isEvent(name: string): string;
  /** The column of a prop (typed as the schema says; NULL when absent). */
  prop(name: string): string;
  /** The column of a customer attribute (read by a `where`). */
  attr(name: string): string;
  /** Props present for each event (first/last return them). */
  propsOf(event: string): string[];
  /** Extra condition every counted row must meet (valid rows only), or null. */
  valid: string | null;
}

/** One output column of the scan. */
export interface ScanColumn {
  name: string;
  /** The feature it belongs to (null for the RFM inputs). */
  feature: Feature | null;
  /** What the column holds: the value, or for first/last its ts or a prop. */
  part: "value" | "ts" | { prop: string } | "rfm_n" | "rfm_sum" | "rfm_last" | "avg_n" | "avg_sum";
}

/** Thrown for an expression the SQL translation does not cover (the plan should have kept it per decision). */
export class NotSql extends Error {}

/** SQL for a `where` expression as a total condition (never NULL). */
export function condSql(e: Expr, d: Dialect, src: ScanSource, now: string): string {
  switch (e.kind) {
    case "bool":
      return d.bool(e.value);
    case "binary":
      if (e.op === "and" || e.op === "or") return `(${condSql(e.left, d, src, now)} ${e.op.toUpperCase()} ${condSql(e.right, d, src, now)})`;
      break;
    case "unary":
      if (e.op === "not") return `(NOT ${condSql(e.operand, d, src, now)})`;
      break;
  }
  return `COALESCE(${valueSql(e, d, src, now)}, FALSE)`;
}

/** SQL for the value of an expression (NULL where the language has null). */
export function valueSql(e: Expr, d: Dialect, src: ScanSource, now: string): string {
  switch (e.kind) {
    case "number":
    case "percent":
      return d.number(e.value);
    case "duration":
    case "date":
    case "datetime":
      return d.number(e.ms);
    case "string":
      return d.string(e.value);
    case "bool":
      return d.bool(e.value);
    case "null":
      return "NULL";
    case "name": {
      const ref = e.ref;
      if (ref?.kind === "prop" && ref.scope === "where") return src.prop(ref.prop);
      if (ref?.kind === "attribute") return src.attr(e.name);
      throw new NotSql(`${e.name} cannot be read in SQL`);
    }
    case "call": {
      if (!["days_since", "hours_since", "lower"].includes(e.fn) || e.args.length !== 1) throw new NotSql(`${e.fn}() cannot be computed in SQL`);
      const a = valueSql(e.args[0]!, d, src, now);
      if (e.fn === "days_since" || e.fn === "hours_since") return d.floor(`(${now} - ${a}) / ${d.number(e.fn === "days_since" ? DAY_MS : HOUR_MS)}`);
      if (e.fn === "lower") return d.lower(a);
      throw new NotSql(`${e.fn}() cannot be computed in SQL`);
    }
    case "unary":
      return e.op === "not" ? condSql(e, d, src, now) : `(-${valueSql(e.operand, d, src, now)})`;
    case "binary": {
      const { op, left: l, right: r } = e;
      if (op === "and" || op === "or") return condSql(e, d, src, now);
      if (op === "??") return `COALESCE(${valueSql(l, d, src, now)}, ${valueSql(r, d, src, now)})`;
      if ((op === "==" || op === "!=") && (l.kind === "null" || r.kind === "null")) {
        if (l.kind === "null" && r.kind === "null") return d.bool(op === "==");
        return `(${valueSql(l.kind === "null" ? r : l, d, src, now)} IS ${op === "==" ? "" : "NOT "}NULL)`;
      }
      const a = valueSql(l, d, src, now);
      const b = valueSql(r, d, src, now);
      if (op === "/") return `(${a} / NULLIF(${b}, 0))`;
      if (op === "+" || op === "-" || op === "*") return `(${a} ${op} ${b})`;
      return `COALESCE(${a} ${op === "==" ? "=" : op === "!=" ? "<>" : op} ${b}, FALSE)`;
    }
    case "in": {
      const x = valueSql(e.left, d, src, now);
      if (e.right.kind !== "list") throw new NotSql("`in` over a non-literal list cannot be computed in SQL");
      // Item by item, so that a null item (literal or not) simply does not match, and a null x is false either way.
      const items = e.right.items.filter((i) => i.kind !== "null").map((i) => `COALESCE(${x} = ${valueSql(i, d, src, now)}, FALSE)`);
      const any = items.length ? `(${items.join(" OR ")})` : d.bool(false);
      return `(${x} IS NOT NULL AND ${e.negated ? "NOT " : ""}${any})`;
    }
    case "between": {
      const [v, lo, hi] = [valueSql(e.value, d, src, now), valueSql(e.low, d, src, now), valueSql(e.high, d, src, now)];
      return `COALESCE(${lo} <= ${v} AND ${v} <= ${hi}, FALSE)`;
    }
    default:
      throw new NotSql(`${e.kind} cannot be computed in SQL`);
  }
}

/** The row filter of a feature at `now`: its event, its window and its `where`. */
export function featureFilter(f: Feature, d: Dialect, src: ScanSource, now: string): string {
  const parts = [src.isEvent(f.event), `${src.t} <= ${now}`];
  if (f.within !== null) parts.push(`${src.t} > ${now} - ${d.number(f.within)}`);
  if (f.where) parts.push(condSql(f.where, d, src, now));
  if (src.valid) parts.unshift(src.valid);
  return parts.join(" AND ");
}

/** The SELECT list of the scan: columns for every feature of `features`, then the RFM inputs. */
export function scanColumns(
  features: readonly Feature[], d: Dialect, src: ScanSource, now: string, rfm: RfmConfig | null, name: (i: number) => string,
  o: { partial?: boolean; nowOf?: (f: Feature) => string } = {},
): { sql: string[]; columns: ScanColumn[] } {
  const sql: string[] = [];
  const columns: ScanColumn[] = [];
  const col = (expr: string, c: Omit<ScanColumn, "name">) => {
    const n = name(columns.length);
    sql.push(`${expr} AS ${d.ident(n)}`);
    columns.push({ name: n, ...c });
  };
  for (const f of features) {
    const where = featureFilter(f, d, src, o.nowOf ? o.nowOf(f) : now);
    const p = f.prop !== undefined ? src.prop(f.prop) : "";
    switch (f.fn) {
      case "count":
        col(d.filtered("COUNT(*)", where), { feature: f, part: "value" });
        break;
      case "exists":
        col(`(${d.filtered("COUNT(*)", where)} > 0)`, { feature: f, part: "value" });
        break;
      case "sum":
        col(`COALESCE(${d.sum(p, where)}, ${d.number(0)})`, { feature: f, part: "value" });
        break;
      case "avg":
        if (o.partial) {
          // A partial average is its count and sum, to be resumed (EvalEnv.base).
          col(d.filtered(`COUNT(${p})`, where), { feature: f, part: "avg_n" });
          col(`COALESCE(${d.sum(p, where)}, ${d.number(0)})`, { feature: f, part: "avg_sum" });
          break;
        }
        col(`(${d.sum(p, where)} / NULLIF(${d.filtered(`COUNT(${p})`, where)}, 0))`, { feature: f, part: "value" });
        break;
      case "min":
      case "max":
        col(d.filtered(`${f.fn.toUpperCase()}(${p})`, where), { feature: f, part: "value" });
        break;
      case "first":
      case "last": {
        const props = recordProps(f, src.propsOf(f.event));
        col(d.filtered(`${f.fn === "first" ? "MIN" : "MAX"}(${src.t})`, where), { feature: f, part: "ts" });
        const order = [src.t, ...props.map((x) => src.prop(x))];
        for (const x of props) col(d.pick(f.fn, src.prop(x), order, where), { feature: f, part: { prop: x } });
        break;
      }
    }
  }
  if (rfm && rfm.event) {
    const goal = [src.valid, src.isEvent(rfm.event), `${src.t} <= ${now}`, `${src.t} > ${now} - ${d.number(rfm.window)}`].filter(Boolean).join(" AND ");
    col(d.filtered("COUNT(*)", goal), { feature: null, part: "rfm_n" });
    col(`COALESCE(${d.sum(src.prop(rfm.value), goal)}, ${d.number(0)})`, { feature: null, part: "rfm_sum" });
    col(d.filtered(`MAX(${src.t})`, goal), { feature: null, part: "rfm_last" });
  }
  return { sql, columns };
}

/** The scan: one row per customer with an event, every feature a column. */
export function scanQuery(
  plan: FeaturePlan, d: Dialect, src: ScanSource, now: string, rfm: RfmConfig | null,
  name: (i: number) => string = (i) => `f${i}`, extra: string[] = [], o: Parameters<typeof scanColumns>[6] = {},
): { sql: string; columns: ScanColumn[] } {
  const { sql, columns } = scanColumns(plan.scan, d, src, now, rfm, name, o);
  const select = [`${src.customer} AS ${d.ident("customer_id")}`, ...sql, ...extra];
  return { sql: `SELECT ${select.join(",\n  ")}\nFROM ${src.from}\nGROUP BY ${src.customer}`, columns };
}
