/**
 * What run/simulate/segments/demo print on stderr besides their output: the
 * workspace's warnings as one line (not 16 lines of diagnostics on every run),
 * a fatal error last and alone, and a progress bar only when stderr is a
 * terminal (a fake one here: CliIO.stderrTTY).
 */
import { describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../cli/main.ts";
import { memoryIO } from "../../cli/io.ts";
import { clock, frame, progressBar } from "../../cli/progress.ts";
import { countDiagnostics, warningsLine } from "../../cli/warnings.ts";
import { HAS_FRONT_END, ROOT, tempFolders } from "./run-support.ts";

const { data, keep } = tempFolders();
const at = "2026-11-20T00:00:00Z";
/** The example's warnings, as `playbook check` counts them. */
async function checkWarnings(): Promise<number> {
  const io = memoryIO(ROOT);
  await main(["check", "playbooks/shop"], io);
  return Number(/(\d+) warnings?\n$/.exec(io.out)![1]);
}

describe.skipIf(!HAS_FRONT_END)("warnings in run, simulate and segments", () => {
  it("run prints one line for them, as many as check finds, then the summaries", async () => {
    const n = await checkWarnings();
    expect(n).toBeGreaterThan(1);
    const io = memoryIO(ROOT);
    expect(await main(["run", "playbooks/shop", "--data", data(), "--at", at], io)).toBe(0);
    const lines = io.err.split("\n");
    expect(lines[0]).toBe(`${n} warnings: playbook check playbooks/shop for details`);
    expect(lines[1]).toMatch(/^rows: /);
    expect(io.err).not.toContain("PB3");
  });

  it("simulate and segments do the same", async () => {
    const n = await checkWarnings();
    const sim = memoryIO(ROOT);
    expect(await main(["simulate", "playbooks/shop", "--data", data(), "--from", "2026-11-18T00:00:00Z", "--to", at], sim)).toBe(0);
    expect(sim.err.split("\n")[0]).toBe(`${n} warnings: playbook check playbooks/shop for details`);
    // The last line says whose consent and attributes a replay of past days used (issue 16 item 15).
    expect(sim.err.trimEnd().split("\n").at(-1)).toBe("note: consent and attributes are read from today's customers file for every day replayed, not as they were on that day");
    const seg = memoryIO(ROOT);
    expect(await main(["segments", "playbooks/shop", "--data", data(), "--at", at], seg)).toBe(0);
    expect(seg.err.split("\n")[0]).toBe(`${n} warnings: playbook check playbooks/shop for details`);
  });

  it("a fatal data error comes alone: bad rows and the rows line, no warnings", async () => {
    const io = memoryIO(ROOT);
    expect(await main(["run", "playbooks/shop", "--data", data(["c9,order_placed,2026-11-19T10:00:00Z,o1,10,,,,,,,"]), "--at", at], io)).toBe(1);
    expect(io.err).not.toContain("warning");
    const lines = io.err.trimEnd().split("\n");
    expect(lines[0]).toMatch(/events\.csv:10: unknown customer "c9"$/);
    expect(lines.at(-1)).toMatch(/^rows: /);
  });

  it("a missing data folder is one line", async () => {
    const io = memoryIO(ROOT);
    expect(await main(["run", "playbooks/shop", "--data", "/nonexistent/pb-data", "--at", at], io)).toBe(2);
    expect(io.err).toBe("playbook: no customers.csv/.jsonl/.parquet in /nonexistent/pb-data\n");
  });
});

describe("the warnings line", () => {
  it("counts diagnostics by their header line, with or without a place", () => {
    const text = "a.yaml:9:3: warning PB301: x\n  9 |   y\n    |   ^\n  hint: z\n\nwarning PB305: no place\n  note: a.yaml:1:1: warning PB999: quoted, indented\n";
    expect(countDiagnostics(text)).toBe(2);
    expect(warningsLine(text, "my shop")).toBe("2 warnings: playbook check 'my shop' for details\n");
    expect(warningsLine("", "x")).toBe("");
  });
});

describe("progress bar", () => {
  it("draws nothing when stderr is not a terminal", () => {
    const io = memoryIO();
    const bar = progressBar(io, "playbook run");
    bar.stage("deciding");
    bar.update(5, 10, "customers");
    bar.end();
    expect(io.err).toBe("");
  });

  it("frames counts, percent and an ETA from the rate so far", () => {
    expect(frame("playbook demo: simulating", 250, 1000, "customers", 2000)).toBe("playbook demo: simulating [######------------------] 250/1,000 customers  25%  ETA 0:06");
    expect(frame("x", 1000, 1000, "customers", 9000)).toBe("x [########################] 1,000/1,000 customers  100%");
    expect(frame("x", 0, 10, "", 9000)).toBe("x [------------------------] 0/10  0%");
    expect(clock(3723)).toBe("1:02:03");
  });

  it("redraws in place at most every 100 ms, and erases itself at the end", () => {
    const io = Object.assign(memoryIO(), { stderrTTY: true });
    let t = 0;
    const bar = progressBar(io, "playbook run", () => t);
    bar.stage("deciding");
    bar.update(0, 4000, "customers");
    t = 50;
    bar.update(1000, 4000, "customers"); // too soon: skipped
    t = 1000;
    bar.update(2000, 4000, "customers");
    bar.update(4000, 4000, "customers"); // the last one always shows
    bar.end();
    expect(io.err.split("\r").slice(1)).toEqual([
      "playbook run: deciding …\x1b[K",
      "playbook run: deciding [------------------------] 0/4,000 customers  0%\x1b[K",
      "playbook run: deciding [############------------] 2,000/4,000 customers  50%  ETA 0:01\x1b[K",
      "playbook run: deciding [########################] 4,000/4,000 customers  100%\x1b[K",
      "\x1b[K",
    ]);
  });

  it.skipIf(!HAS_FRONT_END)("shows on a terminal during simulate, and is gone before the summaries", async () => {
    const io = Object.assign(memoryIO(ROOT), { stderrTTY: true });
    expect(await main(["simulate", "playbooks/shop", "--data", data(), "--from", "2026-11-18T00:00:00Z", "--to", at], io)).toBe(0);
    expect(io.err).toContain("\rplaybook simulate: reading the data …\x1b[K");
    expect(io.err).toContain("\rplaybook simulate: deciding [########################] 5/5 customers  100%\x1b[K");
    const afterBar = io.err.slice(io.err.lastIndexOf("\r\x1b[K") + 4);
    expect(afterBar).toMatch(/^\d+ warnings: playbook check playbooks\/shop for details\nrows: /);
    expect(afterBar).not.toContain("\r");
  });

  it.skipIf(!HAS_FRONT_END)("shows on a terminal during demo", async () => {
    const out = keep(mkdtempSync(join(tmpdir(), "pb-demo-bar-")));
    const io = Object.assign(memoryIO(ROOT), { stderrTTY: true });
    expect(await main(["demo", "--customers", "40", "--days", "3", "--out", out], io)).toBe(0);
    expect(io.err).toContain("\rplaybook demo: simulating [########################] 40/40 customers  100%\x1b[K");
    expect(io.err).toContain("\rplaybook demo: writing the files and the report …\x1b[K");
    expect(io.err.endsWith("\r\x1b[K")).toBe(true);
  }, 60_000);
});
