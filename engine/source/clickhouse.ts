/**
 * ClickHouse as a source: `--data clickhouse://user:password@host:port/db`
 * (HTTP interface, port 8123 by default; `?secure=1` for HTTPS, 8443), through
 * @clickhouse/client; credentials from the URL or the standard variables
 * `CLICKHOUSE_USER` / `CLICKHOUSE_PASSWORD`, never printed. Like PostgreSQL:
 * check the two tables and their key columns (names from the workspace's
 * `source:` section), their types and that they are not empty, then stream
 * each table (`JSONCompactEachRow`, chunk by chunk as the server sends them)
 * into the contract's CSV files in a private temp folder. Every value leaves
 * ClickHouse as text in the contract's format (times ISO 8601 UTC with
 * milliseconds, dates YYYY-MM-DD, `true`/`false`).
 *
 * The checks and the export run through a `ClickHouseRunner`, so the same code
 * reads a server here and chDB in the tests (no ClickHouse server package
 * exists for this machine: engine/source/README.md).
 */
import { join } from "node:path";
import type { SourceConfig } from "../../language/ast.ts";
import type { ClickHouseRunner } from "../features/clickhouse.ts";
import { clickhouse as dialect } from "../features/dialect.ts";
import { checkTable, openedFolder, sourceFolder, writeCsv } from "./folder.ts";
import type { OpenedSource } from "./index.ts";
import { scrub, SourceError, type ParsedUrl } from "./url.ts";
import { rmSync } from "node:fs";

/** `Nullable(LowCardinality(String))` → `String`. */
const baseType = (t: string): string => {
  const m = /^(?:Nullable|LowCardinality)\((.*)\)$/.exec(t);
  return m ? baseType(m[1]!) : t;
};
const isTime = (t: string) => /^(DateTime(64)?(\(.*\))?|Date|Date32)$/.test(baseType(t));
const isKey = (t: string) => /^(String|FixedString\(\d+\)|U?Int(8|16|32|64|128|256)|UUID)$/.test(baseType(t));

/** A column as contract text: times ISO 8601 UTC with milliseconds, dates YYYY-MM-DD, the rest as ClickHouse prints it. */
function asText(col: string, type: string): string {
  const c = dialect.ident(col);
  const t = baseType(type);
  if (/^DateTime/.test(t)) return `concat(replaceOne(toString(toDateTime64(${c}, 3, 'UTC')), ' ', 'T'), 'Z')`;
  return `toString(${c})`;
}

/** What a source export needs to know beside the runner. */
export interface ClickHouseExport {
  label: string;
  database: string;
  cfg: SourceConfig;
  need: ("customers" | "events")[];
}

/**
 * Checks the tables of `o.database` and streams them into a new temp folder: the part of the source
 * that talks SQL, run on a server or on chDB alike. Throws SourceError for a missing table or column,
 * a key column of the wrong type, an empty table.
 */
export async function exportClickhouse(run: ClickHouseRunner, o: ClickHouseExport): Promise<OpenedSource> {
  const all = async (sql: string) => {
    const out: unknown[][] = [];
    for await (const chunk of run.rows(sql)) out.push(...chunk);
    return out;
  };
  const dir = sourceFolder();
  try {
    for (const t of o.need) {
      const [db, table] = o.cfg[t].includes(".") ? (o.cfg[t].split(".") as [string, string]) : [o.database, o.cfg[t]];
      const cols = (await all(`SELECT name, type FROM system.columns WHERE database = ${dialect.string(db)} AND table = ${dialect.string(table)} ORDER BY position`))
        .map(([name, type]) => ({ name: String(name), type: String(type) }));
      const { keyCols, rest, header } = await checkTable({
        label: o.label, t, schema: db, table, cols, cfg: o.cfg,
        tables: async () => (await all(`SELECT name FROM system.tables WHERE database = ${dialect.string(db)}`)).map(([n]) => String(n)),
        typeOk: (role, type) => (role === "ts" ? isTime(type) : isKey(type)),
        needs: (role) => (role === "ts" ? "DateTime, DateTime64, Date or Date32" : "String, FixedString, an integer or UUID"),
      });
      const from = `${dialect.ident(db)}.${dialect.ident(table)}`;
      if ((await all(`SELECT 1 FROM ${from} LIMIT 1`)).length === 0) throw new SourceError(`${o.label}: table ${db}.${table} is empty`);
      const select = [...keyCols, ...rest].map((c) => asText(c.name, c.type));
      // Ordered by the key columns' text, as the PostgreSQL source orders (a bad row's "row N" is stable).
      const rows = run.rows(`SELECT ${select.join(", ")} FROM ${from} ORDER BY ${select.map((_, i) => i + 1).join(", ")}`);
      await writeCsv(join(dir, `${t}.csv`), header, (async function* () {
        for await (const chunk of rows) yield chunk.map((r) => r.map((v) => (v === null ? null : String(v))));
      })());
    }
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return openedFolder(dir, o.label, o.cfg);
}

/** Turns a client error into one line in our words, password scrubbed. */
function connectError(e: unknown, label: string, host: string, user: string, secrets: (string | undefined)[]): SourceError {
  const err = e as { code?: string; type?: string; message?: string };
  const msg = scrub(String(err.message ?? e), secrets).split("\n")[0]!;
  if (err.type === "AUTHENTICATION_FAILED" || err.code === "516" || /authentication failed|password is incorrect/i.test(msg))
    return new SourceError(`cannot log in to ${label}: authentication failed for user "${user}" (password from the URL or CLICKHOUSE_PASSWORD)`);
  if (err.type === "UNKNOWN_DATABASE" || err.code === "81") return new SourceError(`cannot open ${label}: ${msg}`);
  const net = err.code ?? "";
  if (["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "ECONNRESET"].includes(net) || /timeout/i.test(msg))
    return new SourceError(`cannot reach ${label}: ${host} ${net === "ENOTFOUND" ? "is not a known host" : "refused or did not answer"} (${net || msg})`);
  return new SourceError(`cannot connect to ${label}: ${msg}`);
}

export async function openClickhouse(p: ParsedUrl, cfg: SourceConfig, env: Record<string, string | undefined>, need: ("customers" | "events")[]): Promise<OpenedSource> {
  const url = p.url;
  const secure = ["1", "true"].includes(url.searchParams.get("secure") ?? "");
  const database = decodeURIComponent(url.pathname.replace(/^\//, "")) || env.CLICKHOUSE_DATABASE || "default";
  const user = decodeURIComponent(url.username) || env.CLICKHOUSE_USER || "default";
  const password = decodeURIComponent(url.password) || env.CLICKHOUSE_PASSWORD || "";
  const secrets = [password || undefined, env.CLICKHOUSE_PASSWORD];
  const host = `${url.hostname || "localhost"}:${url.port || (secure ? 8443 : 8123)}`;
  const { createClient } = await import("@clickhouse/client");
  const client = createClient({
    url: `${secure ? "https" : "http"}://${host}`, username: user, password, database,
    request_timeout: Number(env.PLAYBOOK_CH_TIMEOUT_MS ?? 10_000),
    // The client's own logger would print driver errors (and their URLs) on its own: we say it once, redacted.
    log: { level: 127 },
  });
  const run: ClickHouseRunner = {
    async *rows(sql) {
      const rs = await client.query({ query: sql, format: "JSONCompactEachRow" });
      for await (const rows of rs.stream()) yield (rows as { json(): unknown[] }[]).map((r) => r.json());
    },
  };
  try {
    try {
      for await (const _ of run.rows("SELECT 1")) void _;
    } catch (e) {
      throw connectError(e, p.label, host, user, secrets);
    }
    return await exportClickhouse(run, { label: p.label, database, cfg, need });
  } catch (e) {
    if (e instanceof SourceError) throw e;
    throw new SourceError(`${p.label}: ${scrub(String((e as Error).message ?? e), secrets).split("\n")[0]}`);
  } finally {
    await client.close().catch(() => {});
  }
}
