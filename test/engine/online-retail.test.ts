/**
 * RFM segments on a real shop: the UCI Online Retail data (541,909 invoice
 * lines), converted by examples/online-retail/convert.ts and segmented by the
 * engine, checked against an independent DuckDB query over the source CSV that
 * states the quantile rule its own way (bound k = the smallest value with at
 * least k·n/5 customers below it; recency bound k = the ⌈k·n/5⌉-th smallest age).
 */
import { describe, expect, it } from "vitest";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DuckDBInstance } from "@duckdb/node-api";
import { convert, DEFAULT_CSV } from "../../examples/online-retail/convert.ts";
import { computeSegments } from "../../engine/segments.ts";
import { loadWorkspace } from "../../language/index.ts";
import { checkWorkspace } from "../../language/check.ts";

const WS = fileURLToPath(new URL("../../examples/online-retail/playbooks", import.meta.url));
const NOW = "2011-12-10 00:00:00";
const present = existsSync(DEFAULT_CSV);
if (!present) console.warn(`online-retail.test.ts: skipped, ${DEFAULT_CSV} is absent (the shared data sets are not beside this checkout)`);

async function independent(): Promise<Record<string, number>> {
  const db = await DuckDBInstance.create(":memory:");
  const con = await db.connect();
  const sql = `
    WITH l AS (SELECT InvoiceNo AS inv, CAST(Quantity AS DOUBLE) AS q, CAST(UnitPrice AS DOUBLE) AS p,
                      CAST(InvoiceDate AS TIMESTAMP) AS t, CAST(CAST(CustomerID AS DOUBLE) AS BIGINT) AS cid
               FROM read_csv('${DEFAULT_CSV}', header = true, all_varchar = true) WHERE CustomerID <> ''),
    o AS (SELECT cid, inv, min(t) AS t, round(sum(q * p), 2) AS amount FROM l
          WHERE inv NOT LIKE 'C%' AND q > 0 AND p > 0 GROUP BY cid, inv),
    w AS (SELECT cid, count(*) AS n, sum(amount) AS m, epoch_ms(TIMESTAMP '${NOW}') - epoch_ms(max(t)) AS age FROM o
          WHERE t <= TIMESTAMP '${NOW}' AND t > TIMESTAMP '${NOW}' - INTERVAL 365 DAY GROUP BY cid),
    tot AS (SELECT count(*) AS c FROM w),
    ks AS (SELECT range AS k FROM range(1, 5)),
    fb AS (SELECT k, min(v.n) AS b FROM ks, (SELECT DISTINCT n FROM w) v, tot
           WHERE (SELECT count(*) FROM w WHERE w.n < v.n) >= k * tot.c / 5.0 GROUP BY k),
    mb AS (SELECT k, min(v.m) AS b FROM ks, (SELECT DISTINCT m FROM w) v, tot
           WHERE (SELECT count(*) FROM w WHERE w.m < v.m) >= k * tot.c / 5.0 GROUP BY k),
    rb AS (SELECT k, list_sort(list(age))[CAST(ceil(k * tot.c / 5.0) AS BIGINT)] AS b FROM ks, w, tot GROUP BY k, tot.c),
    s AS (SELECT w.cid,
            1 + (SELECT count(*) FROM fb WHERE w.n >= fb.b) AS f,
            1 + (SELECT count(*) FROM mb WHERE w.m >= mb.b) AS m,
            5 - (SELECT count(*) FROM rb WHERE w.age > rb.b) AS r FROM w)
    SELECT count(*) FILTER (WHERE r >= 4 AND f >= 4 AND m >= 4) AS champions,
           count(*) FILTER (WHERE r <= 2 AND f >= 4 AND m >= 4) AS at_risk,
           count(*) FILTER (WHERE r <= 2 AND f <= 2) AS hibernating,
           count(*) FILTER (WHERE r = 5 AND f = 5) AS r5f5,
           count(*) AS scored
    FROM s`;
  const row = (await con.runAndReadAll(sql)).getRowObjects()[0]!;
  con.closeSync();
  db.closeSync();
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Number(v)]));
}

describe.skipIf(!present)("RFM segments on the Online Retail data set", () => {
  it("accounts for every source line and matches an independent SQL computation of the segments", async () => {
    const out = mkdtempSync(join(tmpdir(), "pb-retail-"));
    const c = await convert(DEFAULT_CSV, out);
    expect(c.lines).toBe(541_909);
    expect(c.orderLines + c.cancellationLines + c.nonPositive + c.noCustomer).toBe(c.lines);
    expect([c.customers, c.orders]).toEqual([4372, 18532]);

    const { workspace } = await loadWorkspace(WS);
    expect(checkWorkspace(workspace).filter((d) => d.severity === "error")).toEqual([]);
    const r = await computeSegments({ workspace, customersFile: join(out, "data/customers.csv"), eventsFile: join(out, "data/events.csv"), now: Date.parse("2011-12-10T00:00:00Z") });
    expect(r.bad).toEqual([]);
    const size = Object.fromEntries(r.segments.map((s) => [s.name, s.customers]));
    const want = await independent();
    expect({ champions: size.champions, at_risk: size.at_risk, hibernating: size.hibernating }).toEqual({
      champions: want.champions, at_risk: want.at_risk, hibernating: want.hibernating,
    });
    expect(r.grid!.cells.find((x) => x.r === 5 && x.f === 5)!.customers).toBe(want.r5f5);
    expect(r.customers - r.grid!.unscored).toBe(want.scored);
  }, 120_000);
});
