/**
 * Issue 14, item 3, through `playbook report` (and so `playbook tui`, which
 * computes its report the same way): the events are read by the engine's
 * checked reader, so a ragged CSV row, bytes that are not UTF-8, a JSONL line
 * that is not JSON or not an object (first, second or late in the file), a
 * time outside 1900–2200, a number that is not finite or a NUL byte is one
 * bad row, cited as file:line with the same words as `run`; the rows line is
 * printed; `--rejects` keeps each row whole and reports over the rest, which
 * then equals the report of the file without those rows.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { memoryIO } from "../../cli/io.ts";
import { main } from "../../cli/main.ts";

const fx = "test/experiments/fixtures/small";
const root = join(import.meta.dirname, "../..");
const KEYS = ["customer_id", "event", "ts", "order_id", "amount", "rule", "step", "channel"];
const GOOD = readFileSync(join(root, fx, "data/events.jsonl"), "utf8").trimEnd().split("\n");
const N = GOOD.length;

async function cli(args: string[]) {
  const io = memoryIO(root);
  const code = await main(["report", `${fx}/playbooks`, "--decisions", `${fx}/decisions.jsonl`, "--format", "json", ...args], io);
  return { code, out: io.out, err: io.err };
}

const csvCell = (v: unknown) => (v === undefined || v === null ? "" : /[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
const csvRow = (o: Record<string, unknown>) => KEYS.map((k) => csvCell(o[k])).join(",");

let dir = "";
let clean = "";
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "report-rows-"));
  clean = (await cli(["--events", join(root, fx, "data/events.jsonl")])).out;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes `name` and runs the report on it, with and without --rejects. */
async function both(name: string, bytes: Buffer) {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  const stop = await cli(["--events", path]);
  const rejects = join(dir, `${name}.rejects`);
  const go = await cli(["--events", path, "--rejects", rejects]);
  return { path, stop, go, rejects: readFileSync(rejects) };
}

describe("playbook report: a bad events row is one bad row", () => {
  it("CSV: wrong width, not UTF-8, a time outside 1900–2200, 1e400, a NUL byte", async () => {
    const order = (o: Record<string, unknown>) => csvRow({ customer_id: "c0005", event: "order_placed", ts: "2026-10-02T00:00:00Z", order_id: "x", amount: 10, ...o });
    const rows = [
      Buffer.from("c0005,order_placed"),
      Buffer.from(`${order({})},extra`),
      Buffer.concat([Buffer.from("c\xff05", "latin1"), Buffer.from(order({}).slice("c0005".length))]),
      Buffer.from(order({ ts: "0000-01-01T00:00:00Z" })),
      Buffer.from(order({ amount: "1e400" })),
      Buffer.from(order({ customer_id: "c00\u00005" })),
    ];
    const head = [KEYS.join(","), ...GOOD.slice(0, 100).map((l) => csvRow(JSON.parse(l)))].join("\n") + "\n";
    const tail = GOOD.slice(100).map((l) => csvRow(JSON.parse(l))).join("\n") + "\n";
    // The bad rows sit after the first 100 events (lines 102–107), the rest follows.
    const r = await both("events.csv", Buffer.concat([Buffer.from(head), ...rows.flatMap((b) => [b, Buffer.from("\n")]), Buffer.from(tail)]));
    const f = r.path;
    const listed = [
      `${f}:102: 2 fields, the header has 8`,
      `${f}:103: 9 fields, the header has 8`,
      `${f}:104: not valid UTF-8`,
      `${f}:105: ts: "0000-01-01T00:00:00Z" is outside the years 1900–2200`,
      `${f}:106: amount: "1e400" is not a finite number`,
      `${f}:107: customer_id: contains a NUL byte`,
    ];
    const rowsLine = `rows: decisions 2959 read, 2959 used, 0 rejected; events ${N + 6} read, ${N} used, 6 rejected\n`;
    expect(r.stop.code).toBe(1);
    expect(r.stop.out).toBe("");
    expect(r.stop.err).toBe(listed.join("\n") + "\nplaybook report: 6 bad rows; nothing written.\n" + rowsLine);
    expect(r.go.code).toBe(0);
    expect(r.go.err).toBe(`playbook report: 6 bad rows written to ${f}.rejects\n` + rowsLine);
    // The rest is used: the report of the file without those rows, to the byte.
    expect(r.go.out).toBe(clean);
    expect(r.rejects).toEqual(Buffer.concat(listed.flatMap((l, i) => [Buffer.from(`${l}\t`), rows[i]!, Buffer.from("\n")])));
  });

  it("JSONL: not an object as line 1, not JSON as line 2 and late, a time outside 1900–2200, a NUL byte", async () => {
    const order = (o: Record<string, unknown>) => JSON.stringify({ customer_id: "c0005", event: "order_placed", ts: "2026-10-02T00:00:00Z", amount: 10, ...o });
    const lines = ["[1, 2]", "{oops", ...GOOD.slice(0, 3000), order({ ts: "0000-01-01T00:00:00Z" }), order({ customer_id: "c00\u00005" }), "not json", ...GOOD.slice(3000)];
    const r = await both("events.jsonl", Buffer.from(lines.join("\n") + "\n"));
    const f = r.path;
    const listed = [
      `${f}:1: not a JSON object`,
      `${f}:2: not valid JSON`,
      `${f}:3003: ts: "0000-01-01T00:00:00Z" is outside the years 1900–2200`,
      `${f}:3004: customer_id: contains a NUL byte`,
      `${f}:3005: not valid JSON`,
    ];
    const rowsLine = `rows: decisions 2959 read, 2959 used, 0 rejected; events ${N + 5} read, ${N} used, 5 rejected\n`;
    expect(r.stop.code).toBe(1);
    expect(r.stop.err).toBe(listed.join("\n") + "\nplaybook report: 5 bad rows; nothing written.\n" + rowsLine);
    expect(r.go.code).toBe(0);
    expect(r.go.out).toBe(clean);
    expect(r.go.err).toBe(`playbook report: 5 bad rows written to ${f}.rejects\n` + rowsLine);
    const kept = [lines[0], lines[1], lines[3002], lines[3003], lines[3004]];
    expect(r.rejects.toString()).toBe(listed.map((l, i) => `${l}\t${kept[i]}\n`).join(""));
  });

  it("Parquet: a typed time outside 1900–2200 and an infinite amount (cited by row number)", async () => {
    const src = join(dir, "src.jsonl");
    writeFileSync(src, [...GOOD, JSON.stringify({ customer_id: "c0005", event: "order_placed", ts: "2026-10-02T00:00:00Z", amount: "inf" }),
      JSON.stringify({ customer_id: "c0005", event: "order_placed", ts: "1800-10-02T00:00:00Z", amount: "1" })].join("\n") + "\n");
    const path = join(dir, "events.parquet");
    const db = await DuckDBInstance.create(":memory:");
    const con = await db.connect();
    await con.run(`COPY (SELECT customer_id, event, CAST(ts AS TIMESTAMP) AS ts, CAST(amount AS DOUBLE) AS amount, rule, CAST(step AS BIGINT) AS step, channel
      FROM read_json('${src}', format = 'newline_delimited', columns = {customer_id: 'VARCHAR', event: 'VARCHAR', ts: 'VARCHAR', amount: 'VARCHAR', rule: 'VARCHAR', step: 'VARCHAR', channel: 'VARCHAR'}))
      TO '${path}' (FORMAT parquet)`);
    con.closeSync();
    db.closeSync();
    const stop = await cli(["--events", path]);
    expect(stop.code).toBe(1);
    expect(stop.err).toBe(`${path}:${N + 1}: amount: "inf" is not a finite number\n${path}:${N + 2}: ts: "1800-10-02 00:00:00" is outside the years 1900–2200\n`
      + `playbook report: 2 bad rows; nothing written.\nrows: decisions 2959 read, 2959 used, 0 rejected; events ${N + 2} read, ${N} used, 2 rejected\n`);
    const go = await cli(["--events", path, "--rejects", join(dir, "pq.rejects")]);
    expect(go.code).toBe(0);
    expect(go.out).toBe(clean);
  });
});

describe("playbook report: a bad decision-log line is one bad line", () => {
  it("not JSON (line 1), not an object, a NUL byte, not UTF-8, a time outside 1900–2200: cited as file:line, kept whole by --rejects", async () => {
    const log = readFileSync(join(root, fx, "decisions.jsonl"), "utf8").trimEnd().split("\n");
    const one = JSON.parse(log[0]!) as Record<string, unknown>;
    const bad = ["{oops", "[1]", JSON.stringify({ ...one, customer_id: "c\u0000" }), JSON.stringify({ ...one, customer_id: "c\xff" }), JSON.stringify({ ...one, entered_at: "0000-01-01T00:00:00Z" })];
    const path = join(dir, "decisions.jsonl");
    // bad[3] is written as latin1: its 0xff byte is not UTF-8; every other line is ASCII.
    writeFileSync(path, Buffer.from([bad[0], ...log.slice(0, 10), bad[1], bad[2], bad[3], ...log.slice(10), bad[4]].join("\n") + "\n", "latin1"));
    const io = memoryIO(root);
    const args = ["report", `${fx}/playbooks`, "--decisions", path, "--data", `${fx}/data`, "--format", "json"];
    const listed = [
      `${path}:1: not valid JSON`,
      `${path}:12: not a JSON object`,
      `${path}:13: customer_id: contains a NUL byte`,
      `${path}:14: not valid UTF-8`,
      `${path}:${log.length + 5}: "entered_at" "0000-01-01T00:00:00Z" is outside the years 1900–2200`,
    ];
    const rowsLine = `rows: decisions ${log.length + 5} read, ${log.length} used, 5 rejected; events ${N} read, ${N} used, 0 rejected\n`;
    expect(await main(args, io)).toBe(1);
    expect(io.err).toBe(listed.join("\n") + "\nplaybook report: 5 bad rows; nothing written.\n" + rowsLine);
    const go = memoryIO(root);
    const rejects = join(dir, "decisions.rejects");
    expect(await main([...args, "--rejects", rejects], go)).toBe(0);
    expect(go.out).toBe(clean);
    // Each line byte for byte: the reason in UTF-8, the row as it stands in the file.
    expect(readFileSync(rejects)).toEqual(Buffer.concat(listed.flatMap((l, i) => [Buffer.from(`${l}\t`), Buffer.from(bad[i]!, "latin1"), Buffer.from("\n")])));
  });
});

describe("playbook tui: the report it shows is read the same way", () => {
  it("a bad events row stops it with the same listing; with --rejects it shows the report over the rest", async () => {
    const path = join(dir, "tui-events.jsonl");
    writeFileSync(path, ["[1]", ...GOOD].join("\n") + "\n");
    const args = ["tui", `${fx}/playbooks`, "--decisions", `${fx}/decisions.jsonl`, "--events", path];
    const stop = memoryIO(root);
    expect(await main(args, stop)).toBe(1);
    expect(stop.err).toBe(`${path}:1: not a JSON object\nplaybook tui: 1 bad row; nothing written.\n`
      + `rows: decisions 2959 read, 2959 used, 0 rejected; events ${N + 1} read, ${N} used, 1 rejected\n`);
    const go = memoryIO(root);
    expect(await main([...args, "--rejects", join(dir, "tui.rejects")], go)).toBe(0);
    const table = memoryIO(root);
    await main(["report", `${fx}/playbooks`, "--decisions", `${fx}/decisions.jsonl`, "--data", `${fx}/data`], table);
    expect(go.out).toBe(table.out);
    expect(readFileSync(join(dir, "tui.rejects"), "utf8")).toBe(`${path}:1: not a JSON object\t[1]\n`);
  });
});
