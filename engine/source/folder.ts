/**
 * What every database source shares: the private temp folder the tables are
 * streamed into as the contract's CSV files, the CSV cell writer, and the
 * `OpenedSource` over that folder whose `cite()` names the source's tables
 * instead of the temp files (a bad row as `<url> <table> row N`).
 */
import { createWriteStream, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SourceConfig } from "../../language/ast.ts";
import type { OpenedSource } from "./index.ts";

/** A CSV cell from a database's text (NULL → empty; quoted when it must be, or when it is the empty string). */
export const csvCell = (v: string | null): string => (v === null ? "" : v === "" || /[",\r\n]/.test(v) || v !== v.trim() ? `"${v.replace(/"/g, '""')}"` : v);

/** A private folder for a source's files. */
export function sourceFolder(): string {
  return mkdtempSync(join(tmpdir(), "playbook-source-"));
}

/** The opened source over `dir` (customers.csv, events.csv), cited by `label` and the workspace's table names. */
export function openedFolder(dir: string, label: string, cfg: SourceConfig): OpenedSource {
  const files = new RegExp(`${dir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/(customers|events)\\.csv(?::(\\d+))?`, "g");
  return {
    dir,
    label,
    cite: (text) => text.replace(files, (_, t: "customers" | "events", line?: string) => `${label} ${cfg[t]}${line ? ` row ${Number(line) - 1}` : ""}`).split(dir).join(label),
    close: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Writes a header and then chunks of rows (text cells) into a CSV file, waiting when the stream is full. */
export async function writeCsv(path: string, header: string[], chunks: AsyncIterable<(string | null)[][]>): Promise<void> {
  const out = createWriteStream(path);
  const write = (s: string) => (out.write(s) ? Promise.resolve() : new Promise<void>((r) => out.once("drain", () => r())));
  try {
    await write(header.map(csvCell).join(",") + "\n");
    for await (const rows of chunks) {
      let chunk = "";
      for (const r of rows) chunk += r.map(csvCell).join(",") + "\n";
      await write(chunk);
    }
  } finally {
    await new Promise<void>((r) => out.end(() => r()));
  }
}
