/**
 * Issue 14, items 3 and 4, through every command that reads data: a ragged
 * CSV row (customers or events) or bytes that are not UTF-8 are one bad row
 * each, cited as file:line; the rows line is printed; `--rejects` keeps each
 * such row whole and the rest is used; the events of a rejected customer
 * cite that customer's row, after the root causes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { main } from "../../cli/main.ts";
import { memoryIO } from "../../cli/io.ts";
import { HAS_FRONT_END, ROOT, SHOP, shopData } from "./run-support.ts";

let d = "";
beforeAll(() => {
  // c3's row loses its last 8 fields, c4's name has a byte 0xff; two ragged events rows at the end.
  d = shopData(["c3,signed_up,2026-11-19T11:00:00Z,,,", "c2,order_placed,2026-11-19T11:00:00Z,o1,50,,,,,,,,extra"]);
  const lines = readFileSync(join(d, "customers.csv")).toString("latin1").split("\n");
  lines[3] = "c3,Cy,,,,,2025-01-01T00:00:00Z";
  lines[4] = lines[4]!.replace("Dee", "D\xffe");
  writeFileSync(join(d, "customers.csv"), Buffer.from(lines.join("\n"), "latin1"));
});
afterAll(() => rmSync(d, { recursive: true, force: true }));

const LISTED = [
  "customers.csv:4: 7 fields, the header has 15",
  "customers.csv:5: not valid UTF-8",
  "events.csv:10: 6 fields, the header has 12",
  "events.csv:11: 13 fields, the header has 12",
  'events.csv:5: customer "c3" rejected at customers.csv:4',
  'events.csv:6: customer "c4" rejected at customers.csv:5',
];
const ROWS = "rows: customers 5 read, 3 used, 2 rejected; events 10 read, 6 used, 4 rejected";

const COMMANDS: [string, string[]][] = [
  ["simulate", ["simulate", SHOP, "--from", "2026-11-01T00:00:00Z", "--to", "2026-11-21T00:00:00Z"]],
  ["run", ["run", SHOP, "--at", "2026-11-20T00:00:00Z"]],
  ["segments", ["segments", SHOP, "--at", "2026-11-20T00:00:00Z"]],
];

/** The stderr lines that cite rows or count them, with the data folder taken out. */
const cited = (err: string) => err.split(d + "/").join("").split("\n").filter((l) => /^(customers|events)\.csv:\d+: |^rows: /.test(l));

describe.skipIf(!HAS_FRONT_END)("a ragged or non-UTF-8 row is one bad row on every command", () => {
  it.each(COMMANDS)("%s: listed as file:line with the rows line, exit 1; with --rejects the rest is used, exit 0", async (_name, args) => {
    const io = memoryIO(ROOT);
    expect(await main([...args, "--data", d], io)).toBe(1);
    expect(cited(io.err)).toEqual([...LISTED, ROWS]);
    const go = memoryIO(ROOT);
    const rejects = join(d, `rejects-${_name}.txt`);
    expect(await main([...args, "--data", d, "--rejects", rejects], go)).toBe(0);
    expect(cited(go.err)).toEqual([ROWS]);
    const kept = readFileSync(rejects).toString("latin1").split(d + "/").join("").split("\n").filter(Boolean);
    expect(kept.map((l) => l.split("\t")[0])).toEqual(LISTED);
    expect(kept[1]).toBe("customers.csv:5: not valid UTF-8\tc4,D\xffe,dee@example.com,,,,2025-01-01T00:00:00Z,,Mars/Base,Rome,true,false,true,false,true");
    expect(kept[2]).toBe("events.csv:10: 6 fields, the header has 12\tc3,signed_up,2026-11-19T11:00:00Z,,,");
  });

  it("explain lists them and the rows line, and explains a customer whose row is good", async () => {
    const io = memoryIO(ROOT);
    expect(await main(["explain", SHOP, "--data", d, "--at", "2026-11-20T00:00:00Z", "--customer", "c1"], io)).toBe(0);
    expect(cited(io.err)).toEqual([...LISTED, ROWS]);
    expect(io.out).toContain("c1");
  });

  it("cohorts skips the ragged events rows, cites them, and counts them", async () => {
    const io = memoryIO(ROOT);
    expect(await main(["cohorts", SHOP, "--data", d], io)).toBe(1);
    expect(cited(io.err)).toEqual([LISTED[2], LISTED[3], "rows: events 10 read, 8 used, 2 rejected"]);
  });
});
