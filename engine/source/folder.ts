/**
 * What every database source shares: the check of a table against the
 * contract (`checkTable`), the private temp folder the tables are streamed
 * into as the contract's CSV files, the CSV writer, and the `OpenedSource` over
 * that folder whose `cite()` names the source's tables instead of the temp
 * files (a bad row as `<url> <table> row N`).
 */
import { createWriteStream, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SourceConfig } from "../../language/ast.ts";
import { didYouMean } from "../../language/fuzzy.ts";
import type { OpenedSource } from "./index.ts";
import { SourceError } from "./url.ts";

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

/** A column of a database table: its name and its type as the database names it. */
export interface TableColumn {
  name: string;
  type: string;
}

/** How a source checks one table: its columns as the database lists them (empty: no such table), and what its types allow. */
export interface TableCheck<C extends TableColumn> {
  label: string;
  /** Which of the contract's tables. */
  t: "customers" | "events";
  /** The schema or database, and the table, as named. */
  schema: string;
  table: string;
  cols: C[];
  cfg: SourceConfig;
  /** The tables of the schema, for a did-you-mean when the table is missing. */
  tables(): Promise<string[]>;
  /** Whether a key column's type can be read as `role`, and the words for what it needs. */
  typeOk(role: string, type: string): boolean;
  needs(role: string): string;
}

/**
 * Checks a table against the contract (the table exists, with a did-you-mean; each key column
 * exists, with a did-you-mean, and has a usable type) and returns its key columns in the contract's
 * order, the other columns, and the CSV header: the contract's names first, then the others' own.
 */
export async function checkTable<C extends TableColumn>(o: TableCheck<C>): Promise<{ keyCols: C[]; rest: C[]; header: string[] }> {
  const keys = { customers: [o.cfg.customer_id], events: [o.cfg.customer_id, o.cfg.event, o.cfg.ts] }[o.t];
  const contract = { customers: ["customer_id"], events: ["customer_id", "event", "ts"] }[o.t];
  const where = `${o.schema}.${o.table}`;
  if (o.cols.length === 0) {
    const hint = didYouMean(o.table, await o.tables());
    throw new SourceError(`${o.label}: no table ${where}${hint ? ` (did you mean ${o.schema}.${hint}?)` : ""}; set source.${o.t} in the workspace to name it`);
  }
  const byName = new Map(o.cols.map((c) => [c.name, c]));
  keys.forEach((k, i) => {
    const c = byName.get(k);
    const role = contract[i]!;
    if (!c) {
      const hint = didYouMean(k, byName.keys());
      throw new SourceError(`${o.label}: table ${where} has no column "${k}"${hint ? ` (did you mean "${hint}"?)` : ""}; set source.${role} in the workspace to name it`);
    }
    if (!o.typeOk(role, c.type)) throw new SourceError(`${o.label}: column ${where}.${k} is ${c.type}; ${role} needs ${o.needs(role)}`);
  });
  const rest = o.cols.filter((c) => !keys.includes(c.name) && !contract.includes(c.name));
  return { keyCols: keys.map((k) => byName.get(k)!), rest, header: [...contract, ...rest.map((c) => c.name)] };
}
