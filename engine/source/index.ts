/**
 * Data sources: where a command's customers and events come from. A folder is
 * read by DuckDB where it lies; a database source (`postgres://…`) is opened
 * through its own client and handed to the commands as a folder of the
 * contract's files, streamed out of the database in chunks (postgres.ts).
 * ClickHouse (`clickhouse://…`, clickhouse.ts) is opened the same way.
 */
import type { SourceConfig } from "../../language/ast.ts";
import { SOURCE_DEFAULTS } from "../../language/ast.ts";
import { isUrl, parseSourceUrl } from "./url.ts";

export { isUrl, parseSourceUrl, redact, scrub, SourceError } from "./url.ts";

/** An opened source, as the data commands read it. */
export interface OpenedSource {
  /** A folder holding `customers.*` and `events.*` (contract.md "Input data"). */
  dir: string;
  /** How to name the source in a message (password redacted). */
  label: string;
  /** Rewrites a message citing the folder's files so it cites the source's tables instead. */
  cite(text: string): string;
  close(): Promise<void>;
}

export interface OpenOptions {
  source?: SourceConfig;
  env?: Record<string, string | undefined>;
  /** Tables the command needs (the report reads events only). */
  need?: ("customers" | "events")[];
}

/** Opens `--data` when it is a database URL; null for a folder (read as before). */
export async function openSource(value: string, o: OpenOptions = {}): Promise<OpenedSource | null> {
  if (!isUrl(value)) return null;
  const parsed = parseSourceUrl(value);
  const args = [parsed, { ...SOURCE_DEFAULTS, ...o.source }, o.env ?? process.env, o.need ?? ["customers", "events"]] as const;
  if (parsed.scheme === "clickhouse") return (await import("./clickhouse.ts")).openClickhouse(...args);
  const { openPostgres } = await import("./postgres.ts");
  return openPostgres(...args);
}
