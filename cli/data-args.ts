/**
 * Flags shared by every command that reads a workspace and a data folder
 * (run, simulate, explain, segments): one place declares them and checks the
 * two rules they share.
 */
import { parseArgs } from "node:util";
import { UsageError } from "./io.ts";

type StringOptions = Record<string, { type: "string"; default?: string }>;

const DATA_OPTIONS = { data: { type: "string" }, customers: { type: "string" }, events: { type: "string" } } as const;

/**
 * Parses `DIR --data D [--customers F] [--events F]` plus the command's own
 * string flags; exactly one workspace folder and some data are required.
 */
export function parseDataArgs<O extends StringOptions>(args: string[], own: O) {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { ...DATA_OPTIONS, ...own } });
  if (positionals.length !== 1) throw new UsageError("give exactly one workspace folder");
  const v = values as Record<string, string | undefined>;
  if (!v.data && !v.customers) throw new UsageError("--data D (or --customers FILE) is required");
  return { dir: positionals[0]!, values: v as { [K in keyof O | keyof typeof DATA_OPTIONS]?: string } };
}
