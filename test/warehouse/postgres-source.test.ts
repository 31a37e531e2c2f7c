/**
 * `--data postgres://…`: the same workspace and data give the same segments,
 * run log and report from a folder and from PostgreSQL; every bad source is
 * one clear line, exit 2, password redacted, nothing written.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../cli/main.ts";
import { memoryIO } from "../../cli/io.ts";
import { testDatabase } from "../support/pg.ts";
import { loadCsv, loadFolder } from "./load.ts";

const db = await testDatabase("source");
const FIX = resolve(import.meta.dirname, "../fixtures/segments");
const AT = "2026-06-01T00:00:00Z";
const tmp = mkdtempSync(join(tmpdir(), "pb-wh-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function cli(args: string[], cwd = FIX) {
  const io = memoryIO(cwd);
  const code = await main(args, io);
  return { code, out: io.out, err: io.err };
}

describe.skipIf(!db)("PostgreSQL as --data", () => {
  const url = () => db!.url;
  const withSchema = (s: string) => `${url()}?schema=${s}`;
  let demo = "";
  beforeAll(async () => {
    await loadFolder(db!, join(FIX, "data"));
    await loadFolder(db!, join(FIX, "data"), "crm");
    demo = join(tmp, "demo");
    expect((await cli(["demo", "--out", demo, "--customers", "300", "--days", "20"], tmp)).code).toBe(0);
    await loadFolder(db!, join(demo, "data"), "shop");
  }, 120_000);

  it("segments: the same table, json and csv from the folder and from the database (public and ?schema=)", async () => {
    for (const fmt of ["table", "json", "csv"]) {
      const files = await cli(["segments", "ws", "--data", "data", "--at", AT, "--format", fmt]);
      expect(files.code).toBe(0);
      for (const u of [url(), withSchema("crm")]) {
        const fromPg = await cli(["segments", "ws", "--data", u, "--at", AT, "--format", fmt]);
        expect(fromPg.err).toBe(files.err);
        expect(fromPg.out).toBe(files.out);
        expect(fromPg.code).toBe(0);
      }
    }
  });

  it("run, simulate and report of the demo shop: byte-identical from files and from PostgreSQL", async () => {
    const shop = resolve(import.meta.dirname, "../../playbooks/shop");
    const logs: string[] = [];
    for (const data of [join(demo, "data"), withSchema("shop")]) {
      const out = join(tmp, `run-${logs.length}.jsonl`);
      const r = await cli(["run", shop, "--data", data, "--at", "2026-09-10T00:00:00Z", "--out", out], tmp);
      expect(r.code, r.err).toBe(0);
      logs.push(readFileSync(out, "utf8"));
      const sim = join(tmp, `sim-${logs.length}.jsonl`);
      expect((await cli(["simulate", shop, "--data", data, "--from", "2026-09-01T00:00:00Z", "--to", "2026-09-16T00:00:00Z", "--out", sim], tmp)).code).toBe(0);
      logs.push(readFileSync(sim, "utf8"));
      const rep = await cli(["report", shop, "--decisions", sim, "--data", data, "--format", "json"], tmp);
      expect(rep.code, rep.err).toBe(0);
      logs.push(rep.out);
    }
    expect(logs[0]!.length).toBeGreaterThan(0);
    expect(logs[1]!.split("\n").length).toBeGreaterThan(10);
    expect(logs.slice(3)).toEqual(logs.slice(0, 3));
  }, 120_000);

  it("source: renames tables and columns", async () => {
    await db!.query(`CREATE SCHEMA IF NOT EXISTS alt`);
    await db!.query(`CREATE TABLE alt.people AS SELECT customer_id AS uid, city, vip FROM customers`);
    await db!.query(`CREATE TABLE alt.activity AS SELECT customer_id AS uid, event AS name, ts AS at, amount FROM events`);
    const ws = join(tmp, "ws-alt");
    const { cpSync, appendFileSync } = await import("node:fs");
    cpSync(join(FIX, "ws"), ws, { recursive: true });
    appendFileSync(join(ws, "shop.yaml"), "\nsource:\n  customers: people\n  events: activity\n  customer_id: uid\n  event: name\n  ts: at\n");
    const files = await cli(["segments", "ws", "--data", "data", "--at", AT, "--format", "json"]);
    const fromPg = await cli(["segments", ws, "--data", withSchema("alt"), "--at", AT, "--format", "json"]);
    expect(fromPg.err).toBe(files.err);
    expect(fromPg.out).toBe(files.out);
  });

  describe("a bad source: one line, exit 2, no stack trace, password redacted, nothing written", () => {
    const bad = async (data: string, pattern: RegExp, env: Record<string, string> = {}) => {
      const out = join(tmp, `never-${Math.random()}.csv`);
      const io = memoryIO(FIX, env);
      const code = await main(["segments", "ws", "--data", data, "--at", AT, "--format", "csv", "--out", out], io);
      expect(io.err).toMatch(pattern);
      expect(io.err).not.toMatch(/playbook@|    at |internal error/);
      expect(io.err).not.toContain(":playbook@");
      expect(code).toBe(2);
      expect(existsSync(out)).toBe(false);
      return io.err;
    };
    const withPassword = (pw: string) => {
      const u = new URL(url());
      u.password = pw;
      return u;
    };

    it("wrong password: refused, the password never printed", async () => {
      const err = await bad(withPassword("s3cret-wrong").toString(), /password authentication failed for user "postgres"/);
      expect(err).not.toContain("s3cret-wrong");
      expect(err).toContain("postgres://postgres:***@");
    });
    it("wrong PGPASSWORD: refused, never printed", async () => {
      const u = withPassword("");
      const err = await bad(u.toString(), /password authentication failed/, { PGPASSWORD: "env-secret-x" });
      expect(err).not.toContain("env-secret-x");
    });
    it("unreachable host", async () => {
      const u = withPassword("hidden-pw");
      u.port = "1";
      const err = await bad(u.toString(), /cannot reach postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\//);
      expect(err).not.toContain("hidden-pw");
    });
    it("a scheme typo: did you mean", async () => {
      await bad(url().replace(/^postgres/, "postgers"), /unknown database scheme "postgers:\/\/".*did you mean postgres:\/\//);
    });
    it("a missing table (did you mean), a missing column, a wrong type, an empty table", async () => {
      await db!.query(`CREATE SCHEMA IF NOT EXISTS broken; DROP TABLE IF EXISTS broken.customers, broken.event, broken.events`);
      await db!.query(`CREATE TABLE broken.customers AS SELECT * FROM customers; CREATE TABLE broken.event AS SELECT * FROM events`);
      await bad(`${url()}?schema=broken`, /no table broken\.events \(did you mean broken\.event\?\)/);
      await db!.query(`CREATE TABLE broken.events AS SELECT customer_id, event, ts AS tss FROM events`);
      await bad(`${url()}?schema=broken`, /table broken\.events has no column "ts" \(did you mean "tss"\?\); set source\.ts/);
      await db!.query(`DROP TABLE broken.events; CREATE TABLE broken.events AS SELECT customer_id, event, 5 AS ts FROM events`);
      await bad(`${url()}?schema=broken`, /column broken\.events\.ts is integer; ts needs timestamptz, timestamp or date/);
      await db!.query(`DROP TABLE broken.events; CREATE TABLE broken.events AS SELECT * FROM events WHERE false`);
      await bad(`${url()}?schema=broken`, /table broken\.events is empty/);
    });
    it("a bad row is cited by the table, not by a temp file", async () => {
      await db!.query(`CREATE SCHEMA IF NOT EXISTS rows`);
      await loadCsv(db!, join(FIX, "data/customers.csv"), "rows.customers");
      await loadCsv(db!, join(FIX, "data/events.csv"), "rows.events");
      await db!.query(`INSERT INTO rows.events VALUES ('a', 'order_placed', '2026-05-30T10:00:00Z', 'lots')`);
      const io = memoryIO(FIX);
      expect(await main(["segments", "ws", "--data", `${url()}?schema=rows`, "--at", AT], io)).toBe(1);
      expect(io.err).toMatch(/postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/\w+\?schema=rows events row \d+: /);
      expect(io.err).not.toContain(tmpdir());
    });
  });
});
