/**
 * A private PostgreSQL 15 cluster for the warehouse tests and benches:
 * `initdb` + `pg_ctl` as the `postgres` user (through `runuser` when we are
 * root), data and unix socket in a temp folder, TCP on a free port of
 * 127.0.0.1, password auth (user `postgres`, password `playbook`) so the
 * wrong-password case is real.
 *
 * `npm run db:start` starts one and prints its URL (and remembers it in
 * $TMPDIR/playbook-pg.json); `npm run db:stop` stops it.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";

export const PG_BIN = process.env.PLAYBOOK_PG_BIN ?? "/usr/lib/postgresql/15/bin";
export const PG_PASSWORD = "playbook";

export interface Cluster {
  url: string;
  port: number;
  dir: string;
  stop(): void;
}

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once("error", rej);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      s.close(() => res(typeof a === "object" && a ? a.port : 0));
    });
  });
}

/** Runs a PostgreSQL binary as `postgres` (via runuser when root). */
function asPostgres(bin: string, args: string[]): void {
  const cmd = join(PG_BIN, bin);
  if (userInfo().uid === 0) execFileSync("runuser", ["-u", "postgres", "--", cmd, ...args], { stdio: "pipe" });
  else execFileSync(cmd, args, { stdio: "pipe" });
}

export function pgAvailable(): boolean {
  return existsSync(join(PG_BIN, "initdb"));
}

/** Starts a fresh cluster; throws with PostgreSQL's message if it cannot. */
export async function startCluster(): Promise<Cluster> {
  if (!pgAvailable()) throw new Error(`no initdb in ${PG_BIN} (apt-get install -y postgresql)`);
  const dir = mkdtempSync(join(tmpdir(), "playbook-pg-"));
  chmodSync(dir, 0o777);
  const data = join(dir, "data");
  const pw = join(dir, "pw");
  writeFileSync(pw, PG_PASSWORD + "\n");
  chmodSync(pw, 0o644);
  if (userInfo().uid === 0) execFileSync("chown", ["postgres", dir]);
  asPostgres("initdb", ["-D", data, "-U", "postgres", "--pwfile", pw, "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C"]);
  const port = await freePort();
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
  asPostgres("pg_ctl", ["-D", data, "-l", join(dir, "log"), "-o", opts, "-w", "-t", "60", "start"]);
  const url = `postgres://postgres:${PG_PASSWORD}@127.0.0.1:${port}/postgres`;
  return {
    url,
    port,
    dir,
    stop() {
      try {
        asPostgres("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
      } catch {
        /* already stopped */
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const STATE = join(tmpdir(), "playbook-pg.json");

async function main(cmd: string | undefined): Promise<void> {
  if (cmd === "start") {
    if (existsSync(STATE)) {
      const s = JSON.parse(readFileSync(STATE, "utf8"));
      if (existsSync(join(s.dir, "data", "postmaster.pid"))) {
        console.log(s.url);
        return;
      }
    }
    const c = await startCluster();
    writeFileSync(STATE, JSON.stringify({ url: c.url, dir: c.dir }));
    console.log(c.url);
  } else if (cmd === "stop") {
    if (!existsSync(STATE)) return void console.error("no cluster started by db:start");
    const s = JSON.parse(readFileSync(STATE, "utf8"));
    try {
      asPostgres("pg_ctl", ["-D", join(s.dir, "data"), "-m", "fast", "-w", "stop"]);
    } catch {
      /* already stopped */
    }
    rmSync(s.dir, { recursive: true, force: true });
    rmSync(STATE, { force: true });
    console.error("stopped");
  } else {
    console.error("usage: tsx test/support/pg-server.ts start|stop");
    process.exit(2);
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/.*\//, "/"))) {
  main(process.argv[2]).catch((e) => {
    console.error(String(e?.stderr ?? e?.message ?? e));
    process.exit(1);
  });
}
