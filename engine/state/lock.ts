/**
 * One writer at a time on a `--state` file: `run` holds `<state>.lock`
 * (created with O_EXCL, holding the pid, host and start time) from reading
 * the state to committing it. A second run finds the lock and stops with
 * `StateLockedError` (exit 2) instead of deciding — and sending — the same
 * messages again. A lock whose process is gone (same host, pid not alive) is
 * stale: it is removed and taken.
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { dirname } from "node:path";

export class StateLockedError extends Error {}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Takes the lock of state file `path`; returns its release. */
export function lockState(path: string): () => void {
  const lock = `${path}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lock, "wx");
      writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() }) + "\n");
      closeSync(fd);
      let released = false;
      return () => {
        if (!released) rmSync(lock, { force: true });
        released = true;
      };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // The same words as the store's (engine/state/store.ts): the lock is the first thing to touch the folder.
      if (code === "ENOENT") throw new StateLockedError(`--state ${path}: the folder ${dirname(path)} does not exist`);
      if (code !== "EEXIST") throw e;
    }
    let holder: { pid?: number; host?: string; since?: string } = {};
    try {
      holder = JSON.parse(readFileSync(lock, "utf8"));
    } catch {
      /* being written, or not ours: treat as held */
    }
    if (holder.host === hostname() && typeof holder.pid === "number" && !alive(holder.pid)) {
      rmSync(lock, { force: true });
      continue;
    }
    throw new StateLockedError(
      `--state ${path} is in use by another run (${holder.pid ? `pid ${holder.pid}${holder.host && holder.host !== hostname() ? ` on ${holder.host}` : ""}` : "unknown process"}${holder.since ? `, since ${holder.since}` : ""}): wait for it to finish; if no run is going, delete ${lock}`,
    );
  }
  throw new StateLockedError(`--state ${path}: could not take ${lock}`);
}
