/**
 * `--data clickhouse://…`. No ClickHouse server can be started on this machine
 * (Debian has no server package here: engine/source/README.md), so:
 *
 * - the source's reading path — the table and column checks and the export
 *   query, its text conversions and the chunked stream into CSV
 *   (`exportClickhouse`) — runs against chDB, the same ClickHouse engine
 *   in-process, and the commands then give byte-identical segments, run logs
 *   and reports from the exported folder and from the original files;
 * - the client's own path (connect, errors, redaction) is tested against a
 *   refused port, which needs no server;
 * - the end-to-end test against a server runs only when PLAYBOOK_CH_URL is
 *   set (e.g. `PLAYBOOK_CH_URL=clickhouse://default:pw@127.0.0.1:8123/default`);
 *   otherwise it skips with a message, under CI=true too (no server package
 *   exists to start one: the decision is written in engine/source/README.md).
 */
import { createServer } from "node:net";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../cli/main.ts";
import { memoryIO } from "../../cli/io.ts";
import { exportClickhouse } from "../../engine/source/clickhouse.ts";
import { SourceError } from "../../engine/source/url.ts";
import { SOURCE_DEFAULTS, type SourceConfig } from "../../language/ast.ts";
import { chdbLoadCsv, chdbRunner, chdbSession, chdbTable } from "../support/chdb.ts";

const FIX = resolve(import.meta.dirname, "../fixtures/segments");
const SHOP = resolve(import.meta.dirname, "../../playbooks/shop");
const AT = "2026-06-01T00:00:00Z";
const LABEL = "clickhouse://default:***@chdb/default";
const tmp = mkdtempSync(join(tmpdir(), "pb-ch-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const session = chdbSession();
const run = chdbRunner(session);

async function cli(args: string[], cwd = FIX, env: Record<string, string | undefined> = {}) {
  const io = memoryIO(cwd, env);
  const code = await main(args, io);
  return { code, out: io.out, err: io.err };
}

/** The tables of chDB's `default` database exported as the source does, into a folder. */
const exported = (cfg: Partial<SourceConfig> = {}, need: ("customers" | "events")[] = ["customers", "events"]) =>
  exportClickhouse(run, { label: LABEL, database: "default", cfg: { ...SOURCE_DEFAULTS, ...cfg }, need });

describe("ClickHouse source: the reading path on chDB", () => {
  let demo = "";
  beforeAll(async () => {
    demo = join(tmp, "demo");
    expect((await cli(["demo", "--out", demo, "--customers", "300", "--days", "20"], tmp)).code).toBe(0);
  }, 120_000);

  it("segments: the same table, json and csv from the files and from ClickHouse tables (text columns, and typed ones)", async () => {
    for (const types of [{} as Record<string, string>, { amount: "Nullable(Float64)", vip: "Nullable(Bool)", ts: "DateTime64(6, 'Europe/Paris')" }]) {
      chdbLoadCsv(session, join(FIX, "data/customers.csv"), "customers", types);
      chdbLoadCsv(session, join(FIX, "data/events.csv"), "events", types);
      const src = await exported();
      try {
        for (const fmt of ["table", "json", "csv"]) {
          const files = await cli(["segments", "ws", "--data", "data", "--at", AT, "--format", fmt]);
          const fromCh = await cli(["segments", "ws", "--data", src.dir, "--at", AT, "--format", fmt]);
          expect(files.code).toBe(0);
          expect([fromCh.code, fromCh.out, fromCh.err]).toEqual([files.code, files.out, files.err]);
        }
      } finally {
        await src.close();
      }
      expect(existsSync(src.dir)).toBe(false);
    }
  });

  it("run and report of the demo shop: byte-identical from files and from ClickHouse tables", async () => {
    chdbLoadCsv(session, join(demo, "data/customers.csv"), "customers");
    chdbLoadCsv(session, join(demo, "data/events.csv"), "events");
    const src = await exported();
    try {
      const outs: string[] = [];
      for (const data of [join(demo, "data"), src.dir]) {
        const log = join(tmp, `run-${outs.length}.jsonl`);
        const r = await cli(["run", SHOP, "--data", data, "--at", "2026-09-10T00:00:00Z", "--out", log], tmp);
        expect(r.code, r.err).toBe(0);
        const rep = await cli(["report", SHOP, "--decisions", log, "--data", data, "--format", "json"], tmp);
        expect(rep.code, rep.err).toBe(0);
        outs.push(readFileSync(log, "utf8"), rep.out);
      }
      expect(outs[0]!.split("\n").length).toBeGreaterThan(10);
      expect(outs.slice(2)).toEqual(outs.slice(0, 2));
    } finally {
      await src.close();
    }
  }, 120_000);

  it("source: names other tables and columns; a bad row is cited by the table", async () => {
    session.query("DROP TABLE IF EXISTS crm_people");
    session.query("CREATE TABLE crm_people (id String, city Nullable(String), vip Nullable(String)) ENGINE = MergeTree ORDER BY tuple()");
    session.query("INSERT INTO crm_people VALUES ('a', 'London', 'true'), ('b', 'Paris', 'maybe')");
    session.query("DROP TABLE IF EXISTS crm_events");
    session.query("CREATE TABLE crm_events (id String, name String, at DateTime64(3, 'UTC'), amount Nullable(Float64)) ENGINE = MergeTree ORDER BY tuple()");
    session.query("INSERT INTO crm_events VALUES ('a', 'order_placed', '2026-05-25 10:00:00.250', 300)");
    const src = await exported({ customers: "crm_people", events: "crm_events", customer_id: "id", event: "name", ts: "at" });
    try {
      expect(readFileSync(join(src.dir, "events.csv"), "utf8")).toBe("customer_id,event,ts,amount\na,order_placed,2026-05-25T10:00:00.250Z,300\n");
      const r = await cli(["segments", "ws", "--data", src.dir, "--at", AT]);
      expect(src.cite(r.err)).toMatch(/clickhouse:\/\/default:\*\*\*@chdb\/default crm_people row 2: /);
      expect(src.cite(r.err)).not.toContain(src.dir);
    } finally {
      await src.close();
    }
  });

  it("the export's text conversions round-trip (fast-check: any double, times in any zone and precision, strings with quotes, commas, newlines, non-ASCII)", async () => {
    const tricky = fc.array(fc.constantFrom("a", "Z", "é", "東", "😀", ",", '"', "'", " ", "\n", "\r\n", "\\", "\t", "0"), { maxLength: 6 }).map((xs) => xs.join(""));
    const rowArb = fc.record({
      customer_id: tricky.filter((s) => s.trim() !== ""),
      event: fc.constantFrom("order_placed", "page_viewed"),
      ts: fc.integer({ min: Date.UTC(1970, 0, 1), max: Date.UTC(2099, 11, 31) }),
      amount: fc.option(fc.double({ noNaN: true, noDefaultInfinity: true }), { nil: null }),
      category: fc.option(tricky, { nil: null }),
    });
    const db = await DuckDBInstance.create(":memory:");
    const con = await db.connect();
    await con.run("SET TimeZone = 'UTC'");
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(rowArb, { minLength: 1, maxLength: 20 }), fc.constantFrom("DateTime64(3, 'UTC')", "DateTime64(6, 'Asia/Kolkata')", "DateTime64(3, 'America/St_Johns')"), async (rows, tsType) => {
          await chdbTable(session, "events", [["customer_id", "String"], ["event", "String"], ["ts", tsType], ["amount", "Nullable(Float64)"], ["category", "Nullable(String)"]],
            rows.map((r) => ({ ...r, ts: new Date(r.ts).toISOString() })));
          const src = await exported({}, ["events"]);
          try {
            const back = (await con.runAndReadAll(`SELECT customer_id, event, epoch_ms(ts) AS ts, amount, category FROM read_csv('${join(src.dir, "events.csv")}', header = true,
              columns = {'customer_id': 'VARCHAR', 'event': 'VARCHAR', 'ts': 'TIMESTAMPTZ', 'amount': 'DOUBLE', 'category': 'VARCHAR'}, quote = '"', escape = '"')`)).getRowObjectsJS();
            // Empty text is null in a data file (contract.md), whichever way the database held it.
            const norm = (r: Record<string, unknown>) => JSON.stringify([r.customer_id, r.event, Number(r.ts), r.amount === null ? null : Object.is(r.amount, -0) ? "-0" : r.amount, r.category === "" ? null : r.category]);
            expect(back.map(norm).sort()).toEqual(rows.map(norm).sort());
          } finally {
            await src.close();
          }
        }),
        { numRuns: 60, seed: 20261204 },
      );
    } finally {
      con.closeSync();
      db.closeSync();
    }
  }, 120_000);

  it("a missing table (did you mean), a missing column, a key of the wrong type, an empty table: one clear line each", async () => {
    chdbLoadCsv(session, join(FIX, "data/customers.csv"), "customers");
    chdbLoadCsv(session, join(FIX, "data/events.csv"), "events");
    const refused = async (cfg: Partial<SourceConfig>, pattern: RegExp) => {
      const e = await exported(cfg).then(() => null, (x: unknown) => x);
      expect(e).toBeInstanceOf(SourceError);
      expect((e as Error).message).toMatch(pattern);
    };
    await refused({ events: "evnets" }, /^clickhouse:\/\/default:\*\*\*@chdb\/default: no table default\.evnets \(did you mean default\.events\?\); set source\.events/);
    await refused({ ts: "tz" }, /table default\.events has no column "tz" \(did you mean "ts"\?\); set source\.ts/);
    await refused({ ts: "amount" }, /column default\.events\.amount is Nullable\(String\); ts needs DateTime, DateTime64, Date or Date32/);
    session.query("DROP TABLE IF EXISTS nothing");
    session.query("CREATE TABLE nothing (customer_id String, event String, ts DateTime64(3)) ENGINE = MergeTree ORDER BY tuple()");
    await refused({ events: "nothing" }, /table default\.nothing is empty$/);
  });
});

/** A local port nothing listens on. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe("ClickHouse source: the client's path without a server", () => {
  it("a refused port: exit 2, one line, the password (URL or CLICKHOUSE_PASSWORD) never printed, nothing written", async () => {
    const port = await closedPort();
    const out = join(tmp, "never.jsonl");
    for (const [url, env] of [[`clickhouse://u:hidden-pw@127.0.0.1:${port}/crm`, {}], [`clickhouse://u@127.0.0.1:${port}/crm`, { CLICKHOUSE_PASSWORD: "env-secret-x" }]] as const) {
      const r = await cli(["run", "ws", "--data", url, "--at", AT, "--out", out], FIX, env);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(new RegExp(`cannot reach clickhouse://u(:\\*\\*\\*)?@127\\.0\\.0\\.1:${port}/crm: 127\\.0\\.0\\.1:${port} refused or did not answer`));
      expect(r.err).not.toMatch(/hidden-pw|env-secret-x|    at /);
      expect(existsSync(out)).toBe(false);
    }
  });

  it("a scheme typo: did you mean clickhouse://", async () => {
    const r = await cli(["segments", "ws", "--data", "clickhous://h:8123/db", "--at", AT]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/unknown database scheme "clickhous:\/\/".*did you mean clickhouse:\/\/\?/);
  });
});

const server = process.env.PLAYBOOK_CH_URL;
if (!server) console.warn("ClickHouse server tests skipped: set PLAYBOOK_CH_URL=clickhouse://user:password@host:8123/db to run them (no ClickHouse server package exists to start one here; the reading path ran on chDB above)");

describe.skipIf(!server)("ClickHouse server as --data (PLAYBOOK_CH_URL)", () => {
  it("segments from the server equal segments from the files; a wrong password is refused and never printed", async () => {
    const { createClient } = await import("@clickhouse/client");
    const u = new URL(server!);
    const db = u.pathname.slice(1) || "default";
    const client = createClient({ url: `http://${u.host}`, username: decodeURIComponent(u.username) || "default", password: decodeURIComponent(u.password), database: db });
    try {
      for (const t of ["customers", "events"]) {
        const lines = readFileSync(join(FIX, `data/${t}.csv`), "utf8").trim().split("\n");
        const header = lines[0]!.split(",");
        await client.command({ query: `DROP TABLE IF EXISTS ${t}` });
        await client.command({ query: `CREATE TABLE ${t} (${header.map((h) => `\`${h}\` ${h === "ts" ? "DateTime64(3, 'UTC')" : "Nullable(String)"}`).join(", ")}) ENGINE = MergeTree ORDER BY tuple()` });
        const rows = lines.slice(1).map((l) => Object.fromEntries(l.split(",").map((v, i) => [header[i]!, v === "" ? null : header[i] === "ts" ? v.replace("T", " ").replace("Z", "") : v])));
        await client.insert({ table: t, values: rows, format: "JSONEachRow" });
      }
    } finally {
      await client.close();
    }
    const files = await cli(["segments", "ws", "--data", "data", "--at", AT]);
    const fromCh = await cli(["segments", "ws", "--data", server!, "--at", AT]);
    expect([fromCh.code, fromCh.out, fromCh.err]).toEqual([files.code, files.out, files.err]);
    u.password = "s3cret-wrong";
    const bad = await cli(["segments", "ws", "--data", u.toString(), "--at", AT]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/cannot log in to clickhouse:\/\/[^:]*:\*\*\*@/);
    expect(bad.err).not.toContain("s3cret-wrong");
  }, 60_000);
});
