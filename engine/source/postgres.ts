/**
 * PostgreSQL as a source: connect with `pg` (credentials from the URL or the
 * standard PG* variables), check that the two tables and their key columns
 * exist with usable types and are not empty, then stream both tables through
 * a server-side cursor (`DECLARE … CURSOR`, `FETCH n`) into the contract's CSV
 * files in a private temp folder, which every data command reads as it reads
 * a folder. Every value leaves PostgreSQL as text in the contract's format
 * (ISO times in UTC, `true`/`false`), so nothing depends on JS type parsing.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import type { SourceConfig } from "../../language/ast.ts";
import type { OpenedSource } from "./index.ts";
import { scrub, SourceError, type ParsedUrl } from "./url.ts";
import { checkTable, openedFolder, sourceFolder, writeCsv, type TableColumn } from "./folder.ts";
import { postgres as dialect } from "../features/dialect.ts";

const CHUNK = 10_000;
const TIME_TYPES = new Set(["timestamp with time zone", "timestamp without time zone", "date"]);
const KEY_TYPES = new Set(["text", "character varying", "character", "integer", "bigint", "smallint", "uuid", "name"]);


/** Turns a driver error into one line in our words, password scrubbed. */
function connectError(e: unknown, label: string, host: string, user: string, secrets: (string | undefined)[]): SourceError {
  const err = e as { code?: string; message?: string };
  const msg = scrub(String(err.message ?? e), secrets);
  if (err.code === "28P01" || err.code === "28000") return new SourceError(`cannot log in to ${label}: password authentication failed for user "${user}" (password from the URL or PGPASSWORD)`);
  if (err.code === "3D000") return new SourceError(`cannot open ${label}: ${msg}`);
  if (err.code === "ECONNREFUSED" || err.code === "ENOTFOUND" || err.code === "EAI_AGAIN" || err.code === "ETIMEDOUT" || /timeout/i.test(msg))
    return new SourceError(`cannot reach ${label}: ${host} ${err.code === "ENOTFOUND" ? "is not a known host" : "refused or did not answer"} (${err.code ?? msg})`);
  return new SourceError(`cannot connect to ${label}: ${msg}`);
}

/** A column as contract text: times ISO 8601 UTC, dates YYYY-MM-DD, the rest as PostgreSQL prints it. */
function asText(col: string, type: string): string {
  const c = dialect.ident(col);
  if (type === "timestamp with time zone") return `to_char(${c} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
  if (type === "timestamp without time zone") return `to_char(${c}, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
  if (type === "date") return `to_char(${c}, 'YYYY-MM-DD')`;
  return `CAST(${c} AS TEXT)`;
}

export async function openPostgres(p: ParsedUrl, cfg: SourceConfig, env: Record<string, string | undefined>, need: ("customers" | "events")[]): Promise<OpenedSource> {
  const url = new URL(p.url.toString());
  const schema = url.searchParams.get("schema") ?? "public";
  url.searchParams.delete("schema");
  const user = decodeURIComponent(url.username) || env.PGUSER || "postgres";
  const secrets = [decodeURIComponent(url.password) || undefined, env.PGPASSWORD];
  const host = `${url.hostname || env.PGHOST || "localhost"}:${url.port || env.PGPORT || 5432}`;
  // The URL's own credentials win; else the standard variables (the URL string is never printed).
  if (!url.username) url.username = encodeURIComponent(user);
  if (!url.password && env.PGPASSWORD) url.password = encodeURIComponent(env.PGPASSWORD);
  const client = new pg.Client({ connectionString: url.toString(), connectionTimeoutMillis: Number(env.PLAYBOOK_PG_TIMEOUT_MS ?? 10_000) });
  client.on("error", () => {});
  try {
    await client.connect();
  } catch (e) {
    throw connectError(e, p.label, host, user, secrets);
  }
  const dir = sourceFolder();
  const done = async () => {
    await client.end().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const t of need) {
      const [sch, table] = cfg[t].includes(".") ? (cfg[t].split(".") as [string, string]) : [schema, cfg[t]];
      const cols: TableColumn[] = (
        await client.query(`SELECT column_name AS name, data_type AS type FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position`, [sch, table])
      ).rows;
      const { keyCols, rest, header } = await checkTable({
        label: p.label, t, schema: sch, table, cols, cfg,
        tables: async () => (await client.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1`, [sch])).rows.map((r) => r.table_name as string),
        typeOk: (role, type) => (role === "ts" ? TIME_TYPES : KEY_TYPES).has(type),
        needs: (role) => (role === "ts" ? "timestamptz, timestamp or date" : "text, varchar or an integer"),
      });
      const from = `${dialect.ident(sch)}.${dialect.ident(table)}`;
      if ((await client.query(`SELECT EXISTS (SELECT 1 FROM ${from}) AS some`)).rows[0].some !== true) throw new SourceError(`${p.label}: table ${sch}.${table} is empty`);
      // The contract's names first, then the other columns under their own names.
      const select = [...keyCols, ...rest].map((c, i) => `${asText(c.name, c.type)} AS ${dialect.ident(header[i]!)}`);
      await exportTable(client, `SELECT ${select.join(", ")} FROM ${from} ORDER BY ${select.map((_, i) => i + 1).join(", ")}`, join(dir, `${t}.csv`), header);
    }
  } catch (e) {
    await done();
    if (e instanceof SourceError) throw e;
    throw new SourceError(`${p.label}: ${scrub(String((e as Error).message ?? e), secrets)}`);
  }
  await client.end().catch(() => {});
  return openedFolder(dir, p.label, cfg);
}

/** Streams one query into a CSV file through a cursor, CHUNK rows at a time. */
async function exportTable(client: pg.Client, sql: string, path: string, header: string[]): Promise<void> {
  await client.query("BEGIN READ ONLY");
  try {
    await client.query(`DECLARE pb_export NO SCROLL CURSOR FOR ${sql}`);
    await writeCsv(path, header, (async function* () {
      for (;;) {
        const res = await client.query({ text: `FETCH ${CHUNK} FROM pb_export`, rowMode: "array" });
        if (res.rows.length === 0) return;
        yield res.rows as (string | null)[][];
      }
    })());
    await client.query("COMMIT");
  } catch (e) {
    await client.query("ROLLBACK").catch(() => {});
    throw e;
  }
}
