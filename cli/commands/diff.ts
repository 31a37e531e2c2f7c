/**
 * `playbook diff [BASE [HEAD]]`: what a change to a workspace means, between
 * two git revisions (default: where this branch forked from the default
 * branch, against the working tree). See docs/diff.md.
 */
import { parseArgs } from "node:util";
import { EXIT, UsageError, type CliIO } from "../io.ts";
import { GitError, NoWorkspaceError, renderJson, renderMarkdown, renderText, runDiffs } from "../diff/index.ts";
import { rowsSummary } from "../../engine/runtime/read.ts";

/** One line for `playbook --help`. */
export const summary = "what changed between two git revisions of a workspace, and for whom";

/** `playbook diff --help`. */
export const usage = `Usage: playbook diff [BASE [HEAD]] [--dir PATH] [--data D --at TIME] [--format text|markdown|json]

Compares the workspace at two git revisions: every rule, segment, channel,
cap and default added, removed or changed, after normalization (a change of
layout or spelling only is no change); experiment notes (holdout raised or
lowered, salt changed, priority changed); and for every changed expression a
witness customer on whom the old and new forms disagree.

  (no revision)   merge-base of HEAD with the default branch → working tree
  BASE            BASE → working tree
  BASE HEAD       BASE → HEAD

Options:
  --dir PATH      the workspace folder (default: every folder under the
                  current one holding playbook YAML that the change touches;
                  exit 2 when there is none)
  --data D        data folder (customers and events): witnesses come from real
                  customers, and with --at the audience impact is computed
  --at TIME       ISO instant for the audience impact (e.g. 2026-11-20T00:00:00Z)
  --format F      text (default), markdown (a pull-request comment) or json
`;

/** Runs the command. */
export async function run(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      dir: { type: "string" },
      data: { type: "string" },
      at: { type: "string" },
      format: { type: "string", default: "text" },
    },
  });
  if (positionals.length > 2) throw new UsageError("give at most two revisions: BASE [HEAD]");
  const format = values.format!;
  if (!["text", "markdown", "json"].includes(format)) throw new UsageError(`--format must be text, markdown or json, not "${format}"`);
  let at: number | undefined;
  if (values.at !== undefined) {
    at = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(values.at) || !values.at.includes("T") ? values.at : `${values.at}Z`);
    if (!Number.isFinite(at)) throw new UsageError(`--at ${values.at} is not an ISO date or datetime`);
  }
  if (at !== undefined && !values.data) throw new UsageError("--at needs --data D");
  let results;
  const rows: string[] = [];
  try {
    results = await runDiffs({ cwd: io.cwd, revisions: positionals, dir: values.dir, data: values.data, at, onRows: (c) => void rows.push(rowsSummary(c)) });
  } catch (e) {
    if (e instanceof GitError || e instanceof NoWorkspaceError) {
      io.stderr(`playbook diff: ${e.message}\n`);
      return EXIT.usage;
    }
    throw e;
  }
  // One workspace: one result (JSON: one object, as before); several: one after another (JSON: an array).
  if (format === "json") io.stdout(results.length === 1 ? renderJson(results[0]!) : JSON.stringify(results, null, 2) + "\n");
  else io.stdout(results.map((r) => (format === "markdown" ? renderMarkdown(r) : renderText(r))).join("\n"));
  // The same data read for every workspace: one rows line.
  if (rows.length) io.stderr(rows[0]!);
  return EXIT.ok;
}
