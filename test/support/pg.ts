/**
 * A database for a warehouse test file: `PLAYBOOK_PG_URL` when set (what
 * .ci/run exports), else a private cluster started for this file
 * (pg-server.ts). Each file gets its own fresh database in it, dropped at the
 * end. Without a server the file's tests skip with a message — except under
 * CI=true, where not getting one fails.
 *
 *     const db = await testDatabase("segments");
 *     describe.skipIf(!db)("…", () => { … db!.url … });
 */
import pg from "pg";
import { afterAll } from "vitest";
import { startCluster, type Cluster } from "./pg-server.ts";

export interface TestDatabase {
  /** URL of this file's own database. */
  url: string;
  /** URL of the server's `postgres` database (for CREATE DATABASE …). */
  serverUrl: string;
  query(sql: string, params?: unknown[]): Promise<pg.QueryResult>;
}

export async function testDatabase(name: string): Promise<TestDatabase | null> {
  let cluster: Cluster | null = null;
  let serverUrl = process.env.PLAYBOOK_PG_URL;
  try {
    if (!serverUrl) {
      cluster = await startCluster();
      serverUrl = cluster.url;
    }
    const db = `pb_${name.replace(/\W/g, "_")}_${process.pid}`;
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${db}`);
    await admin.query(`CREATE DATABASE ${db}`);
    await admin.end();
    const u = new URL(serverUrl);
    u.pathname = "/" + db;
    const url = u.toString();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    afterAll(async () => {
      await client.end();
      if (cluster) cluster.stop();
      else {
        const a = new pg.Client({ connectionString: serverUrl });
        await a.connect();
        await a.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
        await a.end();
      }
    });
    return { url, serverUrl: serverUrl!, query: (sql, params) => client.query(sql, params as unknown[]) };
  } catch (e) {
    cluster?.stop();
    const msg = `PostgreSQL not available (${String((e as { stderr?: unknown }).stderr ?? (e as Error).message ?? e).trim().split("\n")[0]}): warehouse tests skipped; set PLAYBOOK_PG_URL or install postgresql`;
    if (process.env.CI === "true") throw new Error(msg);
    console.warn(msg);
    return null;
  }
}
