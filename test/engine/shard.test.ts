/**
 * Shards (engine/runtime/shard.ts, docs/sharding.md): the JS hash and the DuckDB SQL put every id
 * in the same shard (ids with non-ASCII letters, astral characters, quotes); and under fast-check,
 * over random N and random customers and events, the shards' decisions together are the
 * unsharded run's and their logs merge (`mergeShardLogs`) to its log byte for byte.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { decideFromFiles, loadProgram } from "../../engine/runtime/inputs.ts";
import { logText } from "../../engine/runtime/log-file.ts";
import { stripTime } from "../../engine/runtime/order.ts";
import { parseShard, shardOf, shardSql } from "../../engine/runtime/shard.ts";
import { mergeShardLogs, shardLogText } from "../../engine/runtime/shard-log.ts";
import { HAS_FRONT_END, SHOP, tempFolders } from "../cli/run-support.ts";

const { keep } = tempFolders();
const idArb = fc.string({ unit: fc.oneof(fc.constantFrom("a", "b", "Z", "é", "ß", "я", "中", "😀", "'", " ", "-"), fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)).filter((c) => c !== '"' && c !== ",")), minLength: 1, maxLength: 8 });

describe("shard membership", () => {
  it("parses i/N at its edges", () => {
    expect(parseShard("1/1")).toEqual({ index: 1, count: 1 });
    expect(parseShard("4/4")).toEqual({ index: 4, count: 4 });
    expect(parseShard("10000/10000")).toEqual({ index: 10000, count: 10000 });
    expect(parseShard("0/4")).toBe("--shard 0/4: i must be between 1 and 4 (shards are numbered from 1)");
    expect(parseShard("5/4")).toBe("--shard 5/4: i must be between 1 and 4 (shards are numbered from 1)");
    expect(parseShard("1/0")).toBe("--shard 1/0: N must be between 1 and 10000");
    expect(parseShard("1/10001")).toBe("--shard 1/10001: N must be between 1 and 10000");
    expect(parseShard("1-4")).toBe('--shard must be i/N (shard i of N, e.g. 1/4), not "1-4"');
  });

  it("JS and DuckDB agree on every id's shard (fast-check)", async () => {
    const db = await DuckDBInstance.create(":memory:");
    const con = await db.connect();
    // A fixed point, so the documented formula cannot drift: md5("__shardc0000001") = 3d01e810…
    expect(shardOf("c0000001", 1 << 30)).toBe(1 + (0x3d01e810 % (1 << 30)));
    await fc.assert(
      fc.asyncProperty(fc.array(idArb, { minLength: 1, maxLength: 30 }), fc.integer({ min: 1, max: 64 }), async (ids, n) => {
        const list = "[" + ids.map((s) => `'${s.replace(/'/g, "''")}'`).join(", ") + "]::VARCHAR[]";
        const rows = (await con.runAndReadAll(`SELECT unnest(list_transform(${list}, x -> ${shardSql("x", n)}))`)).getRows();
        expect(rows.map((r) => Number(r[0]))).toEqual(ids.map((s) => shardOf(s, n)));
      }),
      { numRuns: 60, seed: 20261204 },
    );
    con.closeSync();
    db.closeSync();
  });
});

const HEAD = "customer_id,first_name,email,phone,telegram_id,birthday,registered_at,subscription_ends_at,timezone,city,consent_email,consent_sms,consent_push,consent_telegram,is_employee";
const EVENTS = ["signed_up", "signed_up", "cart_abandoned", "cart_abandoned", "order_placed", "product_viewed", "back_in_stock", "app_open", "order_delivered"];
const AT = Date.parse("2026-11-20T00:00:00Z");

describe.skipIf(!HAS_FRONT_END)("shards over random data (fast-check)", () => {
  it("for random N, the shards' logs merge to the unsharded log byte for byte", async () => {
    const { program } = await loadProgram(SHOP);
    let split = 0;
    const world = fc.record({
      ids: fc.uniqueArray(idArb, { minLength: 2, maxLength: 25 }),
      events: fc.array(fc.record({ who: fc.nat(), ev: fc.constantFrom(...EVENTS), back: fc.integer({ min: 0, max: 4 * 86_400 }), amount: fc.integer({ min: 1, max: 5000 }) }), { maxLength: 80 }),
      n: fc.integer({ min: 1, max: 6 }),
      zone: fc.constantFrom("Europe/Moscow", "", "Asia/Tokyo"),
    });
    await fc.assert(
      fc.asyncProperty(world, async (w) => {
        const dir = keep(mkdtempSync(join(tmpdir(), "pb-shard-prop-")));
        const cell = (s: string) => (/[",\s']/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
        writeFileSync(join(dir, "customers.csv"), [HEAD, ...w.ids.map((id, i) => `${cell(id)},N${i},u${i}@x.com,+7900${i},,,2025-01-01T00:00:00Z,,${w.zone},Paris,${i % 3 !== 0},false,${i % 2 === 0},false,false`)].join("\n") + "\n");
        writeFileSync(join(dir, "events.csv"), ["customer_id,event,ts,order_id,amount,cart_value,product_id,category", ...w.events.map((e, k) => `${cell(w.ids[e.who % w.ids.length]!)},${e.ev},${new Date(AT - e.back * 1000).toISOString()},o${k},${e.amount},${e.amount},p1,shoes`)].join("\n") + "\n");
        const from = AT - 3 * 86_400_000;
        const whole = await decideFromFiles(program, { dir }, new Map(), from, AT, true);
        const files: string[] = [];
        for (let i = 1; i <= w.n; i++) {
          const r = await decideFromFiles(program, { dir }, new Map(), from, AT, true, undefined, { shard: { index: i, count: w.n } });
          expect(r.counts).toEqual(whole.counts);
          files.push(join(dir, `s${i}.jsonl`));
          writeFileSync(files[i - 1]!, shardLogText(r.decisions, { index: i, count: w.n }));
        }
        let merged = "";
        await mergeShardLogs(files, (t) => (merged += t));
        expect(merged).toBe(logText(whole.decisions.map(stripTime)));
        if (w.n > 1 && new Set(whole.decisions.map((d) => d.customer_id)).size > 1) split++;
      }),
      { numRuns: 25, seed: 20261204 },
    );
    // Enough worlds had decisions of several customers split over several shards.
    expect(split).toBeGreaterThan(5);
  }, 300_000);
});
