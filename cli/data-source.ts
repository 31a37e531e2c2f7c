/**
 * `--data postgres://…` for every data command: before the command runs, the
 * database is opened as a source (engine/source) with the workspace's
 * `source:` names, the flag is pointed at the folder the source gives, and
 * the command's messages cite the database's tables (password redacted)
 * instead of that folder. Folders pass through untouched.
 */
import { resolve } from "node:path";
import { loadWorkspace } from "../language/index.ts";
import { isUrl, openSource, redact, SourceError, type OpenedSource } from "../engine/source/index.ts";
import { UsageError, type CliIO } from "./io.ts";

/** Commands that read `--data`, and the tables each needs. */
const DATA_COMMANDS: Record<string, ("customers" | "events")[]> = {
  segments: ["customers", "events"],
  run: ["customers", "events"],
  simulate: ["customers", "events"],
  explain: ["customers", "events"],
  diff: ["customers", "events"],
  tui: ["customers", "events"],
  report: ["events"],
  cohorts: ["events"],
};

/** Where the `--data` value is in `args` (`--data V` or `--data=V`). */
function flagAt(args: string[], flag: string): { i: number; value: string; inline: boolean } | null {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === flag && i + 1 < args.length) return { i: i + 1, value: args[i + 1]!, inline: false };
    if (args[i]!.startsWith(flag + "=")) return { i, value: args[i]!.slice(flag.length + 1), inline: true };
  }
  return null;
}

export interface DataSourceArgs {
  args: string[];
  io: CliIO;
  close(): Promise<void>;
}

/**
 * Opens a database `--data` for command `name`; returns the arguments and IO
 * the command runs with. Throws UsageError (exit 2) for a source that cannot
 * be opened, before anything is written.
 */
export async function withDataSource(name: string, args: string[], io: CliIO): Promise<DataSourceArgs> {
  const none = { args, io, close: async () => {} };
  for (const flag of ["--state", "--out"]) {
    const f = flagAt(args, flag);
    if (f && isUrl(f.value) && (name === "run" || name === "simulate" || name === "segments"))
      throw new UsageError(`${flag} ${redact(f.value)}: a database ${flag === "--state" ? "state" : "log table"} is not supported yet; give a file`);
  }
  const need = DATA_COMMANDS[name];
  const f = need ? flagAt(args, "--data") : null;
  if (!f || !isUrl(f.value)) return none;
  const dirArg = name === "diff" ? flagAt(args, "--dir")?.value : args.find((a, i) => !a.startsWith("-") && (i === 0 || !args[i - 1]!.startsWith("--")));
  let source;
  if (dirArg) {
    try {
      source = (await loadWorkspace(resolve(io.cwd, dirArg))).workspace.source;
    } catch {
      /* the command reports the workspace's own problems */
    }
  }
  let opened: OpenedSource | null;
  try {
    opened = await openSource(f.value, { source, env: io.env, need });
  } catch (e) {
    if (e instanceof SourceError) throw new UsageError(e.message);
    throw e;
  }
  if (!opened) return none;
  const o = opened;
  const out = [...args];
  out[f.i] = f.inline ? `--data=${o.dir}` : o.dir;
  const cited: CliIO = { ...io, stderr: (t) => io.stderr(o.cite(t)), stdout: (t) => io.stdout(t.includes(o.dir) ? o.cite(t) : t) };
  return { args: out, io: cited, close: () => o.close() };
}
