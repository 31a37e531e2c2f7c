/**
 * The report's aggregates computed inside ClickHouse (a server, or chDB
 * in-process) from two tables: `decisions` (the decision log's columns,
 * contract.md: `entered_at`/`send_at` as DateTime64) and `events` (the data
 * contract's events, the revenue prop and, for feedback, `rule`/`step`/
 * `channel` as columns). The same statistics as `aggregate.ts` computes in
 * DuckDB, in the same order and with the same arithmetic, so the two give the
 * same report to the last printed digit (test/experiments/report-clickhouse.test.ts):
 *
 * - revenue on a grid of 1e-4 as integers, as DuckDB's DECIMAL(18,4), summed
 *   exactly and turned into doubles as DuckDB turns its decimals into doubles;
 * - the first entry per rule × customer is the least (entered, variant with
 *   holdout first, entry id) — one `min` over a tuple;
 * - a feedback event belongs to the latest send of its message at or before it
 *   (`ASOF JOIN`), the earliest if it precedes them all.
 *
 * The tables are typed, so no row check runs here (the row checks in the
 * database are issue 12 item 2's pushdown).
 */
import type { ClickHouseRunner } from "../../engine/features/clickhouse.ts";
import { chHugeintToDouble } from "../../engine/features/dialect.ts";
import { type Aggregates } from "../aggregates.ts";
import { capPercentile, type ReportConfig } from "../config.ts";
import { capRank } from "../stats/index.ts";
import { capsInto, FEEDBACK_NAMES, globalFromRows, kindsByChannel, kindsInto, num, rulesFromDays, sentInto } from "./aggregate.ts";

const DAY = 86_400_000;
const lit = (s: string) => `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
const ident = (s: string) => `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;

/** A sum of 1e-4-grid integers as DuckDB's `sum(DECIMAL(…, scale))::DOUBLE`: the integer as a double (DuckDB's HUGEINT conversion), over 10^scale. */
const decimalSum = (expr: string, scale: 4 | 8) => `(${chHugeintToDouble(`toInt128(sum(${expr}))`)} / ${scale === 4 ? "10000.0" : "100000000.0"})`;

async function objects(run: ClickHouseRunner, sql: string, names: string[]): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for await (const chunk of run.rows(`${sql}\nSETTINGS join_use_nulls = 1, output_format_json_quote_64bit_integers = 0`)) {
    for (const r of chunk) out.push(Object.fromEntries(names.map((n, i) => [n, r[i]])));
  }
  return out;
}

/** The report's aggregates from tables `decisions` and `events` in ClickHouse. */
export async function aggregateWithClickHouse(run: ClickHouseRunner, cfg: ReportConfig, tables = { decisions: "decisions", events: "events" }): Promise<Aggregates> {
  const A = Math.round(cfg.attribution);
  const cols = new Set((await objects(run, `SELECT name FROM system.columns WHERE database = currentDatabase() AND table = ${lit(tables.events)}`, ["name"])).map((r) => String(r.name)));
  const col = (name: string, type: string) => (cols.has(name) ? `CAST(${ident(name)} AS Nullable(${type}))` : `CAST(NULL AS Nullable(${type}))`);
  const D = `SELECT customer_id AS cid, rule AS rl, step AS st, entry_id AS eid, toBool(variant = 'treatment') AS treated, status = 'send' AS sent,
      coalesce(channel, '(none)') AS ch, toUnixTimestamp64Milli(entered_at) AS entered, toUnixTimestamp64Milli(send_at) AS send_ms FROM ${ident(tables.decisions)}`;
  const E = `SELECT rl, cid, k.1 AS entered, k.2 AS treated, k.3 AS eid FROM (SELECT rl, cid, min(tuple(entered, treated, eid)) AS k FROM D GROUP BY rl, cid)`;
  const [span] = await objects(run, `WITH D AS (${D}), E AS (${E}) SELECT min(entered), max(entered), count() FROM E`, ["s", "e", "n"]);
  const some = num(span!.n) > 0;
  const bounds = some ? ` AND t > ${num(span!.s) - A} AND t <= ${num(span!.e) + A}` : "";
  // Revenue as DuckDB's CAST(… AS DECIMAL(18,4)): on a grid of 1e-4, rounded.
  const G = `SELECT customer_id AS gcid, toUnixTimestamp64Milli(ts) AS t, coalesce(toInt64(round(${col(cfg.revenueProp, "Float64")} * 10000)), 0) AS amt
      FROM ${ident(tables.events)} WHERE event = ${lit(cfg.goal)}${bounds}`;
  const windowed = (key: string, entered: string) => `SELECT ${key}, toUInt8(countIf(G.t > ${entered}) > 0) AS c, sumIf(G.amt, G.t > ${entered}) AS r,
      toUInt8(countIf(G.t <= ${entered}) > 0) AS pc, sumIf(G.amt, G.t <= ${entered}) AS pr`;
  const W = `${windowed("E.rl AS wrl, E.cid AS wcid", "E.entered")} FROM E INNER JOIN G ON G.gcid = E.cid
      WHERE G.t > E.entered - ${A} AND G.t <= E.entered + ${A} GROUP BY E.rl, E.cid`;
  const O = `SELECT E.rl AS rl, E.cid AS cid, E.treated AS treated, E.entered AS entered, E.eid AS eid,
      coalesce(W.c, 0) AS c, coalesce(W.r, 0) AS r, coalesce(W.pc, 0) AS pc, coalesce(W.pr, 0) AS pr FROM E LEFT JOIN W ON W.wrl = E.rl AND W.wcid = E.cid`;
  const withO = `WITH D AS (${D}), E AS (${E}), G AS (${G}), W AS (${W}), O AS (${O})`;
  const moments = (y: string, x: string, p: "c" | "r") =>
    p === "c"
      ? [`sum(${y})`, `sum(${y} * ${y})`, `sum(${x})`, `sum(${x} * ${x})`, `sum(${x} * ${y})`]
      : [decimalSum(y, 4), decimalSum(`toInt128(${y}) * ${y}`, 8), decimalSum(x, 4), decimalSum(`toInt128(${x}) * ${x}`, 8), decimalSum(`toInt128(${x}) * ${y}`, 8)];
  const M = ["n", "cs", "css", "cx", "cxx", "cxy", "rs", "rss", "rx", "rxx", "rxy"];
  const rules = rulesFromDays(await objects(run, `${withO} SELECT rl, treated, intDiv(entered, ${DAY}) AS day, min(entered), count(), ${[...moments("c", "pc", "c"), ...moments("r", "pr", "r")].join(", ")}
      FROM O GROUP BY rl, treated, day ORDER BY rl, day, treated`, ["rule", "treated", "day", "first_at", ...M]));
  const percentile = capPercentile(cfg);
  if (percentile !== null && rules.size) {
    const names = [...rules.keys()];
    const ks = names.map((n) => capRank(percentile, rules.get(n)!.hold.rev.n + rules.get(n)!.treat.rev.n));
    // A percentile of 0 (a rare goal) leaves the values uncapped: the largest is the cap, as in capRevenue.
    const caps = `SELECT rl AS krl, if(r > 0, r, mx) AS cap FROM (SELECT rl, r, max(r) OVER (PARTITION BY rl) AS mx, row_number() OVER (PARTITION BY rl ORDER BY r) - 1 AS i FROM O)
        WHERE i = transform(rl, [${names.map(lit).join(", ")}], [${ks.join(", ")}], -1)`;
    const [y, x] = ["least(O.r, K.cap)", "least(O.pr, K.cap)"];
    capsInto(rules, percentile, await objects(run, `${withO}, K AS (${caps}) SELECT O.rl, O.treated, any(K.cap) / 10000.0, count(), ${moments(y, x, "r").join(", ")},
        sum(pow(${y} / 10000.0, 3)) FROM O INNER JOIN K ON K.krl = O.rl GROUP BY O.rl, O.treated ORDER BY O.rl, O.treated`, ["rule", "treated", "cap", "n", "rs", "rss", "rx", "rxx", "rxy", "rc"]));
  }
  for (const row of await objects(run, `WITH D AS (${D}) SELECT rl, ch, count() FROM D WHERE sent GROUP BY rl, ch ORDER BY rl, ch`, ["rule", "channel", "n"])) {
    rules.get(String(row.rule))?.sendsByChannel.set(String(row.channel), num(row.n));
  }
  const offers = [...cfg.offers].flatMap(([rule, steps]) => [...steps].map(([step, cost]) => `rl = ${lit(rule)} AND st = ${step}, ${cost}`));
  if (offers.length) {
    const OC = `SELECT rl AS orl, eid AS oeid, sum(multiIf(${offers.join(", ")}, NULL)) AS cost FROM D WHERE sent GROUP BY rl, eid HAVING cost IS NOT NULL`;
    for (const row of await objects(run, `${withO}, OC AS (${OC}) SELECT O.rl, ${decimalSum("toInt64(round(OC.cost * 10000))", 4)} FROM O INNER JOIN OC ON OC.orl = O.rl AND OC.oeid = O.eid
        WHERE O.treated AND O.c = 1 GROUP BY O.rl`, ["rule", "cost"])) {
      const a = rules.get(String(row.rule));
      if (a) a.offerCost = num(row.cost);
    }
  }
  // Funnels: sends numbered in a fixed order; each feedback event to the latest send of its message at or before it, else the earliest.
  const F = `SELECT customer_id AS fcid, event AS fev, toUnixTimestamp64Milli(ts) AS t, ${col("rule", "String")} AS frl, ${col("step", "Int64")} AS fst, ${col("channel", "String")} AS fch
      FROM ${ident(tables.events)} WHERE event IN (${FEEDBACK_NAMES.map(lit).join(", ")})`;
  const [fb] = await objects(run, `WITH F AS (${F}) SELECT count() FROM F`, ["n"]);
  let byChannel = new Map<string, number>();
  if (num(fb!.n) === 0) sentInto(rules, await objects(run, `WITH D AS (${D}) SELECT rl, st, ch, count() FROM D WHERE sent GROUP BY rl, st, ch ORDER BY rl, st, ch`, ["rule", "step", "channel", "n"]));
  else {
    const S = `SELECT row_number() OVER (ORDER BY rl, cid, st, ch, coalesce(send_ms, entered), eid) AS id, rl, cid, st, ch, coalesce(send_ms, entered) AS t FROM D WHERE sent`;
    const FK = `SELECT fev, fcid, assumeNotNull(frl) AS krl, assumeNotNull(fst) AS kst, assumeNotNull(fch) AS kch, t FROM F WHERE frl IS NOT NULL AND fst IS NOT NULL AND fch IS NOT NULL`;
    const on = "FK.krl = S.rl AND FK.fcid = S.cid AND FK.kst = S.st AND FK.kch = S.ch";
    const FM = `SELECT DISTINCT fev, id FROM (
        SELECT FK.fev AS fev, S.id AS id FROM FK ASOF INNER JOIN S ON ${on} AND FK.t >= S.t
        UNION ALL
        SELECT FK.fev AS fev, min(S.id) AS id FROM FK INNER JOIN S ON ${on} GROUP BY FK.fev, FK.fcid, FK.krl, FK.kst, FK.kch, FK.t HAVING min(S.t) > FK.t)`;
    const withF = `WITH D AS (${D}), F AS (${F}), S AS (${S}), FK AS (${FK}), FM AS (${FM})`;
    sentInto(rules, await objects(run, `${withF} SELECT rl, st, ch, count() FROM S GROUP BY rl, st, ch ORDER BY rl, st, ch`, ["rule", "step", "channel", "n"]));
    kindsInto(rules, await objects(run, `${withF} SELECT S.rl, S.st, S.ch, FM.fev, count() FROM FM INNER JOIN S ON S.id = FM.id GROUP BY S.rl, S.st, S.ch, FM.fev ORDER BY 1, 2, 3, 4`,
      ["rule", "step", "channel", "event", "n"]));
    byChannel = kindsByChannel(await objects(run, `${withF} SELECT fch, fev FROM F WHERE fch IS NOT NULL GROUP BY fch, fev ORDER BY fch, fev`, ["channel", "event"]));
  }
  let global = null;
  if (cfg.globalHoldout > 0 && rules.size > 0) {
    const GE = `SELECT cid, min(entered) AS entered FROM E GROUP BY cid`;
    const GW = `${windowed("GE.cid AS wcid", "GE.entered")} FROM GE INNER JOIN G ON G.gcid = GE.cid WHERE G.t > GE.entered - ${A} AND G.t <= GE.entered + ${A} GROUP BY GE.cid`;
    global = globalFromRows(cfg, await objects(run, `WITH D AS (${D}), E AS (${E}), G AS (${G}), GE AS (${GE}), GW AS (${GW})
        SELECT GE.cid, GE.entered, coalesce(GW.c, 0), ${["r", "pr"].map((v) => `coalesce(GW.${v}, 0) / 10000.0`).join(", ")}, coalesce(GW.pc, 0)
        FROM GE LEFT JOIN GW ON GW.wcid = GE.cid ORDER BY GE.entered, GE.cid`, ["customer_id", "entered", "c", "r", "pr", "pc"]));
  }
  const [counted] = await objects(run, `SELECT (SELECT count() FROM ${ident(tables.decisions)}), (SELECT count() FROM ${ident(tables.events)}),
      (SELECT minOrNull(toUnixTimestamp64Milli(ts)) FROM ${ident(tables.events)})`, ["decisions", "events", "from"]);
  return {
    rules, global, kindsByChannel: byChannel,
    rows: { decisions: num(counted!.decisions), events: num(counted!.events) },
    dataFrom: counted!.from === null ? null : num(counted!.from),
    periodStart: some ? num(span!.s) : Infinity,
    periodEnd: some ? num(span!.e) : -Infinity,
  };
}
