/**
 * Aggregates computed by DuckDB straight from the files — the path
 * `playbook report` takes, because the heavy part of a report is a join of a
 * million entries with millions of events, which DuckDB does in C++ on every
 * core while JS would hash a string per event. Only small results come back:
 * moments per rule × variant × day, sends, offer costs, funnel counts.
 *
 * Sums run over DECIMAL(38,4) so they are exact and independent of DuckDB's
 * parallel summation order: the same files give byte-identical reports.
 * Events are read and checked by the engine's reader (engine/runtime/read.ts
 * `defineCheckedEvents`, the rules every data command follows). A decision
 * log DuckDB cannot read, or any row that breaks the contract, makes this
 * return null; the caller then takes the row-by-row path, which names every
 * bad row as `file:line: reason`.
 */
import { statSync } from "node:fs";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { emptyRuleAggregate, funnelCell, type Aggregates, type RuleAggregate } from "../aggregates.ts";
import { capPercentile, type ReportConfig } from "../config.ts";
import { FEEDBACK_BITS } from "../funnel.ts";
import { GLOBAL_SALT, isHeldOut } from "../holdout.ts";
import { addObservation, capRank, capRevenue, emptyMoments, type Moments } from "../stats/index.ts";
import { DECISION_STATUSES } from "../../engine/decision.ts";
import { DataError, defineCheckedEvents, skippedRows, TIME_RANGE } from "../../engine/runtime/read.ts";
import { reportProps } from "../read.ts";
import { groupKey } from "../arms.ts";

const DAY = 86_400_000;
const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;

async function rows(con: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  const t = performance.now();
  const r = (await con.runAndReadAll(sql)).getRowObjects() as Record<string, unknown>[];
  if (process.env.PLAYBOOK_TIMING) console.error(`${(performance.now() - t).toFixed(0)} ms  ${sql.slice(0, 60).replace(/\s+/g, " ")}`);
  return r;
}

async function exec(con: DuckDBConnection, sql: string): Promise<void> {
  const t = performance.now();
  await con.run(sql);
  if (process.env.PLAYBOOK_TIMING) console.error(`${(performance.now() - t).toFixed(0)} ms  ${sql.slice(0, 60).replace(/\s+/g, " ")}`);
}

export const num = (v: unknown) => (typeof v === "bigint" ? Number(v) : v === null || v === undefined ? 0 : Number(v));

// Only the keys the report reads: DuckDB skips the others (template, topic, reason, the 64-character playbook hash).
// Times are parsed by the JSON reader itself, as TIMESTAMPTZ: a text it cannot parse fails the read, and the
// row-by-row path then names the line.
const DECISION_COLUMNS =
  "{customer_id: 'VARCHAR', rule: 'VARCHAR', step: 'BIGINT', entry_id: 'VARCHAR', entered_at: 'TIMESTAMPTZ', variant: 'VARCHAR', " +
  "arm: 'VARCHAR', status: 'VARCHAR', channel: 'VARCHAR', send_at: 'TIMESTAMPTZ'}";

/** The feedback events in FEEDBACK_BITS order: `kind >> 1` is a 1-based index into it. */
export const FEEDBACK_NAMES = Object.keys(FEEDBACK_BITS);

/**
 * An event's kind as a TINYINT: bit 0 says "the goal event"; kind >> 1 is the
 * 1-based index of a feedback event in FEEDBACK_BITS, 0 for any other. (A goal
 * may itself be a feedback event, say `clicked`: then both are set.)
 */
function kindSql(goal: string, event: string): string {
  const feedback = FEEDBACK_NAMES.map((n, i) => `WHEN ${lit(n)} THEN ${2 * (i + 1)}`).join(" ");
  return `((CASE ${event} ${feedback} ELSE 0 END) + (${event} = ${lit(goal)})::INTEGER)::TINYINT`;
}

/** What one pass over the events tells before the heavy work: can we go on, where the data starts, is there feedback. */
interface EventsScan {
  dataFrom: number | null;
  feedback: number;
}

async function load(con: DuckDBConnection, cfg: ReportConfig, decisions: string, events: string): Promise<EventsScan | null> {
  await exec(con, "SET TimeZone = 'UTC'");
  // Nothing below depends on row order (every result is grouped and sorted), so let scans run unordered in parallel.
  await exec(con, "SET preserve_insertion_order = false");
  const empty = statSync(events).size === 0;
  // An empty file is a day without events (DuckDB's readers cannot infer a schema from nothing);
  // any other goes through the engine's checked reader, without row numbers (nothing is listed here).
  const checked = empty ? null : await defineCheckedEvents(con, events, "rev", reportProps(cfg), { rowNumbers: false });
  const has = new Set(checked?.props ?? []);
  // The log as a lean table: flags for the variant and the status (repeated strings are what makes a
  // table of a million rows expensive), and a flag for a row that breaks the contract.
  const statuses = DECISION_STATUSES.map(lit).join(", ");
  await exec(con, `CREATE TABLE d AS SELECT customer_id, rule, step, entry_id, variant = 'treatment' AS treated, status = 'send' AS sent,
      coalesce(channel, '(none)') AS channel, epoch_ms(entered_at) AS entered, epoch_ms(send_at) AS send_ms, arm, FALSE AS derived,
      (customer_id IS NULL OR customer_id = '' OR rule IS NULL OR rule = '' OR entry_id IS NULL OR entry_id = '' OR entered_at IS NULL
        OR NOT (epoch_ms(entered_at) BETWEEN ${TIME_RANGE.min} AND ${TIME_RANGE.max}) OR NOT coalesce(epoch_ms(send_at) BETWEEN ${TIME_RANGE.min} AND ${TIME_RANGE.max}, TRUE)
        OR contains(customer_id || rule || entry_id || coalesce(channel, ''), chr(0))
        OR step IS NULL OR step < 1 OR variant IS NULL OR variant NOT IN ('treatment', 'holdout') OR status IS NULL OR status NOT IN (${statuses}) OR arm = '' OR contains(coalesce(arm, ''), chr(0))) AS bad
      FROM read_json(${lit(decisions)}, format = 'newline_delimited', columns = ${DECISION_COLUMNS})`);
  // Events: read once into a lean table; the check, the goal events and the feedback all come from
  // it. Millions of repeated strings are what makes a table of events expensive, so the event name
  // becomes a small code (kindSql), and a row that breaks the contract has no time (ts is null).
  const feedbackCols = has.has("rule") || has.has("step") || has.has("channel");
  const p = (name: string, type: string) => (has.has(name) ? `CAST("p_${name.replace(/"/g, '""')}" AS ${type})` : `NULL::${type}`);
  await exec(con, checked
    ? `CREATE TABLE ev AS SELECT cid AS customer_id, ${kindSql(cfg.goal, "ev")} AS kind, CASE WHEN ok THEN CAST(t AS BIGINT) END AS ts,
        CAST(${p(cfg.revenueProp, "DOUBLE")} AS DECIMAL(18,4)) AS amount
        ${feedbackCols ? `, ${p("rule", "VARCHAR")} AS rule, ${p("step", "BIGINT")} AS step, ${p("channel", "VARCHAR")} AS channel` : ""}
      FROM rev`
    : "CREATE TABLE ev (customer_id VARCHAR, kind TINYINT, ts BIGINT, amount DECIMAL(18,4))");
  const [badDecisions] = await rows(con, `SELECT count(*) FILTER (WHERE bad) AS n FROM d`);
  if (num(badDecisions!.n) > 0) return null;
  await deriveLines(con, cfg);
  const [scan] = await rows(con, `SELECT count(*) - count(ts) AS bad, min(ts) AS data_from, count(*) FILTER (WHERE kind >= 2) AS feedback FROM ev`);
  if (num(scan!.bad) > 0 || (await skippedRows(con, events)) > 0) return null;
  const feedback = num(scan!.feedback);
  // Feedback in a file without the columns that say which message it answers: they are null, as when present and empty.
  if (feedback > 0 && !feedbackCols) {
    for (const c of ["rule VARCHAR", "step BIGINT", "channel VARCHAR"]) await exec(con, `ALTER TABLE ev ADD COLUMN ${c}`);
  }
  return { dataFrom: scan!.data_from === null ? null : num(scan!.data_from), feedback };
}

/**
 * The lines of arms and holdout groups (arms.ts): each line with an arm again under `RULE/ARM`,
 * each line of a group's rule again under `group:NAME` — the same rows the in-memory path adds.
 */
async function deriveLines(con: DuckDBConnection, cfg: ReportConfig): Promise<void> {
  const cols = "customer_id, step, entry_id, treated, sent, channel, entered, send_ms, NULL AS arm, TRUE AS derived, bad";
  await exec(con, `INSERT INTO d BY NAME SELECT rule || '/' || arm AS rule, ${cols} FROM d WHERE arm IS NOT NULL`);
  const groups = [...(cfg.groups ?? [])];
  if (groups.length === 0) return;
  await exec(con, `CREATE TABLE grp(rule VARCHAR, grp VARCHAR)`);
  await exec(con, `INSERT INTO grp VALUES ${groups.map(([r, g]) => `(${lit(r)}, ${lit(groupKey(g))})`).join(", ")}`);
  await exec(con, `INSERT INTO d BY NAME SELECT grp.grp AS rule, ${cols.replace(/(^|, )(?!NULL|TRUE)(\w+)/g, "$1d.$2")} FROM d JOIN grp ON d.rule = grp.rule WHERE NOT d.derived`);
}

/** Builds the entries (e) and their outcomes (o); returns the span of first entries (null when the log is empty). */
async function outcomes(con: DuckDBConnection, cfg: ReportConfig): Promise<{ s: number; e: number } | null> {
  const A = Math.round(cfg.attribution);
  // First entry per rule and customer: the earliest, ties broken by variant (holdout first), then by
  // entry id, so the result never depends on row order. k orders by time and variant in one integer;
  // arg_min picks a row of d at the least k (its rowid: carrying the entry id string through the
  // aggregate costs twice as much), which is the answer unless two entry ids share that k. That can
  // only happen where a customer entered a rule more than once (multi): those are checked, and a
  // tie, when there is one, is settled by the least entry id.
  const k = "entered * 2 + treated::BIGINT";
  await exec(con, `CREATE TABLE e AS SELECT rule, customer_id, k >> 1 AS entered, (k & 1) = 1 AS treated, drow, multi
    FROM (SELECT rule, customer_id, min(${k}) AS k, arg_min(rowid, ${k}) AS drow, count(*) > 1 AS multi FROM d GROUP BY rule, customer_id)`);
  const multi = `(SELECT e.rowid AS eid, e.rule, e.customer_id, e.entered, e.treated, d0.entry_id FROM e JOIN d d0 ON d0.rowid = e.drow WHERE e.multi) m`;
  const tied = `d.rule = m.rule AND d.customer_id = m.customer_id AND d.entered = m.entered AND d.treated = m.treated`;
  const [ties] = await rows(con, `SELECT count(*) AS n FROM d JOIN ${multi} ON ${tied} AND d.entry_id < m.entry_id`);
  if (num(ties!.n) > 0) {
    await exec(con, `UPDATE e SET drow = t.drow FROM (SELECT m.eid, arg_min(d.rowid, d.entry_id) AS drow FROM d JOIN ${multi} ON ${tied} GROUP BY m.eid) t
      WHERE e.rowid = t.eid`);
  }
  // Views, not tables: each is read once or twice, and copying millions of rows costs more than filtering them again.
  // Goal events outside every entry's window (before the first entry's pre-period, after the last
  // one's attribution) can match nothing: the bounds go in as constants, so the scan drops them.
  const [row] = await rows(con, `SELECT min(entered) AS s, max(entered) AS e FROM e`);
  const span = row!.s === null ? null : { s: num(row!.s), e: num(row!.e) };
  const bounds = span ? ` AND ts > ${span.s - A} AND ts <= ${span.e + A}` : "";
  await exec(con, `CREATE VIEW g AS SELECT customer_id, ts, coalesce(amount, 0) AS amount FROM ev WHERE kind & 1 = 1${bounds}`);
  // Window sums per entry, grouped by an integer entry id (grouping by the strings costs twice as much).
  await exec(con, `CREATE TABLE w AS SELECT e.rowid AS eid,
      CAST(count(g.ts) FILTER (WHERE g.ts > e.entered) > 0 AS INTEGER) AS c,
      coalesce(sum(g.amount) FILTER (WHERE g.ts > e.entered), 0) AS r,
      CAST(count(g.ts) FILTER (WHERE g.ts <= e.entered) > 0 AS INTEGER) AS pc,
      coalesce(sum(g.amount) FILTER (WHERE g.ts <= e.entered), 0) AS pr
    FROM e JOIN g ON g.customer_id = e.customer_id AND g.ts > e.entered - ${A} AND g.ts <= e.entered + ${A}
    GROUP BY e.rowid`);
  await exec(con, `CREATE VIEW o AS SELECT e.rule, e.customer_id, e.treated, e.entered, e.drow,
      coalesce(w.c, 0) AS c, coalesce(w.r, 0) AS r, coalesce(w.pc, 0) AS pc, coalesce(w.pr, 0) AS pr
    FROM e LEFT JOIN w ON w.eid = e.rowid`);
  return span;
}

const MOMENTS = `count(*) AS n, sum(c) AS cs, sum(c * c) AS css, sum(pc) AS cx, sum(pc * pc) AS cxx, sum(pc * c) AS cxy,
  sum(r)::DOUBLE AS rs, sum(r * r)::DOUBLE AS rss, sum(pr)::DOUBLE AS rx, sum(pr * pr)::DOUBLE AS rxx, sum(pr * r)::DOUBLE AS rxy`;

function moments(row: Record<string, unknown>, p: "c" | "r"): Moments {
  return { n: num(row.n), sum: num(row[`${p}s`]), sumSq: num(row[`${p}ss`]), sumX: num(row[`${p}x`]), sumXSq: num(row[`${p}xx`]), sumXY: num(row[`${p}xy`]) };
}

function addInto(m: Moments, x: Moments): void {
  m.n += x.n;
  m.sum += x.sum;
  m.sumSq += x.sumSq;
  m.sumX += x.sumX;
  m.sumXSq += x.sumXSq;
  m.sumXY += x.sumXY;
}

/**
 * Revenue capped at the pooled percentile (stats/capping.ts), per rule: the
 * rank of the cap comes from JS (the same ⌊P·(N − 1)⌋ the in-memory path
 * takes), the value at that rank and the capped sums from DuckDB.
 */
async function cappedRevenue(con: DuckDBConnection, rules: Map<string, RuleAggregate>, percentile: number): Promise<void> {
  const ranks = [...rules].map(([name, a]) => `(${lit(name)}, ${capRank(percentile, a.hold.rev.n + a.treat.rev.n)})`);
  if (!ranks.length) return;
  await exec(con, `CREATE TABLE capk(rule VARCHAR, k BIGINT)`);
  await exec(con, `INSERT INTO capk VALUES ${ranks.join(", ")}`);
  // A percentile of 0 (a rare goal) would erase the metric: the largest value is the cap then, as in capRevenue.
  await exec(con, `CREATE TABLE caps AS SELECT q.rule, CASE WHEN q.r > 0 THEN q.r ELSE mx.r END AS cap FROM
    (SELECT rule, r, row_number() OVER (PARTITION BY rule ORDER BY r) - 1 AS i FROM o) q JOIN capk ON capk.rule = q.rule AND capk.k = q.i
    JOIN (SELECT rule, max(r) AS r FROM o GROUP BY rule) mx ON mx.rule = q.rule`);
  const y = "least(o.r, caps.cap)";
  const x = "least(o.pr, caps.cap)";
  const q = `SELECT o.rule, o.treated, any_value(caps.cap)::DOUBLE AS cap, count(*) AS n, sum(${y})::DOUBLE AS rs, sum(${y} * ${y})::DOUBLE AS rss,
      sum(${x})::DOUBLE AS rx, sum(${x} * ${x})::DOUBLE AS rxx, sum(${x} * ${y})::DOUBLE AS rxy, sum(${y}::DOUBLE ** 3) AS rc
    FROM o JOIN caps ON caps.rule = o.rule GROUP BY ALL ORDER BY ALL`;
  capsInto(rules, percentile, await rows(con, q));
}

/** Capped revenue rows (rule, treated, cap, moments `n rs rss rx rxx rxy`, cube sum `rc`) into the rules. */
export function capsInto(rules: Map<string, RuleAggregate>, percentile: number, capRows: Record<string, unknown>[]): void {
  for (const row of capRows) {
    const a = rules.get(String(row.rule))!;
    a.revCap ??= { percentile, cap: num(row.cap), hold: { m: emptyMoments(), cube: 0 }, treat: { m: emptyMoments(), cube: 0 } };
    const g = row.treated === true ? a.revCap.treat : a.revCap.hold;
    g.m = moments(row, "r");
    g.cube = num(row.rc);
  }
}

/** The rules of a report from their per-variant-per-day moment rows (sorted by rule, day, variant). */
export function rulesFromDays(dayRows: Record<string, unknown>[]): Map<string, RuleAggregate> {
  const rules = new Map<string, RuleAggregate>();
  for (const row of dayRows) if (!rules.has(String(row.rule))) rules.set(String(row.rule), emptyRuleAggregate(String(row.rule)));
  for (const [name, a] of rules) fromDays(a, dayRows.filter((r) => r.rule === name));
  return rules;
}

/** Fills a rule aggregate from its per-variant-per-day moment rows (sorted by day, so sums are in a fixed order). */
function fromDays(a: RuleAggregate, dayRows: Record<string, unknown>[]): void {
  for (const row of dayRows) {
    const treated = row.treated === true;
    const day = num(row.day);
    const g = treated ? a.treat : a.hold;
    const conv = moments(row, "c");
    addInto(g.conv, conv);
    addInto(g.rev, moments(row, "r"));
    let d = a.byDay.get(day);
    if (!d) a.byDay.set(day, (d = [emptyMoments(), emptyMoments()]));
    addInto(d[treated ? 1 : 0], conv);
    a.firstAt = Math.min(a.firstAt, num(row.first_at));
  }
}

async function funnels(con: DuckDBConnection, rules: Map<string, RuleAggregate>, feedback: number): Promise<Map<string, number>> {
  if (feedback === 0) {
    // No feedback at all: the funnel is the send counts; numbering a million sends would be wasted.
    sentInto(rules, await rows(con, `SELECT rule, step, channel, count(*) AS n FROM d WHERE sent GROUP BY ALL ORDER BY ALL`));
    return new Map();
  }
  await exec(con, `CREATE TABLE f AS SELECT customer_id, [${FEEDBACK_NAMES.map(lit).join(", ")}][kind >> 1] AS event, ts, rule, step, channel FROM ev WHERE kind >= 2`);
  await exec(con, `CREATE TABLE s AS SELECT row_number() OVER (ORDER BY rule, customer_id, step, channel, coalesce(send_ms, entered), entry_id) AS id,
    rule, customer_id, step, channel, coalesce(send_ms, entered) AS t FROM d WHERE sent`);
  // Each feedback event belongs to the latest send of its message at or before it (the earliest if it precedes them all).
  await exec(con, `CREATE TABLE fm AS
    WITH m AS (SELECT f.event, s.id FROM f ASOF JOIN s ON f.rule = s.rule AND f.customer_id = s.customer_id AND f.step = s.step AND f.channel = s.channel AND f.ts >= s.t),
    early AS (SELECT f.event, min(s.id) AS id FROM f JOIN s ON f.rule = s.rule AND f.customer_id = s.customer_id AND f.step = s.step AND f.channel = s.channel
      WHERE NOT EXISTS (SELECT 1 FROM s s2 WHERE s2.rule = f.rule AND s2.customer_id = f.customer_id AND s2.step = f.step AND s2.channel = f.channel AND s2.t <= f.ts)
      GROUP BY f.event, f.customer_id, f.rule, f.step, f.channel, f.ts)
    SELECT DISTINCT event, id FROM (SELECT * FROM m UNION ALL SELECT * FROM early)`);
  sentInto(rules, await rows(con, `SELECT rule, step, channel, count(*) AS n FROM s GROUP BY ALL ORDER BY ALL`));
  kindsInto(rules, await rows(con, `SELECT s.rule, s.step, s.channel, fm.event, count(*) AS n FROM fm JOIN s USING (id) GROUP BY ALL ORDER BY ALL`));
  return kindsByChannel(await rows(con, `SELECT channel, event FROM f WHERE channel IS NOT NULL GROUP BY ALL ORDER BY ALL`));
}

/** Sends per rule × step × channel (rows `rule step channel n`) into the funnels. */
export function sentInto(rules: Map<string, RuleAggregate>, sentRows: Record<string, unknown>[]): void {
  for (const row of sentRows) {
    const a = rules.get(String(row.rule));
    if (a) funnelCell(a, num(row.step), String(row.channel)).sent += num(row.n);
  }
}

/** Messages per feedback kind (rows `rule step channel event n`) into the funnels. */
export function kindsInto(rules: Map<string, RuleAggregate>, kindRows: Record<string, unknown>[]): void {
  for (const row of kindRows) {
    const a = rules.get(String(row.rule));
    if (a) funnelCell(a, num(row.step), String(row.channel)).kinds[FEEDBACK_NAMES.indexOf(String(row.event))] += num(row.n);
  }
}

/** Channel → the feedback kinds it reported (rows `channel event`). */
export function kindsByChannel(pairs: Record<string, unknown>[]): Map<string, number> {
  const byChannel = new Map<string, number>();
  for (const row of pairs) {
    const ch = String(row.channel);
    byChannel.set(ch, (byChannel.get(ch) ?? 0) | FEEDBACK_BITS[String(row.event)]!);
  }
  return byChannel;
}

async function globalLine(con: DuckDBConnection, cfg: ReportConfig): Promise<RuleAggregate> {
  const A = Math.round(cfg.attribution);
  const list = await rows(con, `WITH ge AS (SELECT customer_id, min(entered) AS entered FROM e GROUP BY 1)
    SELECT ge.customer_id, ge.entered,
      CAST(count(g.ts) FILTER (WHERE g.ts > ge.entered) > 0 AS INTEGER) AS c, coalesce(sum(g.amount) FILTER (WHERE g.ts > ge.entered), 0)::DOUBLE AS r,
      CAST(count(g.ts) FILTER (WHERE g.ts <= ge.entered) > 0 AS INTEGER) AS pc, coalesce(sum(g.amount) FILTER (WHERE g.ts <= ge.entered), 0)::DOUBLE AS pr
    FROM ge LEFT JOIN g ON g.customer_id = ge.customer_id AND g.ts > ge.entered - ${A} AND g.ts <= ge.entered + ${A}
    GROUP BY ge.customer_id, ge.entered ORDER BY ge.entered, ge.customer_id`);
  return globalFromRows(cfg, list);
}

/**
 * The global-holdout line from one row per customer (their first entry over all rules, `entered`;
 * conversion `c`/`pc` and revenue `r`/`pr` in the attribution window after and before it), sorted
 * by entry time and customer id.
 */
export function globalFromRows(cfg: ReportConfig, list: Record<string, unknown>[]): RuleAggregate {
  const a = emptyRuleAggregate("(global holdout)");
  // The global split is the contract's FNV hash, computed here in JS (DuckDB has no FNV-1a).
  const percentile = capPercentile(cfg);
  const ys = new Float64Array(list.length);
  const xs = new Float64Array(list.length);
  const ts = new Uint8Array(list.length);
  for (const [i, row] of list.entries()) {
    const treated = !isHeldOut(GLOBAL_SALT, String(row.customer_id), cfg.globalHoldout);
    ys[i] = num(row.r);
    xs[i] = num(row.pr);
    ts[i] = treated ? 1 : 0;
    const g = treated ? a.treat : a.hold;
    const c = num(row.c);
    addObservation(g.conv, c, num(row.pc));
    addObservation(g.rev, num(row.r), num(row.pr));
    const at = num(row.entered);
    const day = Math.floor(at / DAY);
    let d = a.byDay.get(day);
    if (!d) a.byDay.set(day, (d = [emptyMoments(), emptyMoments()]));
    addObservation(d[treated ? 1 : 0], c);
    a.firstAt = Math.min(a.firstAt, at);
  }
  a.revCap = percentile === null ? null : capRevenue(percentile, list.length, ys, xs, ts);
  return a;
}

/**
 * The report's aggregates from a decision log and an events file, or null
 * when the inputs need the row-by-row path (unreadable or contract-breaking rows).
 */
export async function aggregateWithDuckDB(cfg: ReportConfig, decisionsPath: string, eventsPath: string): Promise<Aggregates | null> {
  const db = await DuckDBInstance.create(":memory:");
  const con = await db.connect();
  try {
    let scan: EventsScan | null;
    try {
      scan = await load(con, cfg, decisionsPath, eventsPath);
      if (!scan) return null;
    } catch (e) {
      // A file the engine's reader refuses whole (no customer_id, event or ts column) is the user's to fix, not a row to name.
      if (e instanceof DataError) throw e;
      if (process.env.PLAYBOOK_DEBUG) console.error(e);
      return null; // a malformed decision log: the row-by-row reader names the lines
    }
    const span = await outcomes(con, cfg);
    const rules = rulesFromDays(await rows(con, `SELECT rule, treated, (entered // ${DAY}) AS day, min(entered) AS first_at, ${MOMENTS} FROM o GROUP BY ALL ORDER BY rule, day, treated`));
    const percentile = capPercentile(cfg);
    if (percentile !== null) await cappedRevenue(con, rules, percentile);
    for (const row of await rows(con, `SELECT rule, channel, count(*) AS n FROM d WHERE sent GROUP BY ALL ORDER BY ALL`)) {
      rules.get(String(row.rule))?.sendsByChannel.set(String(row.channel), num(row.n));
    }
    const offers = [...cfg.offers].flatMap(([rule, steps]) => [...steps].map(([step, cost]) => `(${lit(rule)}, ${step}, ${cost})`));
    if (offers.length) {
      await exec(con, `CREATE TABLE offers(rule VARCHAR, step BIGINT, cost DOUBLE)`);
      await exec(con, `INSERT INTO offers VALUES ${offers.join(", ")}`);
      const q = `WITH oc AS (SELECT d.rule, d.entry_id, sum(offers.cost) AS cost FROM d JOIN offers ON d.rule = offers.rule AND d.step = offers.step
          WHERE d.sent GROUP BY ALL)
        SELECT o.rule, sum(oc.cost::DECIMAL(38,4))::DOUBLE AS cost FROM o JOIN d d0 ON d0.rowid = o.drow JOIN oc ON o.rule = oc.rule AND d0.entry_id = oc.entry_id
        WHERE o.treated AND o.c = 1 GROUP BY ALL`;
      for (const row of await rows(con, q)) {
        const a = rules.get(String(row.rule));
        if (a) a.offerCost = num(row.cost);
      }
    }
    const kindsByChannel = await funnels(con, rules, scan.feedback);
    const global = cfg.globalHoldout > 0 && rules.size > 0 ? await globalLine(con, cfg) : null;
    const [counted] = await rows(con, "SELECT (SELECT count(*) FILTER (WHERE NOT derived) FROM d) AS decisions, (SELECT count(*) FROM ev) AS events");
    return {
      rules, global, kindsByChannel,
      rows: { decisions: num(counted!.decisions), events: num(counted!.events) },
      dataFrom: scan.dataFrom,
      periodStart: span ? span.s : Infinity,
      periodEnd: span ? span.e : -Infinity,
    };
  } finally {
    con.closeSync();
    db.closeSync();
  }
}
