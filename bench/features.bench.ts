/**
 * Features benchmark (issue 3, "Speed"): every feature, RFM score and segment
 * membership of the example workspace (playbooks/shop) for 1M customers and
 * 20M events — `computeSegments`, the path of `playbook segments`: customers
 * read and checked, one scan of the events in DuckDB, segments evaluated in JS
 * (targets ≤ 20 s wall, peak RSS ≤ 4 GB).
 *
 * Ours is the path of `playbook segments` as it prints sizes and the grid
 * (members: false); one more run with membership (`--out`, `--format csv`)
 * is timed after.
 *
 * Baselines in the same run, each in a fresh DuckDB:
 * - a hand-written DuckDB query computing the same RFM scores (the same
 *   quantile rule) and segment sizes straight from the files, without checking
 *   rows or bringing anything into JS (whether the sizes agree is printed);
 * - the contract's row checks written by hand (every event's time parsed, its
 *   name in the schema, its customer known; customer ids present and unique,
 *   dates parsed): what any reader that honours contract.md must also do.
 * The bench prints our time over the query's, over the query's plus the
 * checks' (target ≤ 1.3×), and the floor (query + checks) / query that no
 * checking path can go below.
 * Sizes scale with BENCH_SCALE (default 1); data is cached in BENCH_CACHE.
 */
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { DuckDBInstance } from "@duckdb/node-api";
import { loadProgram } from "../engine/runtime/inputs.ts";
import { computeSegments } from "../engine/segments.ts";
import { AT, generate } from "./gen/shop.ts";

const SCALE = Number(process.env.BENCH_SCALE ?? "1");
const CACHE = process.env.BENCH_CACHE ?? "/tmp/pb-bench-engine";
const DAY = 86_400_000;
const rssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);

/** The hand-written query: RFM (quintiles for f and m as engine/rfm.ts defines them, explicit recency bounds) and the six segments. */
async function handWritten(dir: string): Promise<{ ms: number; sizes: Record<string, number> }> {
  const db = await DuckDBInstance.create(":memory:");
  const con = await db.connect();
  const t0 = performance.now();
  const now = AT;
  const year = 365 * DAY;
  const sql = `
WITH o AS (
  SELECT customer_id, epoch_ms(CAST(ts AS TIMESTAMPTZ)) AS t, TRY_CAST(amount AS DOUBLE) AS amount
  FROM read_parquet('${dir}/events.parquet') WHERE event = 'order_placed'),
per AS (
  SELECT customer_id,
    count(*) FILTER (WHERE t <= ${now}) AS n_all, max(t) FILTER (WHERE t <= ${now}) AS last_all,
    count(*) FILTER (WHERE t <= ${now} AND t > ${now - year}) AS n,
    coalesce(sum(amount) FILTER (WHERE t <= ${now} AND t > ${now - year}), 0) AS s,
    max(t) FILTER (WHERE t <= ${now} AND t > ${now - year}) AS last
  FROM o GROUP BY customer_id),
scored AS (SELECT * FROM per WHERE n > 0),
tot AS (SELECT count(*) AS cnt FROM scored),
fr AS (SELECT n AS v, rank() OVER (ORDER BY n) - 1 AS below FROM scored),
mr AS (SELECT s AS v, rank() OVER (ORDER BY s) - 1 AS below FROM scored),
k AS (SELECT unnest([1, 2, 3, 4]) AS k),
fb AS (SELECT k.k, min(v) FILTER (WHERE below >= greatest(1, ceil(k.k * tot.cnt / 5.0))) AS b FROM k, fr, tot GROUP BY k.k),
mb AS (SELECT k.k, min(v) FILTER (WHERE below >= greatest(1, ceil(k.k * tot.cnt / 5.0))) AS b FROM k, mr, tot GROUP BY k.k),
rfm AS (
  SELECT p.customer_id, p.n_all, p.last_all,
    CASE WHEN p.n > 0 THEN 5 - ((${now} - p.last > ${30 * DAY})::INT + (${now} - p.last > ${60 * DAY})::INT + (${now} - p.last > ${120 * DAY})::INT + (${now} - p.last > ${240 * DAY})::INT) END AS r,
    CASE WHEN p.n > 0 THEN 1 + (SELECT count(*) FROM fb WHERE fb.b IS NOT NULL AND p.n >= fb.b) END AS f,
    CASE WHEN p.n > 0 THEN 1 + (SELECT count(*) FROM mb WHERE mb.b IS NOT NULL AND p.s >= mb.b) END AS m
  FROM read_parquet('${dir}/customers.parquet') c LEFT JOIN per p ON p.customer_id = c.customer_id)
SELECT
  count(*) FILTER (WHERE r >= 4 AND f >= 4 AND m >= 4) AS champions,
  count(*) FILTER (WHERE r >= 4 AND f >= 4 AND m <= 3) AS loyal,
  count(*) FILTER (WHERE r = 3 AND f <= 2 AND m >= 4) AS big_spenders,
  count(*) FILTER (WHERE r <= 2 AND f >= 4 AND m >= 4) AS at_risk,
  count(*) FILTER (WHERE r <= 2 AND f <= 2) AS hibernating,
  count(*) FILTER (WHERE n_all = 1 AND floor((${now} - last_all) / ${DAY}) <= 30) AS newcomers
FROM rfm`;
  const res = await con.runAndReadAll(sql);
  const names = res.columnNames();
  const row = res.getRows()[0]!;
  const ms = performance.now() - t0;
  con.closeSync();
  db.closeSync();
  return { ms, sizes: Object.fromEntries(names.map((n, i) => [n, Number(row[i])])) };
}

/**
 * What the contract's row checks cost on their own, hand-written: every event's time parsed, its name
 * in the schema, its customer known; every customer id present and unique, every birthday/registered_at
 * parsed. Not part of the target; it shows how much of our time is checking rather than computing.
 */
async function handWrittenChecks(dir: string, events: string[]): Promise<number> {
  const db = await DuckDBInstance.create(":memory:");
  const con = await db.connect();
  await con.run("SET TimeZone = 'UTC'");
  const t0 = performance.now();
  await con.runAndReadAll(`WITH c AS (SELECT customer_id, count(*) AS n,
      count(*) FILTER (WHERE TRY_CAST(birthday AS DATE) IS NULL AND birthday IS NOT NULL) AS bad_b,
      count(*) FILTER (WHERE TRY_CAST(registered_at AS TIMESTAMPTZ) IS NULL) AS bad_r
    FROM read_parquet('${dir}/customers.parquet') GROUP BY customer_id)
    SELECT (SELECT sum(n - 1) + sum(bad_b) + sum(bad_r) FROM c),
      (SELECT count(*) FILTER (WHERE TRY_CAST(e.ts AS TIMESTAMPTZ) IS NULL OR e.event NOT IN (${events.map((n) => `'${n}'`).join(", ")}) OR c.customer_id IS NULL)
       FROM read_parquet('${dir}/events.parquet') e LEFT JOIN c ON c.customer_id = e.customer_id)`);
  const ms = performance.now() - t0;
  con.closeSync();
  db.closeSync();
  return ms;
}

/** The cheapest single check there is: every event's time parsed, nothing else (a lower bound on any check of every row). */
async function timesParsed(dir: string): Promise<number> {
  const db = await DuckDBInstance.create(":memory:");
  const con = await db.connect();
  await con.run("SET TimeZone = 'UTC'");
  const t0 = performance.now();
  await con.runAndReadAll(`SELECT count(*) FILTER (WHERE TRY_CAST(ts AS TIMESTAMPTZ) IS NULL) FROM read_parquet('${dir}/events.parquet')`);
  const ms = performance.now() - t0;
  con.closeSync();
  db.closeSync();
  return ms;
}

const customers = Math.round(1_000_000 * SCALE);
const events = Math.round(20_000_000 * SCALE);
const dir = join(CACHE, `run-${customers}-${events}`);
const tg = performance.now();
await generate(dir, customers, events, 365);
console.log(`data: ${customers} customers, ${events} events (generated/cached in ${((performance.now() - tg) / 1000).toFixed(1)} s)`);
const { program } = await loadProgram(join(import.meta.dirname, "..", "playbooks", "shop"));
const runs = Number(process.env.BENCH_RUNS ?? "3");
const ours: number[] = [];
const base: number[] = [];
let agree = true;
for (let i = 0; i < runs; i++) {
  const t0 = performance.now();
  const r = await computeSegments({ workspace: program.ws, customersFile: join(dir, "customers.parquet"), eventsFile: join(dir, "events.parquet"), now: AT, members: false });
  ours.push(performance.now() - t0);
  const rss = rssMb();
  const h = await handWritten(dir);
  base.push(h.ms);
  const got = Object.fromEntries(r.segments.map((s) => [s.name, s.customers]));
  const same = JSON.stringify(got) === JSON.stringify(h.sizes);
  agree &&= same;
  console.log(`  run ${i + 1}: ours ${(ours[i]! / 1000).toFixed(2)} s (peak RSS so far ${rss} MB), hand-written SQL ${(h.ms / 1000).toFixed(2)} s; sizes ${same ? "agree" : `DIFFER: ours ${JSON.stringify(got)} vs ${JSON.stringify(h.sizes)}`}`);
}
const checksRuns: number[] = [];
const timesRuns: number[] = [];
for (let i = 0; i < runs; i++) {
  checksRuns.push(await handWrittenChecks(dir, [...program.ws.schema.events.keys()]));
  timesRuns.push(await timesParsed(dir));
}
const tm = performance.now();
const withMembers = await computeSegments({ workspace: program.ws, customersFile: join(dir, "customers.parquet"), eventsFile: join(dir, "events.parquet"), now: AT, members: true });
const membersMs = performance.now() - tm;
const memberRows = [...withMembers.members.values()].reduce((n, s) => n + s.length, 0);
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const checks = med(checksRuns);
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
console.log(`features + segments (1M/20M scale ${SCALE}): median ${s(med(ours))}, peak RSS ${rssMb()} MB  (targets 20 s, 4096 MB)`);
console.log(`  with membership (${memberRows} customer/segment rows into JS, as --out and --format csv): ${s(membersMs)}`);
console.log(`  hand-written DuckDB SQL, no row checked: median ${s(med(base))} → ours/hand-written ${(med(ours) / med(base)).toFixed(2)}× (≤ 1.3× is below the floors below); segment sizes ${agree ? "agree" : "DIFFER"}`);
console.log(`  the contract's row checks, hand-written: median ${s(checks)} → ours/(hand-written + checks) ${(med(ours) / (med(base) + checks)).toFixed(2)}×  (target ≤ 1.3× against hand-written SQL doing the same work)`);
// The floor of any path that checks every row as contract.md asks: the query plus the checks, both by hand.
console.log(`  floor for a checking path: (hand-written + checks)/hand-written = ${((med(base) + checks) / med(base)).toFixed(2)}×`);
// A floor that does not depend on how well the checks are written: parsing every event's time alone.
const times = med(timesRuns);
console.log(`  every event's time parsed, nothing else: median ${s(times)} → even that floor is (hand-written + it)/hand-written = ${((med(base) + times) / med(base)).toFixed(2)}×`);
