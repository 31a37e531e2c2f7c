/**
 * Rows that cannot be read as they stand (issue 14, items 3, 4 and 8): a CSV
 * row of the wrong width or not UTF-8, a JSONL line that is not JSON, a time
 * outside 1900–2200, a number that is not finite, a NUL byte. Each is one bad
 * row cited as file:line, the rest of the file is used, every row is either
 * used or listed, and a rejected customer's events cite that customer's row,
 * listed after the root causes. On CSV, JSONL and Parquet, through both
 * readers (the stream of `run`/`simulate`/`diff` and the feature scan).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatBadRows, goalCohorts, openReader, readCustomers, rejectsText, rowsSummary, streamEvents, type BadRow, type RowCounts } from "../../engine/runtime/read.ts";
import { featurePlan, scanFeatures } from "../../engine/features/index.ts";
import { checkJsonLines, csvFields, lineNumbers } from "../../engine/runtime/rows.ts";
import { buildWorkspace } from "./scenarios/mini-workspace.ts";

const { ws } = buildWorkspace({ channels: { email: null }, rules: { r: { on: "order", send: { channel: "email" } } } });
const span = ws.rules.get("r")!.span;
const ty = (base: string) => ({ base: base as "string", nullable: true });
for (const [k, t] of [["vip", "bool"], ["born", "date"], ["joined", "datetime"], ["score", "number"], ["city", "string"]] as const) ws.schema.customer.set(k, { name: k, span, type: ty(t) });
ws.schema.events.set("order", { name: "order", span, builtin: false, props: new Map([["amount", { name: "amount", span, type: ty("number") }], ["note", { name: "note", span, type: ty("string") }]]) });
// Only props some expression reads are loaded and checked: make `amount` and `note` read.
const name = (n: string) => ({ kind: "name" as const, name: n, span });
ws.rules.get("r")!.who = { kind: "binary", op: "and", left: { kind: "binary", op: ">", left: name("amount"), right: { kind: "number", value: 0, raw: "0", span }, span }, right: { kind: "binary", op: "!=", left: name("note"), right: { kind: "null", span }, span }, span };

const X = "\xff"; // stands for one byte 0xff (not UTF-8) in the lines below
const bytes = (lines: string[]) => Buffer.concat(lines.map((l) => Buffer.concat([Buffer.from(l.split(X)[0]!, "utf8"), ...l.split(X).slice(1).map((p) => Buffer.concat([Buffer.from([0xff]), Buffer.from(p, "utf8")])), Buffer.from("\n")])));

const CUSTOMERS_CSV = [
  "customer_id,vip,born,joined,score,city",
  "a,true,1990-05-01,2026-01-02T03:04:05Z,1.5,Oslo",
  "c,true,1990-05-01",
  "",
  "d,false,,,,Rome,extra",
  `e${X},true,,,,`,
  "f,true,0000-01-01,,,Rome",
  "g,true,,-0001-01-01T00:00:00Z,,Rome",
  "h,true,,,1e400,Rome",
  "i,true,,,,Ro\0me",
  "j\0k,true,,,,",
  "b,false,1900-01-01,2200-12-31T23:59:59Z,2,Bergen",
];
const EVENTS_CSV = [
  "customer_id,event,ts,amount,note",
  "a,order,2026-11-20T10:00:00Z,10,x",
  "c,order,2026-11-20T10:00:00Z,5,x",
  "a,order,2026-11-20T10:00:00Z",
  "",
  "b,order,0000-01-01T00:00:00Z,1,x",
  "b,order,-2026-11-20T10:00:00Z,1,x",
  "b,order,2026-11-20T10:00:00Z,1e400,x",
  "b,order,2026-11-20T10:00:00Z,2,x\0y",
  "d,order,2026-11-20T10:00:00Z,1,x",
  "zz,order,2026-11-20T10:00:00Z,1,x",
  "b,order,2026-11-20T11:00:00Z,3,x,y,z",
  `b,order,2026-11-20T12:00:00Z,4,${X}`,
  "b,order,1900-01-01T00:00:00Z,4,x",
  "b,order,1899-12-31T23:59:59Z,4,x",
];

let dir = "";
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "pb-rows-"));
  writeFileSync(join(dir, "customers.csv"), bytes(CUSTOMERS_CSV));
  writeFileSync(join(dir, "events.csv"), bytes(EVENTS_CSV));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const emptyCounts = (): RowCounts => ({ customers: { read: 0, used: 0, rejected: 0 }, events: { read: 0, used: 0, rejected: 0 } });
const rel = (text: string) => text.split(dir + "/").join("");

/** Reads customers and events as `run`/`simulate` do (the stream) and as the feature scan does. */
async function read(customers: string, events: string) {
  const out = { stream: { bad: [] as BadRow[], counts: emptyCounts(), ids: [] as string[], events: [] as [string, number, unknown][] }, scan: { bad: [] as BadRow[], counts: emptyCounts() } };
  {
    const { con, close } = await openReader();
    try {
      const known = await readCustomers(con, ws, join(dir, customers), out.stream.bad, out.stream.counts);
      out.stream.ids = [...known.keys()];
      await streamEvents(con, ws, join(dir, events), known, Infinity, out.stream.bad, out.stream.counts, (id, evs) => {
        for (const e of evs) out.stream.events.push([id, e.ts, e.props.amount ?? null]);
      });
    } finally {
      close();
    }
  }
  {
    const { con, close, connect } = await openReader();
    try {
      const known = await readCustomers(con, ws, join(dir, customers), out.scan.bad, out.scan.counts);
      const t = await scanFeatures(con, ws, featurePlan(ws), join(dir, events), Date.UTC(2027, 0, 1), null, known.size, out.scan.bad, out.scan.counts, { connect });
      await t.checked;
    } finally {
      close();
    }
  }
  return out;
}

const EXPECTED_CSV = [
  "customers.csv:3: 3 fields, the header has 6",
  "customers.csv:5: 7 fields, the header has 6",
  "customers.csv:6: not valid UTF-8",
  'customers.csv:7: born: "0000-01-01" is outside the years 1900–2200',
  'customers.csv:8: joined: "-0001-01-01T00:00:00Z" is outside the years 1900–2200',
  'customers.csv:9: score: "1e400" is not a finite number',
  "customers.csv:10: city: contains a NUL byte",
  "customers.csv:11: customer_id: contains a NUL byte",
  "events.csv:4: 3 fields, the header has 5",
  'events.csv:6: ts: "0000-01-01T00:00:00Z" is outside the years 1900–2200',
  'events.csv:7: ts: "-2026-11-20T10:00:00Z" is outside the years 1900–2200',
  'events.csv:8: amount: "1e400" is not a finite number',
  "events.csv:9: note: contains a NUL byte",
  'events.csv:11: unknown customer "zz"',
  "events.csv:12: 7 fields, the header has 5",
  "events.csv:13: not valid UTF-8",
  'events.csv:15: ts: "1899-12-31T23:59:59Z" is outside the years 1900–2200',
  // The cascade, after every root cause: the customer's own row is cited.
  'events.csv:3: customer "c" rejected at customers.csv:3',
  'events.csv:10: customer "d" rejected at customers.csv:5',
];

describe("a CSV row that cannot be read is one bad row", () => {
  it("cites each as file:line with its reason, uses the rest, counts every row, on both readers", async () => {
    const got = await read("customers.csv", "events.csv");
    for (const r of [got.stream, got.scan]) {
      expect(rel(formatBadRows(r.bad)).split("\n").filter(Boolean)).toEqual(EXPECTED_CSV);
      // 10 customer rows and 13 event rows (blank lines are none; 3 event rows DuckDB skipped).
      expect(rowsSummary(r.counts)).toBe("rows: customers 10 read, 2 used, 8 rejected; events 13 read, 2 used, 11 rejected\n");
    }
    expect(got.stream.ids).toEqual(["a", "b"]);
    expect(got.stream.events).toEqual([["a", Date.UTC(2026, 10, 20, 10), 10], ["b", Date.UTC(1900, 0, 1), 4]]);
  });

  it("--rejects keeps every bad row whole, byte for byte, in the listing's order", async () => {
    const { stream } = await read("customers.csv", "events.csv");
    const text = await rejectsText(stream.bad);
    // latin1: one character per byte, so that the bytes that are not UTF-8 can be compared.
    const lines = rel(text.toString("latin1")).split("\n").filter(Boolean).map((l) => Buffer.from(l, "latin1").toString("utf8").includes("\ufffd") ? l : Buffer.from(l, "latin1").toString("utf8"));
    expect(lines.length).toBe(stream.counts.customers.rejected + stream.counts.events.rejected);
    expect(lines.map((l) => l.split("\t")[0])).toEqual(EXPECTED_CSV);
    // The row that is not UTF-8 is copied as its bytes, not as replacement characters.
    expect(lines[2]).toBe("customers.csv:6: not valid UTF-8\te\xff,true,,,,");
    expect(lines[6]).toBe("customers.csv:10: city: contains a NUL byte\ti,true,,,,Ro\0me");
    expect(lines.at(-2)).toBe('events.csv:3: customer "c" rejected at customers.csv:3\tc,order,2026-11-20T10:00:00Z,5,x');
  });

  it("cohorts (no workspace) skips the ragged rows the same way", async () => {
    // It reads customer_id, event and ts alone: a byte that is not UTF-8 in the note column (line 13) is not its concern.
    const got = await goalCohorts(join(dir, "events.csv"), "order");
    expect(rel(formatBadRows(got.bad)).split("\n").filter(Boolean)).toEqual([
      "events.csv:4: 3 fields, the header has 5",
      'events.csv:6: ts: "0000-01-01T00:00:00Z" is outside the years 1900–2200',
      'events.csv:7: ts: "-2026-11-20T10:00:00Z" is outside the years 1900–2200',
      "events.csv:12: 7 fields, the header has 5",
      'events.csv:15: ts: "1899-12-31T23:59:59Z" is outside the years 1900–2200',
    ]);
    expect(got.read).toBe(13);
  });
});

describe("JSONL", () => {
  it("a line that is not JSON, not an object or not UTF-8 is one bad row; blank lines keep the numbering; values checked as in CSV", async () => {
    const j = (o: object) => JSON.stringify(o);
    writeFileSync(join(dir, "customers.jsonl"), bytes([
      j({ customer_id: "a", vip: true, score: 1.5 }),
      '{"customer_id": "c", "vip": tru',
      "",
      j({ customer_id: "f", born: "0000-01-01" }),
      '{"customer_id": "h", "score": 1e400}',
      j({ customer_id: "i", city: "Ro\0me" }),
      `{"customer_id": "e${X}"}`,
      j({ customer_id: "b", vip: false }),
    ]));
    writeFileSync(join(dir, "events.jsonl"), bytes([
      j({ customer_id: "a", event: "order", ts: "2026-11-20T10:00:00Z", amount: 10, note: "x" }),
      "not json at all",
      "   ",
      j({ customer_id: "f", event: "order", ts: "2026-11-20T10:00:00Z", amount: 1, note: "x" }),
      j({ customer_id: "b", event: "order", ts: "-2026-11-20T10:00:00Z", amount: 1, note: "x" }),
      '{"customer_id": "b", "event": "order", "ts": "2026-11-20T10:00:00Z", "amount": 1e400, "note": "x"}',
      j({ customer_id: "b", event: "order", ts: "2026-11-20T10:00:00Z", amount: 2, note: "x\0y" }),
      j({ customer_id: "b", event: "order", ts: "2026-11-20T11:00:00Z", amount: 3, note: "x" }),
    ]));
    const got = await read("customers.jsonl", "events.jsonl");
    for (const r of [got.stream, got.scan]) {
      expect(rel(formatBadRows(r.bad)).split("\n").filter(Boolean)).toEqual([
        "customers.jsonl:2: not valid JSON",
        // JSON text that looks like a date is typed DATE by DuckDB: the value is shown as DuckDB prints it.
        'customers.jsonl:4: born: "0001-01-01 (BC)" is outside the years 1900–2200',
        'customers.jsonl:5: score: "inf" is not a finite number',
        "customers.jsonl:6: city: contains a NUL byte",
        "customers.jsonl:7: not valid UTF-8",
        "events.jsonl:2: not valid JSON",
        'events.jsonl:5: ts: "-2026-11-20T10:00:00Z" is outside the years 1900–2200',
        'events.jsonl:6: amount: "inf" is not a finite number',
        "events.jsonl:7: note: contains a NUL byte",
        'events.jsonl:4: customer "f" rejected at customers.jsonl:4',
      ]);
      expect(rowsSummary(r.counts)).toBe("rows: customers 7 read, 2 used, 5 rejected; events 7 read, 2 used, 5 rejected\n");
    }
    expect(got.stream.events).toEqual([["a", Date.UTC(2026, 10, 20, 10), 10], ["b", Date.UTC(2026, 10, 20, 11), 3]]);
  });
});

describe("Parquet", () => {
  it("typed times outside 1900–2200, non-finite doubles and NUL bytes are bad rows too", async () => {
    const { con, close } = await openReader();
    try {
      await con.run(`COPY (SELECT * FROM (VALUES ('a', DATE '1990-05-01', 1.5::DOUBLE, 'Oslo'), ('f', DATE '0000-01-01', NULL, NULL),
          ('h', NULL, 'inf'::DOUBLE, NULL), ('n', NULL, 'nan'::DOUBLE, NULL), ('i', NULL, NULL, 'Ro' || chr(0) || 'me'), ('j' || chr(0), NULL, NULL, NULL), ('b', NULL, 2::DOUBLE, NULL))
          t(customer_id, born, score, city)) TO '${join(dir, "customers.parquet")}' (FORMAT parquet)`);
      await con.run(`COPY (SELECT * FROM (VALUES ('a', 'order', TIMESTAMP '2026-11-20 10:00:00', 10::DOUBLE, 'x'), ('b', 'order', TIMESTAMP '0000-01-01 00:00:00', 1, 'x'),
          ('b', 'order', TIMESTAMP '2026-11-20 10:00:00', 'inf'::DOUBLE, 'x'), ('b', 'order', TIMESTAMP '2026-11-20 10:00:00', 2, 'x' || chr(0)),
          ('h', 'order', TIMESTAMP '2026-11-20 10:00:00', 2, 'x'), ('b', 'order', TIMESTAMP '2026-11-20 11:00:00', 3, 'x'))
          t(customer_id, event, ts, amount, note)) TO '${join(dir, "events.parquet")}' (FORMAT parquet)`);
    } finally {
      close();
    }
    const got = await read("customers.parquet", "events.parquet");
    for (const r of [got.stream, got.scan]) {
      // A typed value is shown as DuckDB prints it (year 0000 is 1 BC).
      expect(rel(formatBadRows(r.bad)).split("\n").filter(Boolean)).toEqual([
        'customers.parquet:2: born: "0001-01-01 (BC)" is outside the years 1900–2200',
        'customers.parquet:3: score: "inf" is not a finite number',
        'customers.parquet:4: score: "nan" is not a finite number',
        "customers.parquet:5: city: contains a NUL byte",
        "customers.parquet:6: customer_id: contains a NUL byte",
        'events.parquet:2: ts: "0001-01-01 (BC) 00:00:00" is outside the years 1900–2200',
        'events.parquet:3: amount: "inf" is not a finite number',
        "events.parquet:4: note: contains a NUL byte",
        'events.parquet:5: customer "h" rejected at customers.parquet:3',
      ]);
      expect(rowsSummary(r.counts)).toBe("rows: customers 7 read, 2 used, 5 rejected; events 6 read, 2 used, 4 rejected\n");
    }
  });
});

describe("helpers", () => {
  it("csvField reads quoted fields; lineNumbers skips the header, blank and skipped lines", async () => {
    expect(csvFields('x,"a,""b""",c')).toEqual(["x", 'a,"b"', "c"]);
    expect(csvFields("x,y,")).toEqual(["x", "y", ""]);
    expect(csvFields("")).toEqual([""]);
    const f = join(dir, "lines.csv");
    writeFileSync(f, "h\r\nr1\r\n\r\nbad\r\nr2\nr3");
    expect([...(await lineNumbers(f, [1, 2, 3], new Set([4])))]).toEqual([[1, 2], [2, 5], [3, 6]]);
  });

  it("lists root causes before cascades, and counts the cascades left out of the first 20", () => {
    const bad: BadRow[] = [
      ...Array.from({ length: 25 }, (_, i) => ({ file: "events.csv", line: i + 2, reason: 'unknown customer "c"', customer: "c" })),
      { file: "events.csv", line: 40, reason: 'unknown customer "zz"', customer: "zz" },
      { file: "customers.csv", line: 7, reason: 'vip: cannot read "maybe" as bool', id: "c" },
    ];
    const lines = formatBadRows(bad).split("\n").filter(Boolean);
    expect(lines.slice(0, 3)).toEqual([
      'customers.csv:7: vip: cannot read "maybe" as bool',
      'events.csv:40: unknown customer "zz"',
      'events.csv:2: customer "c" rejected at customers.csv:7',
    ]);
    expect(lines[19]).toBe('events.csv:19: customer "c" rejected at customers.csv:7');
    expect(lines[20]).toBe("… and 7 more bad rows (7 of them events of rejected customers)");
  });

  it("a JSONL line that is JSON but not an object says so", async () => {
    const f = join(dir, "objects.jsonl");
    writeFileSync(f, '{"customer_id": "a"}\n[1, 2]\n"x"\n{"customer_id": "b"}\n');
    const bad: BadRow[] = [2, 3, 4].map((line) => ({ file: f, line, reason: "missing customer_id" }));
    await checkJsonLines(f, bad);
    expect(bad.map((b) => b.reason)).toEqual(["not a JSON object", "not a JSON object", "missing customer_id"]);
  });

  // DuckDB detects a JSONL file's columns from a sample of about 20k lines; a line in it that is not an
  // object used to make the whole file one `json` column ("no customer_id column").
  it.each([
    ["line 1", 0],
    ["line 2", 1],
    ["inside the sample", 1500],
    ["past the sample", 25_000],
  ])("a JSONL line that is not an object (%s) is one bad row, in customers and in events", async (_, at) => {
    const j = (o: object) => JSON.stringify(o);
    const many = Array.from({ length: 30_000 }, (_, k) => j({ customer_id: `k${k}`, vip: true }));
    const customers = [...many.slice(0, at), "[1, 2]", ...many.slice(at), j({ customer_id: "a", score: 2 }), j({ customer_id: "b" })];
    const events = Array.from({ length: 30_000 }, () => j({ customer_id: "a", event: "order", ts: "2026-11-20T10:00:00Z", amount: 1, note: "x" }));
    events.splice(at, 0, '"x"');
    writeFileSync(join(dir, "wide-c.jsonl"), customers.join("\n") + "\n");
    writeFileSync(join(dir, "wide-e.jsonl"), events.join("\n") + "\n");
    const r = await read("wide-c.jsonl", "wide-e.jsonl");
    for (const x of [r.stream, r.scan]) {
      expect(rel(formatBadRows(x.bad)).split("\n").filter(Boolean)).toEqual([`wide-c.jsonl:${at + 1}: not a JSON object`, `wide-e.jsonl:${at + 1}: not a JSON object`]);
      expect(x.counts).toEqual({ customers: { read: 30_003, used: 30_002, rejected: 1 }, events: { read: 30_001, used: 30_000, rejected: 1 } });
    }
    expect(r.stream.events.length).toBe(30_000);
  });
});
