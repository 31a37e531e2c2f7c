/**
 * Online Retail (UCI, Chen, Sain & Guo 2012; CC BY 4.0) → a Playbook data folder.
 *
 *   npx tsx examples/online-retail/convert.ts [--csv ../shared/data/online_retail.csv] --out /tmp/online-retail
 *
 * Writes data/customers.csv and data/events.csv (see README.md for what happens
 * to cancellations, returns and lines without a customer) and prints how many
 * source lines went where, so every input line is accounted for.
 */
import { DuckDBInstance } from "@duckdb/node-api";
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";

/** Where the shared copy of the source lives, relative to the repository. */
export const DEFAULT_CSV = fileURLToPath(new URL("../../../shared/data/online_retail.csv", import.meta.url));

/** Line counts by fate: every source line is in exactly one. */
export interface ConvertCounts {
  lines: number;
  orderLines: number;
  cancellationLines: number;
  noCustomer: number;
  nonPositive: number;
  orders: number;
  cancellations: number;
  customers: number;
}

const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** Converts the source CSV into `out/data/{customers,events}.csv`. */
export async function convert(csv: string, out: string): Promise<ConvertCounts> {
  mkdirSync(join(out, "data"), { recursive: true });
  const db = await DuckDBInstance.create(":memory:");
  const con = await db.connect();
  try {
    await con.run(`CREATE TABLE src AS SELECT * FROM read_csv(${sqlString(csv)}, header = true, all_varchar = true)`);
    await con.run(`CREATE TABLE l AS SELECT
        InvoiceNo AS invoice,
        TRY_CAST(Quantity AS DOUBLE) AS qty,
        TRY_CAST(UnitPrice AS DOUBLE) AS price,
        strptime(InvoiceDate, '%Y-%m-%d %H:%M:%S') AS t,
        NULLIF(regexp_replace(CustomerID, '\\.0$', ''), '') AS customer_id,
        Country AS country
      FROM src`);
    const one = async (sql: string) => Number((await con.runAndReadAll(sql)).getRows()[0]![0]);
    const counts: ConvertCounts = {
      lines: await one("SELECT count(*) FROM l"),
      noCustomer: await one("SELECT count(*) FROM l WHERE customer_id IS NULL"),
      cancellationLines: await one("SELECT count(*) FROM l WHERE customer_id IS NOT NULL AND starts_with(invoice, 'C')"),
      nonPositive: await one("SELECT count(*) FROM l WHERE customer_id IS NOT NULL AND NOT starts_with(invoice, 'C') AND (qty <= 0 OR price <= 0)"),
      orderLines: await one("SELECT count(*) FROM l WHERE customer_id IS NOT NULL AND NOT starts_with(invoice, 'C') AND qty > 0 AND price > 0"),
      orders: 0, cancellations: 0, customers: 0,
    };
    // One order per invoice: the sum of its positive lines (pennies rounded once, at the end).
    await con.run(`CREATE TABLE ev AS
      SELECT customer_id, 'order_placed' AS event, strftime(min(t), '%Y-%m-%dT%H:%M:%SZ') AS ts, invoice AS order_id, round(sum(qty * price), 2) AS amount
        FROM l WHERE customer_id IS NOT NULL AND NOT starts_with(invoice, 'C') AND qty > 0 AND price > 0 GROUP BY customer_id, invoice
      UNION ALL
      SELECT customer_id, 'order_cancelled', strftime(min(t), '%Y-%m-%dT%H:%M:%SZ'), invoice, round(-sum(qty * price), 2)
        FROM l WHERE customer_id IS NOT NULL AND starts_with(invoice, 'C') GROUP BY customer_id, invoice`);
    counts.orders = await one("SELECT count(*) FROM ev WHERE event = 'order_placed'");
    counts.cancellations = await one("SELECT count(*) FROM ev WHERE event = 'order_cancelled'");
    // A customer's country is the one of their first line (a few customers have two).
    await con.run(`CREATE TABLE cu AS SELECT customer_id, arg_min(country, t) AS country FROM l WHERE customer_id IS NOT NULL GROUP BY customer_id`);
    counts.customers = await one("SELECT count(*) FROM cu");
    await con.run(`COPY (SELECT * FROM cu ORDER BY customer_id) TO ${sqlString(join(out, "data/customers.csv"))} (HEADER)`);
    await con.run(`COPY (SELECT * FROM ev ORDER BY customer_id, ts, order_id) TO ${sqlString(join(out, "data/events.csv"))} (HEADER)`);
    return counts;
  } finally {
    con.closeSync();
    db.closeSync();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const { values } = parseArgs({ options: { csv: { type: "string", default: DEFAULT_CSV }, out: { type: "string", default: "online-retail" } } });
  const c = await convert(resolve(values.csv!), resolve(values.out!));
  console.log(
    `${c.lines} source lines: ${c.orderLines} order lines → ${c.orders} orders; ${c.cancellationLines} cancellation lines → ${c.cancellations} cancellations; ` +
      `${c.nonPositive} lines with zero or negative quantity or price dropped; ${c.noCustomer} lines without a customer dropped. ${c.customers} customers.`,
  );
}
