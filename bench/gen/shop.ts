/**
 * Seeded shop data for the benchmarks: customers of the example workspace's
 * schema and events spread uniformly over `days` before AT, written as Parquet
 * by DuckDB (`setseed`, so the same sizes give the same files) and cached in
 * the folder given.
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";

/** 2026-11-20T00:00:00Z: the instant every benchmark decides at. */
export const AT = Date.parse("2026-11-20T00:00:00Z");

/** Seeded shop data written as Parquet by DuckDB (cached). */
export async function generate(dir: string, customers: number, events: number, days: number): Promise<void> {
  if (existsSync(join(dir, "events.parquet"))) return;
  mkdirSync(dir, { recursive: true });
  const db = await DuckDBInstance.create(":memory:");
  const con = await db.connect();
  await con.run("SELECT setseed(0.42)");
  const at = new Date(AT).toISOString();
  await con.run(`COPY (
    SELECT 'c' || lpad(i::VARCHAR, 7, '0') AS customer_id,
      CASE WHEN random() < 0.9 THEN 'Name' || i END AS first_name,
      CASE WHEN random() < 0.8 THEN 'u' || i || '@example.com' END AS email,
      CASE WHEN random() < 0.6 THEN '+7900' || i END AS phone,
      CASE WHEN random() < 0.3 THEN 'tg' || i END AS telegram_id,
      strftime(DATE '1970-01-01' + CAST(floor(random() * 18000) AS INTEGER), '%Y-%m-%d') AS birthday,
      strftime(TIMESTAMP '${at}' - INTERVAL (CAST(floor(random() * 900) AS INTEGER)) DAY, '%Y-%m-%dT%H:%M:%SZ') AS registered_at,
      CASE WHEN random() < 0.2 THEN strftime(TIMESTAMP '${at}' + INTERVAL (CAST(floor(random() * 60) AS INTEGER)) DAY, '%Y-%m-%dT%H:%M:%SZ') END AS subscription_ends_at,
      (['Europe/Moscow', 'Asia/Yekaterinburg', 'Asia/Novosibirsk', NULL, 'Europe/Kaliningrad', 'Bad/Zone'])[1 + CAST(floor(random() * 6) AS INTEGER)] AS timezone,
      'city' || (i % 50) AS city,
      random() < 0.7 AS consent_email, random() < 0.3 AS consent_sms, random() < 0.5 AS consent_push,
      random() < 0.2 AS consent_telegram, random() < 0.002 AS is_employee
    FROM range(${customers}) t(i)) TO '${dir}/customers.parquet' (FORMAT parquet)`);
  await con.run(`COPY (
    SELECT 'c' || lpad(CAST(floor(random() * ${customers}) AS INTEGER)::VARCHAR, 7, '0') AS customer_id,
      (['product_viewed', 'product_viewed', 'product_viewed', 'app_open', 'app_open', 'cart_abandoned', 'order_placed', 'order_delivered', 'back_in_stock', 'signed_up'])[1 + CAST(floor(random() * 10) AS INTEGER)] AS event,
      strftime(TIMESTAMP '${at}' - INTERVAL (CAST(floor(random() * ${days} * 86400) AS INTEGER)) SECOND, '%Y-%m-%dT%H:%M:%SZ') AS ts,
      'o' || i AS order_id, round(random() * 5000, 2) AS amount, round(random() * 3000, 2) AS cart_value,
      'p' || (i % 500) AS product_id, 'cat' || (i % 12) AS category
    FROM range(${events}) t(i)) TO '${dir}/events.parquet' (FORMAT parquet)`);
  con.closeSync();
  db.closeSync();
}


