/**
 * Features: every aggregate of a workspace computed once per run.
 *
 * - `featurePlan(ws)` — the deduplicated aggregates, precomputable or per decision;
 * - `scanFeatures(...)` — all of them in one DuckDB scan of an events file;
 * - `memoryFeatures(plan, ws)` — the same from one customer's events in memory;
 * - `compileSql(ws, { dialect, now })` — the scan as portable SQL over tables
 *   `customers` and `events`, for `playbook compile --target sql`.
 * - `clickhouseFeatures(run, ws, plan, now)` — the scan run inside ClickHouse
 *   (a server or chDB) over those tables, read back as a `FeatureTable`.
 */
import type { Workspace } from "../../language/ast.ts";
import { DIALECTS, type Dialect } from "./dialect.ts";
import { featurePlan, recordProps, type FeaturePlan } from "./plan.ts";
import { scanQuery, type ScanSource } from "./sql.ts";

export { featurePlan, workspaceExprs, type Feature, type FeaturePlan } from "./plan.ts";
export { memoryFeatures, type FeatureFn } from "./memory.ts";
export { fitRfmOnTable, scanFeatures, type FeatureTable } from "./duckdb.ts";
export { DIALECTS, clickhouse, duckdb, postgres, type Dialect } from "./dialect.ts";
export { condSql, valueSql, scanQuery, NotSql, type ScanColumn, type ScanSource } from "./sql.ts";
export { clickhouseFeatures, type ClickHouseRunner } from "./clickhouse.ts";

/** The scan source over plain tables: `events(customer_id, event, ts, <props>…)` and `customers(customer_id, <attributes>…)`. */
export function tableSource(ws: Workspace, d: Dialect, plan: FeaturePlan): ScanSource {
  const props = new Set<string>();
  // Times are epoch ms in expressions: a datetime or date column is read through the dialect's epochMs.
  const timeProps = new Set<string>();
  const isTime = (t: { type: { base: string } }) => t.type.base === "datetime" || t.type.base === "date";
  for (const def of ws.schema.events.values()) for (const [p, a] of def.props) (props.add(p), isTime(a) && timeProps.add(p));
  const asTime = (col: string, time: boolean) => (time ? d.epochMs(col) : col);
  const join = plan.attributes.length ? ` LEFT JOIN customers c ON c.${d.ident("customer_id")} = e.${d.ident("customer_id")}` : "";
  return {
    from: `events e${join}`,
    customer: `e.${d.ident("customer_id")}`,
    t: d.epochMs(`e.${d.ident("ts")}`),
    isEvent: (name) => `e.${d.ident("event")} = ${d.string(name)}`,
    prop: (p) => (props.has(p) ? asTime(`e.${d.ident(p)}`, timeProps.has(p)) : "NULL"),
    attr: (a) => { const def = ws.schema.customer.get(a); return asTime(`c.${d.ident(a)}`, !!def && isTime(def)); },
    propsOf: (event) => [...(ws.schema.events.get(event)?.props.keys() ?? [])].sort(),
    valid: null,
    textual: (ref) => (ref.kind === "attribute" ? ws.schema.customer.get(ref.name) : ref.kind === "prop" ? ws.schema.events.get(ref.event)?.props.get(ref.prop) : undefined)?.type.base === "string",
  };
}

/**
 * The workspace's feature scan as SQL text: a header listing what is computed
 * where, then one query with a column per feature named by its key. `now` is
 * epoch ms, or omitted for a `:now` parameter.
 */
export function compileSql(ws: Workspace, o: { dialect?: string; now?: number } = {}): string {
  const d = DIALECTS[o.dialect ?? "duckdb"];
  if (!d) throw new Error(`unknown SQL dialect "${o.dialect}" (known: ${Object.keys(DIALECTS).join(", ")})`);
  const plan = featurePlan(ws);
  const now = o.now === undefined ? d.nowParam : d.number(o.now);
  const lines = [
    `-- Feature scan (${d.name}): every precomputable aggregate of the workspace in one pass over the events.`,
    `-- Tables: events(customer_id, event, ts, <props>), customers(customer_id, <attributes>); ${d.nowParam} is epoch ms.`,
  ];
  for (const f of plan.features) lines.push(`--   ${f.perDecision ? "per decision" : "scan"}: ${f.key}${f.perDecision ? ` (${f.perDecision})` : ""} — ${f.usedBy.join(", ")}`);
  if (plan.features.length === 0) lines.push("--   (the workspace has no aggregates)");
  const { sql } = scanQuery(plan, d, tableSource(ws, d, plan), now, ws.rfm ?? null, (i) => {
    const all = scanColumnsNames(plan, ws);
    return all[i] ?? `c${i}`;
  });
  return `${lines.join("\n")}\n${sql}${d.querySettings ? `\n${d.querySettings}` : ""};\n`;
}

/** Readable output column names: the feature key, `key.ts`/`key.prop` for first/last, `rfm_*`. */
function scanColumnsNames(plan: FeaturePlan, ws: Workspace): string[] {
  const out: string[] = [];
  for (const f of plan.scan) {
    if (f.fn === "first" || f.fn === "last") {
      out.push(`${f.key}.ts`);
      for (const p of recordProps(f, [...(ws.schema.events.get(f.event)?.props.keys() ?? [])].sort())) out.push(`${f.key}.${p}`);
    } else out.push(f.key);
  }
  if (ws.rfm?.event) out.push("rfm_n", "rfm_sum", "rfm_last");
  return out;
}
