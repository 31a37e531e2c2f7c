/**
 * A `--state` path Playbook cannot use is the user's mistake, not a bug
 * (issue 14, item 7): exit 2 with what the file is and what to do, and the
 * file left as it was. Each kind: a directory, an empty file, a text file,
 * another program's file (SQLite), another program's DuckDB database, a
 * damaged (truncated, overwritten) state file, a stored document that is
 * not JSON, a folder that does not exist.
 */
import { afterAll, describe, expect, it } from "vitest";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync, openSync, writeSync, closeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { main } from "../../cli/main.ts";
import { memoryIO } from "../../cli/io.ts";
import { HAS_FRONT_END, ROOT, SHOP, shopData } from "./run-support.ts";

const root = mkdtempSync(join(tmpdir(), "pb-state-file-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const AT = "2026-11-20T00:00:00Z";

async function duck(path: string, sql: string[]): Promise<void> {
  const db = await DuckDBInstance.create(path);
  const con = await db.connect();
  for (const q of sql) await con.run(q);
  con.closeSync();
  db.closeSync();
}

async function runWith(state: string): Promise<{ code: number; err: string; out: string }> {
  const io = memoryIO(ROOT);
  const code = await main(["run", SHOP, "--data", data, "--at", AT, "--state", state], io);
  return { code, err: io.err, out: io.out };
}

const data = shopData();

describe.skipIf(!HAS_FRONT_END)("run --state with a file Playbook cannot use: exit 2, what it is, what to do", () => {
  it("a directory", async () => {
    const dir = join(root, "dir");
    mkdirSync(dir);
    const r = await runWith(dir);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`playbook run: --state ${dir} is a directory; give the path of a state file in it, e.g. ${join(dir, "state.duckdb")} (it is created when missing)`);
    expect(r.out).toBe("");
  });

  it("an empty file, a text file and an SQLite database, left untouched", async () => {
    const empty = join(root, "empty.duckdb");
    writeFileSync(empty, "");
    const r1 = await runWith(empty);
    expect(r1.code).toBe(2);
    expect(r1.err).toContain(`--state ${empty} is an empty file, not a Playbook state file; remove it`);
    const text = join(root, "notes.txt");
    writeFileSync(text, "customer_id,email\nc1,a@x\n");
    const r2 = await runWith(text);
    expect(r2.code).toBe(2);
    expect(r2.err).toContain(`--state ${text} is a text file (it begins "customer_id,emai"), not a Playbook state file (a DuckDB database); Playbook leaves it alone. Give --state the path of a file of its own`);
    expect(readFileSync(text, "utf8")).toBe("customer_id,email\nc1,a@x\n");
    const lite = join(root, "app.sqlite");
    writeFileSync(lite, Buffer.concat([Buffer.from("SQLite format 3\0", "latin1"), Buffer.alloc(84)]));
    const r3 = await runWith(lite);
    expect(r3.code).toBe(2);
    expect(r3.err).toContain(`--state ${lite} is an SQLite database, not a Playbook state file`);
  });

  it("a DuckDB database of another program is not modified", async () => {
    const other = join(root, "warehouse.duckdb");
    await duck(other, ["CREATE TABLE sales (x INTEGER)", "INSERT INTO sales VALUES (1)"]);
    const before = readFileSync(other);
    const r = await runWith(other);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`--state ${other} is a DuckDB database of another program, not a Playbook state file (it holds table sales); Playbook leaves it alone.`);
    expect(readFileSync(other).equals(before)).toBe(true);
  });

  it("a damaged state file: truncated, overwritten, or a stored document that is not JSON", async () => {
    const good = join(root, "good.duckdb");
    expect((await runWith(good)).code).toBe(0);
    const cut = join(root, "cut.duckdb");
    copyFileSync(good, cut);
    truncateSync(cut, 5000);
    const r1 = await runWith(cut);
    expect(r1.code).toBe(2);
    expect(r1.err).toMatch(new RegExp(`--state ${cut.replace(/[.]/g, "\\.")} is a DuckDB file Playbook cannot open \\(DuckDB: .+\\)\\. If \`playbook run --state\` wrote it, it is damaged or from a newer version: restore a copy, or start an empty state at a new path`));
    const flipped = join(root, "flipped.duckdb");
    copyFileSync(good, flipped);
    const fd = openSync(flipped, "r+");
    writeSync(fd, Buffer.alloc(8192, 0xff), 0, 8192, 4096);
    closeSync(fd);
    const r2 = await runWith(flipped);
    expect(r2.code).toBe(2);
    expect(r2.err).toContain("it is damaged or from a newer version");
    const doc = join(root, "doc.duckdb");
    await duck(doc, ["CREATE TABLE meta (k VARCHAR PRIMARY KEY, v VARCHAR)", "CREATE TABLE customer_state (customer_id VARCHAR NOT NULL, state VARCHAR NOT NULL)", "INSERT INTO customer_state VALUES ('c1', '{oops')"]);
    const r3 = await runWith(doc);
    expect(r3.code).toBe(2);
    expect(r3.err).toContain(`--state ${doc}: the stored state of customer "c1" is not one Playbook wrote.`);
    for (const r of [r1, r2, r3]) expect(r.err).not.toContain("internal error");
  });

  it("a folder that does not exist", async () => {
    const missing = join(root, "nope", "state.duckdb");
    const r = await runWith(missing);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`--state ${missing}: the folder ${join(root, "nope")} does not exist`);
  });
});
